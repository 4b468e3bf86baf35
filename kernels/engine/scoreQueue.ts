// Teacher-forced scoring (attribution): log p(target | prompt) for many variants, batched.
//
// Glossary: B variants in a call, T tokens per row (padded), P target positions per row (padded),
// V vocab, Lp/Lt a variant's prompt/target lengths.
//
// A variant's row feeds prompt + target[0 .. Lt-2] (Lp + Lt - 1 tokens) from position 0 with an
// empty past, and asks for the logits at t = Lp-1 .. Lp+Lt-2, which predict target[0 .. Lt-1]:
//   tokenLogprobs[j] = logits[t_j][target[j]] - logsumexp(logits[t_j])
// Variants are sorted by adapter and cut into calls of at most maxBatchTokens padded tokens
// (one variant at least) and maxBatchSize rows; each call pins its adapters for its duration.
import { AdapterError, RequestError, deserializeError } from '../../common/index.ts';
import type { CallFeeds, CallRow } from './callFeeds.ts';
import type { AdapterPins, ForwardFn } from './engineCore.ts';
import { loraFeeds, planLora } from './loraPlan.ts';
import type { LoraSlots } from './loraSlots.ts';
import { logSumExp } from './sampler.ts';
import type { EngineOptions, ScoreResult, ScoreVariant } from './engineContract.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

interface Job {
  variants: ScoreVariant[];
  order: number[]; // variant indices sorted by adapter
  next: number;
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
}

export class ScoreQueue {
  private readonly jobs: Job[] = [];
  private zeroPast = new Float32Array(0); // [B, Hkv, 1, Dh]

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
    const order = variants
      .map((_, i) => i)
      .sort((a, b) => (variants[a].adapterId ?? '').localeCompare(variants[b].adapterId ?? '') || a - b);
    return new Promise((resolve, reject) => {
      const results = variants.map(() => ({ tokenLogprobs: [] as number[], total: 0 }));
      this.jobs.push({ variants, order, next: 0, results, resolve, reject });
      this.settleEmpty();
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
    const { maxBatchTokens, maxBatchSize } = this.d.options;
    let T = 0;
    let P = 1;
    for (let k = job.next; k < job.order.length && picked.length < maxBatchSize; k++) {
      const v = job.variants[job.order[k]];
      const len = v.promptIds.length + Math.max(0, v.targetIds.length - 1);
      if (picked.length > 0 && (picked.length + 1) * Math.max(T, len) > maxBatchTokens) break;
      if (!slotOf.has(v.adapterId)) {
        const got = this.d.adapters.tryAcquire(v.adapterId!);
        if ('pending' in got) break;
        if ('error' in got) {
          this.releaseAll(slotOf);
          this.jobs.shift();
          job.reject(new AdapterError(got.error.code, got.error.message, { details: got.error.details }));
          return true;
        }
        slotOf.set(v.adapterId, got.slot);
      }
      picked.push(job.order[k]);
      T = Math.max(T, len);
      P = Math.max(P, v.targetIds.length);
    }
    if (picked.length === 0) return false;
    try {
      await this.run(job, picked, T, P, slotOf);
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
    job.next += picked.length;
    if (job.next === job.order.length) {
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
    slotOf: Map<string | null, number>,
  ): Promise<void> {
    const { spec } = this.d;
    const B = picked.length;
    const rows: CallRow[] = picked.map((i) => {
      const v = job.variants[i];
      const tokens = [...v.promptIds, ...v.targetIds.slice(0, -1)];
      return {
        tokens,
        start: 0,
        newLen: tokens.length,
        pastLen: 0,
        logitsAt: v.targetIds.map((_, j) => v.promptIds.length - 1 + j),
      };
    });
    const n = B * spec.numKvHeads * spec.headDim;
    if (this.zeroPast.length < n) this.zeroPast = new Float32Array(n);
    const past = this.zeroPast.subarray(0, n);
    const feeds = this.d.feeds.build(rows, T, P, { C: 1, key: () => past, value: () => past });
    const slots = picked.map((i) => slotOf.get(job.variants[i].adapterId)!);
    loraFeeds(
      planLora(this.d.options.loraKernel, { slots, newLen: rows.map((r) => r.newLen), T }),
      this.d.slots,
      feeds,
    );
    const out = await this.d.forward(feeds);
    const V = spec.vocabSize;
    picked.forEach((i, b) => {
      const v = job.variants[i];
      const r = job.results[i];
      for (let j = 0; j < v.targetIds.length; j++) {
        const row = out.logits.subarray((b * P + j) * V, (b * P + j + 1) * V);
        const lp = row[v.targetIds[j]] - logSumExp(row);
        r.tokenLogprobs.push(lp);
        r.total += lp;
      }
    });
  }

  private releaseAll(slotOf: Map<string | null, number>): void {
    for (const [id, slot] of slotOf) if (id !== null) this.d.adapters.release(id, slot);
    slotOf.clear();
  }

  private settleEmpty(): void {
    const j = this.jobs[this.jobs.length - 1];
    if (j && j.variants.length === 0) {
      this.jobs.pop();
      j.resolve([]);
    }
  }
}
