// Teacher-forced scoring (attribution): log p(target | prompt) for many variants, batched.
//
// Glossary: B rows in a call, T tokens per row (padded), P target positions per row (padded),
// C past positions (padded), V vocab, L layers, Hkv kv heads, Dh head size, Lp/Lt a variant's
// prompt/target lengths.
//
// A job's variants are planned as a prefix tree (scorePlan.ts): shared prompt prefixes are computed
// once as nodes, whose new keys/values are kept; each leaf feeds the rest of its variant
// (prompt ++ target[0 .. Lt-2]) with the concatenated KV of its ancestors as past, and reads
//   tokenLogprobs[j] = logits[t_j][target[j]] - logsumexp(logits[t_j])    (t_j predicts target[j])
// A job may name a finished generation's retained keys/values (retainedKv.ts) as the tree's root:
// the variants that start with its tokens feed only the rest.
// Each step runs one call over items whose parent is done (nodes first, longest first), at most
// maxBatchSize rows, maxBatchTokens padded new tokens and MAX_PAST_BYTES of past; an item joins the
// call only when that costs no more than a call of its own (callWork: every row is padded to the
// call's T new tokens and C past positions; a call's fixed overhead is fitted from the calls so far,
// CallCostFit), so short leaves do not ride along a long prompt's padding. Each call pins its
// adapters for its duration. A node's KV is dropped once its last descendant has run.
import { AdapterError, RequestError, deserializeError } from '../../common/index.ts';
import type { CallFeeds, CallRow } from './callFeeds.ts';
import type { AdapterPins, ForwardFn } from './engineCore.ts';
import { loraFeeds, planLora } from './loraPlan.ts';
import type { LoraSlots } from './loraSlots.ts';
import { logSumExp } from './sampler.ts';
import type { EngineOptions, ScoreResult, ScoreStats, ScoreVariant } from './engineContract.ts';
import type { ModelSpec } from '../model/modelSpec.ts';
import { fedTokens, planScoreTree, type ScoreItem } from './scorePlan.ts';
import type { RetainedEntry } from './retainedKv.ts';
import { rowPositions } from './kvCache.ts';

/** Largest past (keys + values, every layer) one scoring call feeds, bytes. */
export const MAX_PAST_BYTES = 256 * 1024 * 1024;

/**
 * The work of a scoring call of B rows padded to T new tokens and C past positions, in fed-token
 * units: each padded token pays the layer matmuls plus attention over C + T positions, which costs
 * 1/attentionWidth of the matmuls per position. A call costs `overhead` units more (CallCostFit).
 */
export function callWork(B: number, T: number, C: number, attentionWidth: number): number {
  return B * T * (1 + (C + T) / attentionWidth);
}

/**
 * A call's fixed cost (dispatch, feeds, per-op overheads) in work units, from the calls so far:
 * the least-squares line ms = a + b * work over recent calls (weights decay by 0.95 a call), and
 * overhead = a / b. Until it has seen calls of different sizes it says DEFAULT_OVERHEAD.
 */
export class CallCostFit {
  static readonly DEFAULT_OVERHEAD = 32;
  private n = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;

  observe(work: number, ms: number): void {
    const d = 0.95;
    this.n = this.n * d + 1;
    this.sx = this.sx * d + work;
    this.sy = this.sy * d + ms;
    this.sxx = this.sxx * d + work * work;
    this.sxy = this.sxy * d + work * ms;
  }

  overhead(): number {
    const det = this.n * this.sxx - this.sx * this.sx;
    if (this.n < 3 || !(det > 1e-9 * this.sxx * this.n)) return CallCostFit.DEFAULT_OVERHEAD;
    const b = (this.n * this.sxy - this.sx * this.sy) / det;
    const a = (this.sy - b * this.sx) / this.n;
    if (!(b > 0)) return CallCostFit.DEFAULT_OVERHEAD;
    return Math.min(1024, Math.max(0, a / b));
  }
}

/** Positions of attention that cost as much as one token's layer matmuls (per layer: matmul MACs / (2 H Dh)). */
export function attentionWidth(spec: ModelSpec): number {
  const { hiddenSize: D, numHeads: H, numKvHeads: Hkv, headDim: Dh, intermediateSize: I } = spec;
  return (2 * D * H * Dh + 2 * D * Hkv * Dh + 3 * D * I) / (2 * H * Dh);
}

interface Job {
  variants: ScoreVariant[];
  seqs: number[][]; // [variant] fed tokens: prompt ++ target[0 .. Lt-2]
  items: ScoreItem[];
  /** Items whose parent is done and that have not run, in plan order. */
  ready: number[];
  /** Per item: its new keys and values once it ran (nodes only, until their last child ran). */
  kv: Array<{ key: Float32Array[]; value: Float32Array[] } | null>; // [L] of [Hkv, len, Dh]
  pending: number[]; // [item] descendants not yet run (a node's KV is part of all their pasts)
  leavesLeft: number;
  results: ScoreResult[];
  resolve(r: ScoreResult[]): void;
  reject(e: Error): void;
}

export interface ScoreQueueDeps {
  spec: ModelSpec;
  options: EngineOptions;
  forward: ForwardFn;
  slots: LoraSlots;
  adapters: AdapterPins;
  feeds: CallFeeds;
  /** scorePlan's minSavedTokens (Infinity: no prefix sharing, every variant from position 0). */
  minSavedTokens?: number;
}

export class ScoreQueue {
  private readonly jobs: Job[] = [];
  private readonly pastKey: Float32Array[] = []; // [L] of [B, Hkv, C, Dh], grown and reused
  private readonly pastValue: Float32Array[] = [];
  private readonly counters: ScoreStats = { fedTokens: 0, reusedTokens: 0, reuseMisses: 0, calls: 0 };
  private readonly width: number;
  private readonly fit = new CallCostFit();

  constructor(private readonly d: ScoreQueueDeps) {
    this.width = attentionWidth(d.spec);
  }

  stats(): ScoreStats {
    return { ...this.counters };
  }

  /**
   * Queues a job. `reuse` names a retained generation for it: `root` is its keys/values (undefined
   * when they were not kept, or are gone: a miss, counted, and every token is fed).
   */
  add(variants: ScoreVariant[], reuse?: { root: RetainedEntry | undefined }): Promise<ScoreResult[]> {
    const { vocabSize: V } = this.d.spec;
    const maxLen = this.d.options.maxModelLen;
    for (const [i, v] of variants.entries()) {
      if (v.promptIds.length === 0)
        return Promise.reject(
          new RequestError('empty_prompt', `score variant ${i} has an empty prompt`, { param: 'prompt' }),
        );
      if (v.promptIds.length + v.targetIds.length > maxLen)
        return Promise.reject(
          new RequestError(
            'context_length_exceeded',
            `score variant ${i} has ${v.promptIds.length + v.targetIds.length} tokens; the model's context is ${maxLen}`,
          ),
        );
      for (const t of [...v.promptIds, ...v.targetIds]) {
        if (!Number.isInteger(t) || t < 0 || t >= V)
          return Promise.reject(
            new RequestError(
              'invalid_request',
              `score variant ${i} has token id ${t} outside the vocabulary [0, ${V})`,
            ),
          );
      }
    }
    const root = reuse?.root;
    if (reuse && !root) this.counters.reuseMisses++;
    const items = planScoreTree(variants, { minSavedTokens: this.d.minSavedTokens, root });
    const top = root ? 0 : -1; // the last item that is done before any call
    const kv: Job['kv'] = items.map(() => null);
    if (root) {
      kv[0] = { key: root.key, value: root.value };
      for (const it of items) if (it.parent === 0) this.counters.reusedTokens += it.start;
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        variants,
        seqs: variants.map(fedTokens),
        items,
        // items whose parent is done: the top items, and with `root` (item 0, never run) its children
        ready: items.flatMap((it, i) => (it.parent <= top && i > top ? [i] : [])),
        kv,
        pending: descendants(items),
        leavesLeft: items.filter((it) => it.variant >= 0).length,
        results: variants.map(() => ({ tokenLogprobs: [] as number[], total: 0 })),
        resolve,
        reject,
      };
      if (job.leavesLeft === 0) resolve(job.results);
      else this.jobs.push(job);
    });
  }

  hasWork(): boolean {
    return this.jobs.length > 0;
  }

  abortAll(err: Error): void {
    for (const j of this.jobs.splice(0)) j.reject(err);
  }

  /** Runs one call of the oldest job; false when it is waiting for an adapter. */
  async step(): Promise<boolean> {
    const job = this.jobs[0];
    if (!job) return false;
    const picked: number[] = [];
    const slotOf = new Map<string | null, number>([[null, 0]]);
    const waiting = new Set<string | null>();
    const { maxBatchTokens, maxBatchSize } = this.d.options;
    const { numLayers: L, numKvHeads: Hkv, headDim: Dh } = this.d.spec;
    const pastBytesPerPosition = 2 * L * Hkv * Dh * 4;
    const cand = job.ready
      .slice()
      .sort(
        (a, b) =>
          Number(job.items[a]!.variant >= 0) - Number(job.items[b]!.variant >= 0) ||
          job.items[b]!.len - job.items[a]!.len ||
          a - b,
      );
    let T = 0;
    let P = 1;
    let C = 1;
    const overhead = this.fit.overhead();
    for (const k of cand) {
      if (picked.length === maxBatchSize) break;
      const it = job.items[k]!;
      const t = Math.max(T, it.len);
      const c = Math.max(C, it.start);
      const rows = picked.length + 1;
      if (picked.length > 0 && (rows * t > maxBatchTokens || rows * c * pastBytesPerPosition > MAX_PAST_BYTES)) break;
      // joined: one call; apart: this one's work now, the item's in a call of its own later
      const joined = callWork(rows, t, c, this.width);
      const apart = callWork(rows - 1, T, C, this.width) + overhead + callWork(1, it.len, it.start, this.width);
      if (picked.length > 0 && joined > apart) continue;
      if (waiting.has(it.adapterId)) continue;
      if (!slotOf.has(it.adapterId)) {
        const got = this.d.adapters.tryAcquire(it.adapterId!);
        if ('pending' in got) {
          waiting.add(it.adapterId); // loading: its items wait, the others run
          continue;
        }
        if ('error' in got) {
          this.releaseAll(slotOf);
          this.jobs.shift();
          job.reject(new AdapterError(got.error.code, got.error.message, { details: got.error.details }));
          return true;
        }
        slotOf.set(it.adapterId, got.slot);
      }
      picked.push(k);
      T = t;
      C = c;
      P = Math.max(P, it.logitsAt.length);
    }
    if (picked.length === 0) return false;
    try {
      const t0 = performance.now();
      await this.run(job, picked, T, P, C, slotOf);
      this.fit.observe(callWork(picked.length, T, C, this.width), performance.now() - t0);
    } catch (err) {
      this.jobs.shift();
      job.reject(
        err instanceof Error && 'code' in err
          ? err
          : deserializeError({
              code: 'engine_failed',
              message: `scoring forward pass failed: ${(err as Error).message}`,
            }),
      );
      return true;
    } finally {
      this.releaseAll(slotOf);
    }
    const ran = new Set(picked);
    job.ready = job.ready.filter((k) => !ran.has(k));
    job.items.forEach((it, i) => {
      if (ran.has(it.parent)) job.ready.push(i);
    });
    for (const k of picked) {
      const it = job.items[k]!;
      if (it.variant >= 0) job.leavesLeft--;
      for (let a = it.parent; a >= 0; a = job.items[a]!.parent) if (--job.pending[a]! === 0) job.kv[a] = null;
    }
    if (job.leavesLeft === 0) {
      this.jobs.shift();
      job.resolve(job.results);
    }
    return true;
  }

  private async run(
    job: Job,
    picked: number[],
    T: number,
    P: number,
    C: number,
    slotOf: Map<string | null, number>,
  ): Promise<void> {
    const { spec } = this.d;
    const { numLayers: L, numKvHeads: Hkv, headDim: Dh } = spec;
    const B = picked.length;
    const rows: CallRow[] = picked.map((k) => {
      const it = job.items[k]!;
      return {
        tokens: job.seqs[it.source]!,
        start: it.start,
        newLen: it.len,
        pastLen: it.start,
        logitsAt: it.logitsAt,
      };
    });
    const n = B * Hkv * C * Dh;
    for (let l = 0; l < L; l++) {
      if ((this.pastKey[l]?.length ?? 0) < n) {
        this.pastKey[l] = new Float32Array(n);
        this.pastValue[l] = new Float32Array(n);
      }
    }
    picked.forEach((k, b) => this.fillPast(job, job.items[k]!.parent, job.items[k]!.start, b, C));
    const feeds = this.d.feeds.build(rows, T, P, {
      C,
      key: (l) => this.pastKey[l]!.subarray(0, n),
      value: (l) => this.pastValue[l]!.subarray(0, n),
    });
    const slots = picked.map((k) => slotOf.get(job.items[k]!.adapterId)!);
    loraFeeds(
      planLora(this.d.options.loraKernel, { slots, newLen: rows.map((r) => r.newLen), T }),
      this.d.slots,
      feeds,
    );
    const out = await this.d.forward(feeds);
    this.counters.calls++;
    for (const r of rows) this.counters.fedTokens += r.newLen;
    const V = spec.vocabSize;
    picked.forEach((k, b) => {
      const it = job.items[k]!;
      if (it.variant < 0) {
        // A node: keep its new keys/values [Hkv, len, Dh] per layer for its children's past.
        const take = (src: Float32Array) => rowPositions(src, b, Hkv, T, it.len, Dh);
        job.kv[k] = { key: out.newKey.map(take), value: out.newValue.map(take) };
        return;
      }
      const v = job.variants[it.variant]!;
      const r = job.results[it.variant]!;
      for (let j = 0; j < v.targetIds.length; j++) {
        const row = out.logits.subarray((b * P + j) * V, (b * P + j + 1) * V);
        const lp = row[v.targetIds[j]!]! - (out.logitsLse ? out.logitsLse[b * P + j]! : logSumExp(row));
        r.tokenLogprobs.push(lp);
        r.total += lp;
      }
    });
  }

  /** Writes the past of an item starting at `start` under `node` (its KV up to there, then its ancestors') into row b ([B, Hkv, C, Dh]). */
  private fillPast(job: Job, node: number, start: number, b: number, C: number): void {
    const { numLayers: L, numKvHeads: Hkv, headDim: Dh } = this.d.spec;
    for (let a = node, end = start; a >= 0; end = job.items[a]!.start, a = job.items[a]!.parent) {
      const it = job.items[a]!;
      const kv = job.kv[a]!;
      const n = (end - it.start) * Dh; // this ancestor's positions [it.start, end)
      for (let l = 0; l < L; l++) {
        for (let h = 0; h < Hkv; h++) {
          const dst = ((b * Hkv + h) * C + it.start) * Dh;
          const src = h * it.len * Dh;
          this.pastKey[l]!.set(kv.key[l]!.subarray(src, src + n), dst);
          this.pastValue[l]!.set(kv.value[l]!.subarray(src, src + n), dst);
        }
      }
    }
  }

  private releaseAll(slotOf: Map<string | null, number>): void {
    for (const [id, slot] of slotOf) if (id !== null) this.d.adapters.release(id, slot);
    slotOf.clear();
  }
}

/** Per item, the number of items below it (plan order lists parents first). */
function descendants(items: readonly ScoreItem[]): number[] {
  const n = items.map(() => 0);
  for (let i = items.length - 1; i >= 0; i--) {
    const p = items[i]!.parent;
    if (p >= 0) n[p]! += 1 + n[i]!;
  }
  return n;
}
