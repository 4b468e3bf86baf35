// Iteration-level continuous batching (pure: no onnxruntime). The engine worker asks for a plan
// each step, runs its forward calls, and commits the sampled tokens back.
//
// Glossary: B rows of a call, T new tokens per row of a call, rows = maxBatchSize.
//
// Row layout (so every forward call's rows are one contiguous range: zero-copy KV views):
//   [0, nDec)                  decoding rows (one new token each step)
//   [nDec, pStart)             free gap
//   [pStart, pStart + nPre)    prefilling rows, admission (FIFO) order
//   after                      free
// Layout changes are recorded as row copies (`moves`, always into a free row, applied in order
// before the next forward) that the worker performs on its KV cache.
//
// schedule():
//   1. cancelled requests leave (waiting: dropped; running: row freed, adapter released)
//   2. admit waiting requests FIFO while a row is free and their adapter has a slot
//      (acquire -> slot | pending | error). A pending one may be passed by later ones at most
//      maxPassBy times; then admission waits for it (no starvation).
//   3. decode call: rows [0, nDec), T = 1.  Prefill call (separate): the first prefilling rows,
//      chunks of min(remaining prompt, budget) where budget = max(maxBatchTokens - nDec, minChunk)
//      and padded B*T <= budget, so a long prompt is chunked and never stalls decoding.
// commit(plan, tokens): rows advance by their new tokens; sampled rows append their token and
//   finish on a stop id (unless ignoreEos), max_tokens or maxModelLen; layout is compacted.
import { RequestError, type SerializedError } from '../../common/index.ts';
import type { FinishReason } from './engineContract.ts';
import type { AcquireResult } from '../../adapters/index.ts';

export interface SchedRequest {
  id: string;
  promptIds: number[];
  adapterId: string | null;
  maxTokens: number;
  stopTokenIds: number[];
  ignoreEos: boolean;
  /** Keep the row's keys/values when it finishes (GenerateRequest.retainKv). */
  retainKv?: boolean;
}

export interface SchedulerOptions {
  maxBatchSize: number;
  maxBatchTokens: number;
  maxQueue: number;
  maxModelLen: number;
  vocabSize: number;
  /** Pins a slot for one running request of `adapterId` (see adapters/adapterCache.ts). */
  acquire(adapterId: string): AcquireResult;
  release(adapterId: string, slot: number): void;
  /** Later requests that may pass one whose adapter is loading (default maxBatchSize). */
  maxPassBy?: number;
  /** Smallest prefill chunk even when decoding fills the token budget (default 16). */
  minChunk?: number;
}

export interface Seq {
  req: SchedRequest;
  row: number;
  slot: number;
  /** Prompt then generated tokens. */
  tokens: number[];
  /** Positions already in the KV cache. */
  cached: number;
  generated: number;
}

export interface CallPlan {
  kind: 'decode' | 'prefill';
  rowStart: number;
  seqs: Seq[]; // [B] in row order
  newLen: number[]; // [B]
  T: number;
  /** Row b's last new token's logits are sampled (decode rows, final prefill chunks). */
  sample: boolean[]; // [B]
}

export interface Finished {
  seq: Seq;
  reason: FinishReason;
}

export interface StepPlan {
  moves: Array<{ from: number; to: number; len: number }>;
  calls: CallPlan[];
  /** Requests that ended before running this step: cancelled ones, adapter errors. */
  cancelled: Array<{
    id: string;
    promptTokens: number;
    completionTokens: number;
    /** The row it left, when it was running: its keys/values stay intact until this step's moves. */
    seq?: Seq;
  }>;
  errors: Array<{ id: string; error: SerializedError }>;
  /** Largest cached (+ new, for rows in a call) length of any live row: KV capacity needed. */
  maxLen: number;
  /** Rows [0, liveRows) may hold KV data this step (live rows and the sources of `moves`); the rest are free. */
  liveRows: number;
}

export class Scheduler {
  private readonly waiting: SchedRequest[] = [];
  private readonly passCount = new Map<string, number>();
  private readonly rows: Array<Seq | null>;
  private nDec = 0;
  private pStart = 0;
  private readonly prefilling: Seq[] = [];
  private readonly byId = new Map<string, Seq>();
  private readonly cancels = new Set<string>();
  private moves: Array<{ from: number; to: number; seq: Seq }> = [];

  constructor(private readonly o: SchedulerOptions) {
    this.rows = new Array(o.maxBatchSize).fill(null);
  }

  /** Queues a request; throws RequestError (overloaded, invalid prompt) instead of queueing. */
  add(req: SchedRequest): void {
    const { maxModelLen, vocabSize } = this.o;
    if (this.byId.has(req.id) || this.waiting.some((w) => w.id === req.id))
      throw new RequestError('invalid_request', `request id "${req.id}" is already in use`);
    if (req.promptIds.length === 0)
      throw new RequestError('empty_prompt', 'the prompt has no tokens', { param: 'prompt' });
    if (req.promptIds.length >= maxModelLen)
      throw new RequestError(
        'context_length_exceeded',
        `the prompt has ${req.promptIds.length} tokens; the model's context is ${maxModelLen}`,
        { param: 'prompt' },
      );
    for (const t of req.promptIds)
      if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
        throw new RequestError('invalid_request', `prompt token id ${t} is outside the vocabulary [0, ${vocabSize})`, {
          param: 'prompt',
        });
    if (!Number.isInteger(req.maxTokens) || req.maxTokens < 1)
      throw new RequestError('invalid_request', `max_tokens must be a positive integer, got ${req.maxTokens}`, {
        param: 'max_tokens',
      });
    if (this.waiting.length >= this.o.maxQueue)
      throw new RequestError('overloaded', `the waiting queue is full (${this.o.maxQueue} requests)`);
    this.waiting.push(req);
  }

  cancel(id: string): void {
    if (this.byId.has(id) || this.waiting.some((w) => w.id === id)) this.cancels.add(id);
  }

  hasWork(): boolean {
    return this.byId.size > 0 || this.waiting.length > 0 || this.cancels.size > 0;
  }

  counts(): { running: number; waiting: number } {
    return { running: this.byId.size, waiting: this.waiting.length };
  }

  /**
   * Read-only view for metrics: the distinct adapters of running and of waiting requests (first
   * seen first; the base model is left out) and the KV positions the running rows hold.
   */
  occupancy(): { runningAdapters: string[]; waitingAdapters: string[]; kvPositions: number } {
    const running = new Set<string>();
    let kvPositions = 0;
    for (const seq of this.byId.values()) {
      if (seq.req.adapterId !== null) running.add(seq.req.adapterId);
      kvPositions += seq.cached;
    }
    const waiting = new Set<string>();
    for (const w of this.waiting) if (w.adapterId !== null) waiting.add(w.adapterId);
    return { runningAdapters: [...running], waitingAdapters: [...waiting], kvPositions };
  }

  schedule(): StepPlan {
    const plan: StepPlan = { moves: [], calls: [], cancelled: [], errors: [], maxLen: 0, liveRows: 0 };
    for (const id of this.cancels) {
      const seq = this.byId.get(id);
      if (seq) {
        plan.cancelled.push({ id, promptTokens: seq.req.promptIds.length, completionTokens: seq.generated, seq });
        this.remove([seq]);
      } else {
        const i = this.waiting.findIndex((w) => w.id === id);
        if (i >= 0) {
          plan.cancelled.push({ id, promptTokens: this.waiting[i].promptIds.length, completionTokens: 0 });
          this.waiting.splice(i, 1);
          this.passCount.delete(id);
        }
      }
    }
    this.cancels.clear();
    this.admit(plan);
    if (this.nDec > 0) {
      const seqs = this.rows.slice(0, this.nDec) as Seq[];
      plan.calls.push({
        kind: 'decode',
        rowStart: 0,
        seqs,
        newLen: seqs.map(() => 1),
        T: 1,
        sample: seqs.map(() => true),
      });
    }
    const pre = this.prefillCall();
    if (pre) plan.calls.push(pre);
    for (const s of this.byId.values()) plan.maxLen = Math.max(plan.maxLen, s.cached);
    for (const c of plan.calls)
      c.seqs.forEach((s, b) => {
        plan.maxLen = Math.max(plan.maxLen, s.cached + c.newLen[b]);
      });
    plan.moves = this.moves.map((m) => ({ from: m.from, to: m.to, len: m.seq.cached }));
    for (const s of this.byId.values()) plan.liveRows = Math.max(plan.liveRows, s.row + 1);
    for (const m of plan.moves) plan.liveRows = Math.max(plan.liveRows, m.from + 1);
    this.moves = [];
    return plan;
  }

  /** Applies a step's results: tokens[c][b] is the sampled token of call c row b (or null). */
  commit(plan: StepPlan, tokens: Array<Array<number | null>>): Finished[] {
    const finished: Finished[] = [];
    const promoted: Seq[] = [];
    plan.calls.forEach((call, c) => {
      call.seqs.forEach((seq, b) => {
        seq.cached += call.newLen[b];
        const t = tokens[c]?.[b];
        if (!call.sample[b] || t === null || t === undefined) return;
        seq.tokens.push(t);
        seq.generated++;
        if (call.kind === 'prefill') promoted.push(seq);
        const reason = this.finishReason(seq, t);
        if (reason) finished.push({ seq, reason });
      });
    });
    // Prefilled rows are the first ones of the prefill block; they join the decode block in order.
    for (const seq of promoted) {
      this.prefilling.splice(this.prefilling.indexOf(seq), 1);
      this.pStart++;
    }
    this.remove(finished.map((f) => f.seq).filter((s) => !promoted.includes(s)));
    for (const seq of promoted) {
      const done = finished.some((f) => f.seq === seq);
      if (done) this.release(seq);
      else this.place(seq, this.nDec++);
    }
    if (this.prefilling.length === 0) this.pStart = this.nDec;
    return finished;
  }

  /** Test hook: checks the layout invariants, throws on a violation. */
  checkLayout(): void {
    const live = [...this.byId.values()];
    for (const s of live) if (this.rows[s.row] !== s) throw new Error(`seq ${s.req.id} not at its row ${s.row}`);
    for (let r = 0; r < this.nDec; r++)
      if (!this.rows[r] || this.prefilling.includes(this.rows[r]!)) throw new Error(`row ${r} should decode`);
    this.prefilling.forEach((s, i) => {
      if (s.row !== this.pStart + i) throw new Error(`prefill ${s.req.id} at ${s.row}, want ${this.pStart + i}`);
    });
    if (this.pStart < this.nDec || this.nDec + this.prefilling.length !== live.length)
      throw new Error('bad block bounds');
  }

  private finishReason(seq: Seq, t: number): FinishReason | null {
    if (!seq.req.ignoreEos && seq.req.stopTokenIds.includes(t)) return 'stop';
    if (seq.generated >= seq.req.maxTokens || seq.tokens.length >= this.o.maxModelLen) return 'length';
    return null;
  }

  private admit(plan: StepPlan): void {
    const maxPassBy = this.o.maxPassBy ?? this.o.maxBatchSize;
    const pendingAhead: string[] = [];
    for (let i = 0; i < this.waiting.length;) {
      if (this.nDec + this.prefilling.length >= this.o.maxBatchSize) return;
      const req = this.waiting[i];
      if (pendingAhead.some((id) => (this.passCount.get(id) ?? 0) >= maxPassBy)) return;
      const got: AcquireResult = req.adapterId === null ? { slot: 0 } : this.o.acquire(req.adapterId);
      if ('pending' in got) {
        if ((this.passCount.get(req.id) ?? 0) >= maxPassBy) return; // it waits; nobody passes it any more
        pendingAhead.push(req.id);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.passCount.delete(req.id);
      if ('error' in got) {
        plan.errors.push({ id: req.id, error: got.error });
        continue;
      }
      for (const id of pendingAhead) this.passCount.set(id, (this.passCount.get(id) ?? 0) + 1);
      this.start(req, got.slot);
    }
  }

  private start(req: SchedRequest, slot: number): void {
    let end = this.pStart + this.prefilling.length;
    if (end >= this.o.maxBatchSize) {
      // Slide the prefill block down onto the gap after the decode rows.
      this.prefilling.forEach((s, i) => this.place(s, this.nDec + i));
      this.pStart = this.nDec;
      end = this.pStart + this.prefilling.length;
    }
    const seq: Seq = { req, row: end, slot, tokens: [...req.promptIds], cached: 0, generated: 0 };
    this.rows[end] = seq;
    this.prefilling.push(seq);
    this.byId.set(req.id, seq);
  }

  private prefillCall(): CallPlan | null {
    if (this.prefilling.length === 0) return null;
    const budget = Math.max(this.o.maxBatchTokens - this.nDec, this.o.minChunk ?? 16);
    const seqs: Seq[] = [];
    const newLen: number[] = [];
    let T = 0;
    for (const s of this.prefilling) {
      const chunk = Math.min(s.tokens.length - s.cached, budget);
      const T2 = Math.max(T, chunk);
      if (seqs.length > 0 && (seqs.length + 1) * T2 > budget) break;
      seqs.push(s);
      newLen.push(chunk);
      T = T2;
    }
    const sample = seqs.map((s, b) => s.cached + newLen[b] === s.tokens.length);
    return { kind: 'prefill', rowStart: this.pStart, seqs, newLen, T, sample };
  }

  /** Moves a live seq to a free row (recorded for the KV cache). */
  private place(seq: Seq, to: number): void {
    if (seq.row === to) return;
    if (this.rows[to] !== null) throw new Error(`row ${to} is not free`);
    this.moves.push({ from: seq.row, to, seq });
    this.rows[seq.row] = null;
    this.rows[to] = seq;
    seq.row = to;
  }

  private release(seq: Seq): void {
    if (this.rows[seq.row] === seq) this.rows[seq.row] = null;
    this.byId.delete(seq.req.id);
    if (seq.req.adapterId !== null) this.o.release(seq.req.adapterId, seq.slot);
  }

  /** Removes finished/cancelled seqs and compacts both blocks. */
  private remove(gone: Seq[]): void {
    if (gone.length === 0) return;
    const goneSet = new Set(gone);
    for (const s of gone) this.release(s);
    // Decode block: keep survivors below the new end in place, move the others into the holes.
    const survivors = (this.rows.slice(0, this.nDec) as Array<Seq | null>).filter(
      (s): s is Seq => s !== null && !goneSet.has(s),
    );
    const newN = survivors.length;
    const holes: number[] = [];
    for (let r = 0; r < newN; r++) if (this.rows[r] === null) holes.push(r);
    for (const s of survivors) if (s.row >= newN) this.place(s, holes.shift()!);
    this.nDec = newN;
    // Prefill block: drop the gone ones and slide the rest down to stay contiguous.
    const kept = this.prefilling.filter((s) => !goneSet.has(s));
    if (kept.length !== this.prefilling.length) {
      this.prefilling.length = 0;
      this.prefilling.push(...kept);
      if (kept.length > 0) this.pStart = Math.min(this.pStart, kept[0].row);
      kept.forEach((s, i) => this.place(s, this.pStart + i));
    }
    if (this.prefilling.length === 0) this.pStart = this.nDec;
  }
}
