// The engine's step loop body (runs inside the worker; no onnxruntime import: the forward pass is
// a function handed in). Owns the scheduler, the KV cache and the samplers; reads the slot stacks.
//
// Glossary: B rows, T new tokens per row, V vocab, L layers.
//
// step():
//   plan = scheduler.schedule()                 // cancels, admissions, decode + prefill calls
//   apply plan.moves to the KV cache; fit its capacity
//   for each call (decode first, then the prefill chunk, two separate forward calls):
//     feeds = ids/positions/lengths + past views [B, Hkv, C, Dh] of the call's rows + LoRA plan
//     out = forward(feeds); write out.new_key/new_value [B, Hkv, T, Dh] into the cache
//     sample the rows whose last new token's logits are wanted; a constrained row (constraint in
//     its request) samples under its matcher's allowed-token mask, then advances the matcher
//   scheduler.commit(tokens) -> finished rows; emit token / done events; a finished (or cancelled:
//     a stop string) row whose request asked for `retainKv` leaves its keys/values in `retained`
//     for the scoring that attributes it
import { RequestError, serializeError, type SerializedError } from '../../common/index.ts';
import { CallFeeds, type CallRow } from './callFeeds.ts';
import { KvCache } from './kvCache.ts';
import { loraFeeds, planLora, type FeedTensor } from './loraPlan.ts';
import type { LoraSlots } from './loraSlots.ts';
import { Sampler, anyAllowed, type SampleResult } from './sampler.ts';
import type { ConstraintProvider, RowConstraint } from './constrain/constraintEngine.ts';
import { Scheduler, type Seq, type StepPlan } from './scheduler.ts';
import { RetainedKv } from './retainedKv.ts';
import type { EngineNotice, EngineOptions, EngineStats, GenerateEvent, GenerateRequest } from './engineContract.ts';
import type { AcquireResult } from '../../adapters/index.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

export interface ForwardOutputs {
  logits: Float32Array; // [B, P, V]
  /** log Σ exp over each logits row [B, P], when the graph gives it (decoder-v7 on). */
  logitsLse?: Float32Array;
  newKey: Float32Array[]; // [L] of [B, Hkv, T, Dh]
  newValue: Float32Array[]; // [L] of [B, Hkv, T, Dh]
}
export type ForwardFn = (feeds: Record<string, FeedTensor>) => Promise<ForwardOutputs>;

/** What the engine needs from the adapter cache (adapters/adapterCache.ts). */
export interface AdapterPins {
  tryAcquire(id: string): AcquireResult;
  release(id: string, slot: number): void;
  readonly stats: { cached: number; cachedBytes: number; active: number };
}

export interface EngineCoreDeps {
  spec: ModelSpec;
  options: EngineOptions;
  forward: ForwardFn;
  slots: LoraSlots;
  adapters: AdapterPins;
  emit(id: string, e: GenerateEvent): void;
  notice(n: EngineNotice): void;
  /** Compiles constraints into per-row matchers; without it a constrained request is refused. */
  constraints?: ConstraintProvider;
  /** Called when work arrives asynchronously (a constrained request whose grammar has compiled). */
  wake?(): void;
}

export class EngineCore {
  readonly sched: Scheduler;
  readonly kv: KvCache;
  readonly feeds: CallFeeds;
  /** Keys/values of finished `retainKv` requests, until their scoring takes them. */
  readonly retained = new RetainedKv();
  private readonly samplers = new Map<string, Sampler>();
  /** Matchers of the running constrained rows. */
  private readonly matchers = new Map<string, RowConstraint>();
  /** Constrained requests whose grammar is compiling (not yet in the scheduler). */
  private readonly compiling = new Map<string, GenerateRequest>();
  private readonly failed = new Set<string>();
  /** Constrained rows whose matcher refused their token this step: they end with this error. */
  private readonly rejected = new Map<string, SerializedError>();
  private lastBatch = 0;

  constructor(private readonly d: EngineCoreDeps) {
    const { spec, options: o } = d;
    this.sched = new Scheduler({
      maxBatchSize: o.maxBatchSize,
      maxBatchTokens: o.maxBatchTokens,
      maxQueue: o.maxQueue,
      maxModelLen: o.maxModelLen,
      vocabSize: spec.vocabSize,
      acquire: (id) => d.adapters.tryAcquire(id),
      release: (id, slot) => d.adapters.release(id, slot),
    });
    this.kv = new KvCache({
      numLayers: spec.numLayers,
      rows: o.maxBatchSize,
      kvHeads: spec.numKvHeads,
      headDim: spec.headDim,
      maxCapacity: o.maxModelLen,
    });
    this.feeds = new CallFeeds(spec.numLayers, spec.numKvHeads, spec.headDim);
  }

  submit(req: GenerateRequest): void {
    try {
      if (req.logprobs !== undefined && (!Number.isInteger(req.logprobs) || req.logprobs < 0 || req.logprobs > 20)) {
        throw new RequestError('invalid_request', `logprobs must be an integer in 0..20, got ${req.logprobs}`, {
          param: 'logprobs',
        });
      }
      if (req.constraint) return this.submitConstrained(req);
      this.sched.add(req);
      this.samplers.set(req.id, new Sampler(req.sampling, req.logprobs, req.promptIds));
    } catch (err) {
      this.d.emit(req.id, { type: 'error', error: serializeError(err) });
    }
  }

  /** Compiles the grammar (cached) off the step loop, then queues the request like any other. */
  private submitConstrained(req: GenerateRequest): void {
    const provider = this.d.constraints;
    if (!provider) throw new RequestError('invalid_request', 'this engine was started without constrained decoding');
    if (req.stopTokenIds.length === 0)
      throw new RequestError('invalid_request', 'constrained decoding needs a model with an end-of-sequence token');
    this.compiling.set(req.id, req);
    provider.open(req.constraint!, req.stopTokenIds).then(
      (matcher) => {
        if (this.compiling.get(req.id) !== req) return matcher.dispose(); // cancelled meanwhile
        this.compiling.delete(req.id);
        try {
          // The grammar decides when the output is complete: a stop id is allowed only then, and ends the row.
          this.sched.add({ ...req, ignoreEos: false });
          this.samplers.set(req.id, new Sampler(req.sampling, req.logprobs, req.promptIds));
          this.matchers.set(req.id, matcher);
        } catch (err) {
          matcher.dispose();
          this.d.emit(req.id, { type: 'error', error: serializeError(err) });
        }
        this.d.wake?.();
      },
      (err: unknown) => {
        if (this.compiling.get(req.id) !== req) return;
        this.compiling.delete(req.id);
        this.d.emit(req.id, { type: 'error', error: serializeError(err) });
        this.d.wake?.();
      },
    );
  }

  cancel(id: string): void {
    const req = this.compiling.get(id);
    if (req) {
      this.compiling.delete(id);
      this.d.emit(id, {
        type: 'done',
        finishReason: 'cancelled',
        promptTokens: req.promptIds.length,
        completionTokens: 0,
      });
      return;
    }
    this.sched.cancel(id);
  }

  /** Drops a finished request's sampler and matcher. */
  private forget(id: string): void {
    this.samplers.delete(id);
    this.matchers.get(id)?.dispose();
    this.matchers.delete(id);
  }

  hasWork(): boolean {
    return this.sched.hasWork();
  }

  /** Ends every request with `error` (shutdown, fatal failure). */
  abortAll(error: SerializedError): void {
    for (const id of this.samplers.keys()) this.sched.cancel(id);
    this.sched.schedule(); // cancels run before admission: nothing is left waiting or running
    for (const id of [...this.samplers.keys(), ...this.compiling.keys()]) this.d.emit(id, { type: 'error', error });
    for (const id of [...this.samplers.keys()]) this.forget(id);
    this.compiling.clear();
  }

  stats(): EngineStats {
    const { running, waiting } = this.sched.counts();
    const a = this.d.adapters.stats;
    const occ = this.sched.occupancy();
    return {
      running,
      waiting,
      batchSize: this.lastBatch,
      kvCapacity: this.kv.capacity,
      adapters: { cached: a.cached, cachedBytes: a.cachedBytes, active: a.active },
      lora: { running: occ.runningAdapters, waiting: occ.waitingAdapters },
      kv: { usedPositions: occ.kvPositions, maxPositions: this.kv.rows * this.kv.maxCapacity },
      ...(this.d.constraints ? { constraintMask: this.d.constraints.maskTimes.stats() } : {}),
    };
  }

  /** One scheduler iteration; returns whether a forward call ran. */
  async step(): Promise<boolean> {
    const plan = this.sched.schedule();
    for (const c of plan.cancelled) {
      // A stream ended by a stop string is cancelled: its keys/values are kept as a finished row's are.
      if (c.seq?.req.retainKv && !this.failed.has(c.id)) this.retain(c.seq);
      if (!this.failed.delete(c.id))
        this.d.emit(c.id, {
          type: 'done',
          finishReason: 'cancelled',
          promptTokens: c.promptTokens,
          completionTokens: c.completionTokens,
        });
      this.forget(c.id);
    }
    for (const e of plan.errors) {
      this.d.emit(e.id, { type: 'error', error: e.error });
      this.forget(e.id);
    }
    this.kv.fit(Math.max(plan.maxLen, 1), plan.maxLen, plan.liveRows);
    for (const m of plan.moves) this.kv.copyRow(m.from, m.to, m.len);
    if (plan.calls.length === 0) return false;
    const t0 = performance.now();
    const results: Array<Array<SampleResult | null>> = [];
    try {
      for (const call of plan.calls) results.push(await this.runCall(call));
    } catch (err) {
      const error: SerializedError = {
        code: 'engine_failed',
        message: `forward pass failed: ${err instanceof Error ? err.message : String(err)}`,
      };
      for (const call of plan.calls) {
        for (const s of call.seqs) {
          this.d.emit(s.req.id, { type: 'error', error });
          this.forget(s.req.id);
          this.failed.add(s.req.id);
          this.sched.cancel(s.req.id);
        }
      }
      return true;
    }
    this.finishStep(plan, results, t0);
    return true;
  }

  private finishStep(plan: StepPlan, results: Array<Array<SampleResult | null>>, t0: number): void {
    const finished = this.sched.commit(
      plan,
      results.map((r) => r.map((s) => (s ? s.tokenId : null))),
    );
    const reasonOf = new Map<Seq, string>(finished.map((f) => [f.seq, f.reason]));
    let prefillTokens = 0;
    let decodeTokens = 0;
    plan.calls.forEach((call, c) => {
      call.seqs.forEach((seq, b) => {
        if (call.kind === 'prefill') prefillTokens += call.newLen[b];
        else decodeTokens++;
        const r = results[c][b];
        if (!r || reasonOf.get(seq) === 'stop') return;
        this.d.emit(seq.req.id, {
          type: 'token',
          tokenId: r.tokenId,
          ...(r.logprob !== undefined ? { logprob: r.logprob } : {}),
          ...(r.topLogprobs ? { topLogprobs: r.topLogprobs } : {}),
        });
      });
    });
    for (const f of finished) {
      const error = this.rejected.get(f.seq.req.id);
      this.rejected.delete(f.seq.req.id);
      if (f.seq.req.retainKv && !error) this.retain(f.seq);
      this.d.emit(
        f.seq.req.id,
        error
          ? { type: 'error', error }
          : {
              type: 'done',
              finishReason: f.reason,
              promptTokens: f.seq.req.promptIds.length,
              completionTokens: f.seq.generated,
            },
      );
      this.forget(f.seq.req.id);
    }
    this.lastBatch = plan.calls.reduce((n, c) => n + c.seqs.length, 0);
    this.d.notice({
      type: 'step',
      rows: this.lastBatch,
      prefillTokens,
      decodeTokens,
      seconds: (performance.now() - t0) / 1000,
    });
  }

  /** Keeps a row's keys/values for the scoring that attributes it (its data is intact until the next step's moves or forward call). */
  private retain(seq: Seq): void {
    this.retained.put(seq.req.id, {
      adapterId: seq.req.adapterId,
      tokens: seq.tokens.slice(0, seq.cached),
      ...this.kv.copyOut(seq.row, seq.cached),
    });
  }

  private async runCall(call: StepPlan['calls'][number]): Promise<Array<SampleResult | null>> {
    const { spec } = this.d;
    const B = call.seqs.length;
    const rows: CallRow[] = call.seqs.map((s, b) => ({
      tokens: s.tokens,
      start: s.cached,
      newLen: call.newLen[b],
      pastLen: s.cached,
      logitsAt: [call.newLen[b] - 1],
    }));
    const kv = this.kv;
    const feeds = this.feeds.build(rows, call.T, 1, {
      C: kv.capacity,
      key: (l) => kv.view(l, call.rowStart, B).key,
      value: (l) => kv.view(l, call.rowStart, B).value,
    });
    loraFeeds(
      planLora(this.d.options.loraKernel, { slots: call.seqs.map((s) => s.slot), newLen: call.newLen, T: call.T }),
      this.d.slots,
      feeds,
    );
    const out = await this.d.forward(feeds);
    for (let l = 0; l < spec.numLayers; l++) {
      for (let b = 0; b < B; b++)
        kv.write(l, call.rowStart + b, call.seqs[b].cached, call.newLen[b], out.newKey[l], out.newValue[l], b, call.T);
    }
    const V = spec.vocabSize;
    const results: Array<SampleResult | null> = [];
    for (let b = 0; b < B; b++) {
      const s = call.seqs[b];
      if (!call.sample[b]) {
        results.push(null);
        continue;
      }
      const logits = out.logits.subarray(b * V, (b + 1) * V);
      const matcher = this.matchers.get(s.req.id);
      results.push(
        matcher ? await this.sampleConstrained(s, matcher, logits) : this.samplers.get(s.req.id)!.sample(logits),
      );
    }
    return results;
  }

  /** Samples under the row's grammar mask and advances its matcher. */
  private async sampleConstrained(s: Seq, matcher: RowConstraint, logits: Float32Array): Promise<SampleResult> {
    const mask = await matcher.mask();
    // Nothing allowed (the grammar is complete and cannot continue, without a stop id): end the row.
    if (!anyAllowed(mask, logits.length)) return { tokenId: s.req.stopTokenIds[0]! };
    const r = this.samplers.get(s.req.id)!.sample(logits, mask);
    if (matcher.accept(r.tokenId)) return r;
    // Only this row fails (a stop id ends it; finishStep reports the error instead of done).
    this.rejected.set(s.req.id, {
      code: 'engine_failed',
      message: `the grammar matcher rejected token ${r.tokenId} that its mask allowed`,
    });
    return { tokenId: s.req.stopTokenIds[0]! };
  }
}
