// Token sampling from one row of logits: greedy, temperature, top-k, top-p, and OpenAI-style
// logprobs. Seeded per request (same seed, same tokens).
//
// Glossary: V vocabulary size; logits [V] one row of the graph's `logits` output (raw, float32).
//
// sample(logits):
//   temperature == 0            -> argmax (ties: lowest id)
//   else p = softmax(logits / temperature) restricted to:
//     top_k > 0                 -> the k largest logits
//     top_p < 1                 -> the smallest prefix (by descending p) whose mass >= top_p
//   then one draw u ~ U[0,1) from the request's PRNG picks the token by inverse CDF.
// Candidate sets come from partial selection (a min-heap of the best m ids, m doubling until the
// top-p mass is reached), never a full sort of V.
// logprobs are log_softmax of the RAW logits (no temperature), as OpenAI reports them.
import { Prng } from './prng.ts';
import type { SamplingParams, TokenLogprob } from './types.ts';

/** Ids of the `m` largest entries of `x`, in descending order of value (ties: lower id first). */
export function topIndices(x: Float32Array, m: number): Int32Array {
  const n = Math.min(m, x.length);
  const heap = new Int32Array(n); // min-heap by value over ids
  let size = 0;
  const less = (a: number, b: number): boolean => x[a] < x[b] || (x[a] === x[b] && a > b);
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let s = i;
      if (l < size && less(heap[l], heap[s])) s = l;
      if (r < size && less(heap[r], heap[s])) s = r;
      if (s === i) return;
      const t = heap[i]; heap[i] = heap[s]; heap[s] = t;
      i = s;
    }
  };
  for (let id = 0; id < x.length; id++) {
    if (size < n) {
      let i = size++;
      heap[i] = id;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!less(heap[i], heap[p])) break;
        const t = heap[i]; heap[i] = heap[p]; heap[p] = t;
        i = p;
      }
    } else if (n > 0 && less(heap[0], id)) {
      heap[0] = id;
      siftDown(0);
    }
  }
  const out = new Int32Array(n);
  for (let k = n - 1; k >= 0; k--) {
    out[k] = heap[0];
    heap[0] = heap[--size];
    siftDown(0);
  }
  return out;
}

export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** log(sum(exp(x))) computed stably. */
export function logSumExp(x: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

export interface SampleResult {
  tokenId: number;
  logprob?: number;
  topLogprobs?: TokenLogprob[];
}

export class Sampler {
  private readonly rng: Prng;

  constructor(readonly params: SamplingParams, readonly logprobs?: number) {
    const seed = params.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.rng = new Prng(seed);
  }

  sample(logits: Float32Array): SampleResult {
    const tokenId = this.pick(logits);
    if (this.logprobs === undefined) return { tokenId };
    const lse = logSumExp(logits);
    const res: SampleResult = { tokenId, logprob: logits[tokenId] - lse };
    if (this.logprobs > 0) {
      res.topLogprobs = Array.from(topIndices(logits, this.logprobs), (id) => ({ tokenId: id, logprob: logits[id] - lse }));
    }
    return res;
  }

  private pick(logits: Float32Array): number {
    const { temperature, topK, topP } = this.params;
    if (temperature <= 0) return argmax(logits);
    const V = logits.length;
    const k = topK > 0 ? Math.min(topK, V) : V;
    if (k === V && topP >= 1) return this.drawFull(logits, temperature);
    // Candidates: best m ids, m doubling until top-k is covered or top-p mass is reached.
    const inv = 1 / temperature;
    const max = logits[argmax(logits)];
    let total = 0; // softmax denominator over the allowed set (all V when top-k is off)
    if (k === V) for (let i = 0; i < V; i++) total += Math.exp((logits[i] - max) * inv);
    for (let m = Math.min(k, 64); ; m = Math.min(2 * m, k)) {
      const ids = topIndices(logits, m);
      const w = new Float64Array(m);
      let sum = 0;
      for (let j = 0; j < m; j++) sum += w[j] = Math.exp((logits[ids[j]] - max) * inv);
      const denom = k === V ? total : null;
      if (denom === null && m < k) continue; // top-k needs its full set to normalise
      const z = denom ?? sum;
      let cut = m;
      if (topP < 1) {
        let acc = 0;
        cut = -1;
        for (let j = 0; j < m; j++) {
          acc += w[j] / z;
          if (acc >= topP) { cut = j + 1; break; }
        }
        if (cut < 0) {
          if (m < k) continue; // mass not reached yet: widen
          cut = m;
        }
      }
      let mass = 0;
      for (let j = 0; j < cut; j++) mass += w[j];
      let u = this.rng.next() * mass;
      for (let j = 0; j < cut; j++) {
        u -= w[j];
        if (u < 0) return ids[j];
      }
      return ids[cut - 1];
    }
  }

  private drawFull(logits: Float32Array, temperature: number): number {
    const inv = 1 / temperature;
    const max = logits[argmax(logits)];
    let total = 0;
    for (let i = 0; i < logits.length; i++) total += Math.exp((logits[i] - max) * inv);
    let u = this.rng.next() * total;
    for (let i = 0; i < logits.length; i++) {
      u -= Math.exp((logits[i] - max) * inv);
      if (u < 0) return i;
    }
    return argmax(logits);
  }
}
