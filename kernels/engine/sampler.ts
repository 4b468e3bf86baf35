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
// Candidate sets come from partial selection, never a full sort of V: a min-heap of the k best
// ids for top-k, a weighted quickselect (expected O(V)) for the top-p nucleus.
// logprobs are log_softmax of the RAW logits (no temperature), as OpenAI reports them.
// Before picking, `adjusted` applies the request's repetition / presence / frequency penalties,
// logit_bias and min_p (see there).
// Constrained rows pass an allowed-token bitmask [ceil(V/32)]: disallowed logits become -inf FIRST
// (before penalties, temperature and top-p), and logprobs are those of the masked distribution.
import { Prng } from '../../common/index.ts';
import type { SamplingParams, TokenLogprob } from './engineContract.ts';

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
      const t = heap[i];
      heap[i] = heap[s];
      heap[s] = t;
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
        const t = heap[i];
        heap[i] = heap[p];
        heap[p] = t;
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

/** Whether bit `id` of the [ceil(V/32)] bitmask is set. */
export function allowed(mask: Int32Array, id: number): boolean {
  return ((mask[id >> 5]! >>> (id & 31)) & 1) === 1;
}

/** Whether any of ids 0..V-1 is allowed. */
export function anyAllowed(mask: Int32Array, V: number): boolean {
  for (let w = 0; w < mask.length; w++) {
    const rest = V - 32 * w;
    if (rest <= 0) return false;
    const bits = rest >= 32 ? mask[w]! : mask[w]! & ((1 << rest) - 1);
    if (bits !== 0) return true;
  }
  return false;
}

/** A copy of `logits` with -inf where the bitmask disallows the token. */
export function applyMask(logits: Float32Array, mask: Int32Array): Float32Array {
  const out = Float32Array.from(logits);
  for (let w = 0; w < mask.length; w++) {
    const bits = mask[w]!;
    if (bits === -1) continue; // all 32 allowed
    const base = w << 5;
    const end = Math.min(base + 32, out.length);
    for (let i = base; i < end; i++) if (((bits >>> (i - base)) & 1) === 0) out[i] = -Infinity;
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
  /** Generated token id -> times generated (for the presence / frequency penalties). */
  private readonly counts = new Map<number, number>();
  /** Ids of the prompt (for the repetition penalty). */
  private readonly promptIds: ReadonlySet<number>;
  private readonly adjusts: boolean;

  constructor(
    readonly params: SamplingParams,
    readonly logprobs?: number,
    promptIds: readonly number[] = [],
  ) {
    const seed = params.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.rng = new Prng(seed);
    const rp = params.repetitionPenalty ?? 1;
    this.promptIds = new Set(rp !== 1 ? promptIds : []);
    this.adjusts =
      Object.keys(params.logitBias ?? {}).length > 0 ||
      (params.presencePenalty ?? 0) !== 0 ||
      (params.frequencyPenalty ?? 0) !== 0 ||
      rp !== 1 ||
      ((params.minP ?? 0) > 0 && params.temperature > 0);
  }

  /**
   * The logits sampling picks from (logprobs stay those of the raw logits, as vLLM reports them by
   * default), in vLLM's order: repetition, presence and frequency penalties, logit bias, then
   * min_p (on probabilities at the request's temperature). A copy; `logits` is not changed.
   */
  adjusted(logits: Float32Array): Float32Array {
    if (!this.adjusts) return logits;
    const p = this.params;
    const out = Float32Array.from(logits);
    const rp = p.repetitionPenalty ?? 1;
    if (rp !== 1) {
      const seen = new Set([...this.promptIds, ...this.counts.keys()]);
      for (const id of seen) if (id < out.length) out[id] = out[id]! > 0 ? out[id]! / rp : out[id]! * rp;
    }
    const presence = p.presencePenalty ?? 0;
    const frequency = p.frequencyPenalty ?? 0;
    for (const [id, n] of this.counts) out[id] -= n * frequency + (n > 0 ? presence : 0);
    for (const [id, bias] of Object.entries(p.logitBias ?? {})) {
      const i = Number(id);
      if (i < out.length) out[i] += bias;
    }
    const minP = p.minP ?? 0;
    if (minP > 0 && p.temperature > 0) {
      const floor = out[argmax(out)]! + p.temperature * Math.log(minP); // p_i >= minP · p_max
      for (let i = 0; i < out.length; i++) if (out[i]! < floor) out[i] = -Infinity;
    }
    return out;
  }

  /** `mask`: bit i of word i >> 5 set = token i allowed (at least one must be). */
  sample(raw: Float32Array, mask?: Int32Array): SampleResult {
    const logits = mask ? applyMask(raw, mask) : raw;
    let tokenId = this.pick(this.adjusted(logits));
    if (mask && !allowed(mask, tokenId)) tokenId = argmax(logits); // a draw's rounding fell off the end
    this.counts.set(tokenId, (this.counts.get(tokenId) ?? 0) + 1);
    if (this.logprobs === undefined) return { tokenId };
    const lse = logSumExp(logits);
    const res: SampleResult = { tokenId, logprob: logits[tokenId] - lse };
    if (this.logprobs > 0) {
      res.topLogprobs = Array.from(topIndices(logits, this.logprobs), (id) => ({
        tokenId: id,
        logprob: logits[id] - lse,
      })).filter((t) => t.logprob > -Infinity);
    }
    return res;
  }

  private pick(logits: Float32Array): number {
    const { temperature, topK, topP } = this.params;
    if (temperature <= 0 || topP <= 0 || topK === 1) return argmax(logits);
    const V = logits.length;
    const inv = 1 / temperature;
    const max = logits[argmax(logits)];
    if (topK > 0 && topK < V) {
      // top-k: the k best ids, sorted; then the top-p prefix of them.
      const ids = topIndices(logits, topK);
      const w = new Float64Array(ids.length);
      let z = 0;
      for (let j = 0; j < ids.length; j++) z += w[j] = Math.exp((logits[ids[j]] - max) * inv);
      let cut = ids.length;
      if (topP < 1) {
        let acc = 0;
        for (let j = 0; j < ids.length; j++) {
          acc += w[j];
          if (acc >= topP * z) {
            cut = j + 1;
            break;
          }
        }
      }
      return ids[this.draw(w, null, cut)];
    }
    const w = scratchWeights(V);
    const floor = max - 40 * temperature; // exp(-40) ~ 4e-18: below that a weight is 0
    let z = 0;
    for (let i = 0; i < V; i++) {
      const l = logits[i];
      z += w[i] = l < floor ? 0 : Math.exp((l - max) * inv);
    }
    if (topP >= 1) return this.draw(w, null, V);
    const idx = scratchIds(V);
    const n = nucleus(w, idx, V, topP * z);
    return idx[this.draw(w, idx, n)];
  }

  /** Inverse-CDF draw over candidates j < n of weight w[idx ? idx[j] : j]; returns j. */
  private draw(w: Float64Array, idx: Int32Array | null, n: number): number {
    let mass = 0;
    if (idx) for (let j = 0; j < n; j++) mass += w[idx[j]];
    else for (let j = 0; j < n; j++) mass += w[j];
    let u = this.rng.next() * mass;
    for (let j = 0; j < n; j++) {
      u -= w[idx ? idx[j] : j];
      if (u < 0) return j;
    }
    return n - 1;
  }
}

let weightsScratch = new Float64Array(0); // [V] shared: samplers run one at a time in the worker
let idsScratch = new Int32Array(0); // [V]
function scratchWeights(V: number): Float64Array {
  if (weightsScratch.length < V) weightsScratch = new Float64Array(V);
  return weightsScratch;
}
function scratchIds(V: number): Int32Array {
  if (idsScratch.length < V) idsScratch = new Int32Array(V);
  return idsScratch;
}

/**
 * Top-p nucleus by weighted quickselect, expected O(V), no sort: reorders idx so that
 * idx[0..n) are the fewest highest-weight ids whose total weight >= need; returns n.
 */
export function nucleus(w: Float64Array, idx: Int32Array, V: number, need: number): number {
  for (let i = 0; i < V; i++) idx[i] = i;
  let a = 0; // idx[0..a) taken (all heavier than the rest)
  let b = V; // idx[b..V) excluded
  while (need > 0 && a < b) {
    const pv = w[idx[(a + b) >> 1]];
    // Three-way partition of [a, b): heavier than pv | equal | lighter.
    let lt = a;
    let i = a;
    let gt = b;
    let massHi = 0;
    while (i < gt) {
      const x = idx[i];
      const v = w[x];
      if (v > pv) {
        idx[i++] = idx[lt];
        idx[lt++] = x;
        massHi += v;
      } else if (v < pv) {
        idx[i] = idx[--gt];
        idx[gt] = x;
      } else i++;
    }
    if (massHi >= need) {
      b = lt;
      continue;
    }
    need -= massHi;
    a = lt;
    const eq = gt - lt;
    if (pv * eq >= need) return a + Math.min(eq, Math.max(1, Math.ceil(need / pv - 1e-9)));
    need -= pv * eq;
    a = gt;
  }
  return Math.max(a, 1);
}
