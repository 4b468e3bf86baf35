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
// Each step runs one call over items whose parent is done (nodes first, longest first), at most
// maxBatchSize rows, maxBatchTokens padded new tokens and MAX_PAST_BYTES of past; each call pins
// its adapters for its duration. A node's KV is dropped once its last descendant has run.
import { AdapterError, RequestError, deserializeError } from '../../common/index.ts';
import type { CallFeeds, CallRow } from './callFeeds.ts';
import type { AdapterPins, ForwardFn } from './engineCore.ts';
import { loraFeeds, planLora } from './loraPlan.ts';
import type { LoraSlots } from './loraSlots.ts';
import { logSumExp } from './sampler.ts';
import type { EngineOptions, ScoreResult, ScoreVariant } from './engineContract.ts';
import type { ModelSpec } from '../model/modelSpec.ts';
import { fedTokens, planScoreTree, type ScoreItem } from './scorePlan.ts';

/** Largest past (keys + values, every layer) one scoring call feeds, bytes. */
export const MAX_PAST_BYTES = 256 * 1024 * 1024;

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

  constructor(private readonly d: ScoreQueueDeps) {}

  add(variants: ScoreVariant[]): Promise<ScoreResult[]> {
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
    const items = planScoreTree(variants, { minSavedTokens: this.d.minSavedTokens });
    return new Promise((resolve, reject) => {
      const job: Job = {
        variants,
        seqs: variants.map(fedTokens),
        items,
        ready: items.flatMap((it, i) => (it.parent < 0 ? [i] : [])),
        kv: items.map(() => null),
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
    for (const k of cand) {
      if (picked.length === maxBatchSize) break;
      const it = job.items[k]!;
      const t = Math.max(T, it.len);
      const c = Math.max(C, it.start);
      const rows = picked.length + 1;
      if (picked.length > 0 && (rows * t > maxBatchTokens || rows * c * pastBytesPerPosition > MAX_PAST_BYTES)) break;
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
      await this.run(job, picked, T, P, C, slotOf);
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
    const V = spec.vocabSize;
    picked.forEach((k, b) => {
      const it = job.items[k]!;
      if (it.variant < 0) {
        // A node: keep its new keys/values [Hkv, len, Dh] per layer for its children's past.
        const take = (src: Float32Array): Float32Array => {
          const dst = new Float32Array(Hkv * it.len * Dh);
          for (let h = 0; h < Hkv; h++)
            dst.set(src.subarray((b * Hkv + h) * T * Dh, ((b * Hkv + h) * T + it.len) * Dh), h * it.len * Dh);
          return dst;
        };
        job.kv[k] = { key: out.newKey.map(take), value: out.newValue.map(take) };
        return;
      }
      const v = job.variants[it.variant]!;
      const r = job.results[it.variant]!;
      for (let j = 0; j < v.targetIds.length; j++) {
        const row = out.logits.subarray((b * P + j) * V, (b * P + j + 1) * V);
        const lp = row[v.targetIds[j]!]! - logSumExp(row);
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
