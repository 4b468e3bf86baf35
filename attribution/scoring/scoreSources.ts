// Attribution maths: how much each retrieved passage (and the adapter) contributed to an answer.
// PURE: no engine, no I/O. The caller scores the subsets this file asks for (in one batched
// engine.score call) and hands the numbers back.
//
// Glossary:
//   k        number of passages (players)
//   mask     a subset of passages as a bit mask: bit i set = passage i is in the prompt
//   v(mask)  log p(answer | prompt built from the passages in mask), teacher-forced, in nats
//   N        the full set, mask (1 << k) - 1
//   ppm      parts per million (integers, 1_000_000 = everything)
//
// Methods:
//   leave-one-out  s_i = v(N) - v(N \ {i})                                    k + 1 evaluations
//   shapley        phi_i = sum_{S ⊆ N\{i}} |S|! (k-|S|-1)! / k! * (v(S ∪ {i}) - v(S))   2^k evaluations
//   linear_surrogate  ContextCite's surrogate on a design the engine's prefix sharing makes cheap:
//                  subsets ∅, the singletons {i} and the prefixes {0..i} of the served order (they
//                  share the full prompt's keys/values up to their last passage);
//                  fit v(S) ≈ b + sum_{i in S} w_i by least squares; s_i = w_i     2k evaluations
//                  (a linear game's Shapley values are its weights; for k <= 2 this IS exact Shapley)
//   Shapley values are efficient: sum_i phi_i = v(N) - v(∅). Leave-one-out is not, and misses
//   redundancy (two passages both holding the answer each get ~0 under LOO, half each under Shapley).

export type AttributionMethod = 'shapley' | 'leave_one_out' | 'linear_surrogate';

/**
 * Largest k for which exact Shapley (2^k subsets) is used when the method is chosen automatically;
 * beyond it the linear surrogate (docs/attribution.md, "Scoring method", has the planted-evidence
 * and cost figures behind 4).
 */
export const MAX_EXACT_SHAPLEY_K = 4;

export interface AttributionPlan {
  method: AttributionMethod;
  /** Number of passages. */
  k: number;
  /** Subsets to score, as bit masks, each once; the caller returns v(mask) in the same order. */
  subsets: number[];
}

/**
 * Chooses the method (exact Shapley when k <= maxExactK, else the linear surrogate; `largeK` picks
 * leave-one-out instead) and lists its subsets.
 */
export function planAttribution(
  k: number,
  options: { method?: AttributionMethod | 'auto'; maxExactK?: number; largeK?: AttributionMethod } = {},
): AttributionPlan {
  if (!Number.isInteger(k) || k < 0 || k > 30)
    throw new RangeError(`planAttribution: k must be an integer in [0, 30], got ${k}`);
  const maxExactK = options.maxExactK ?? MAX_EXACT_SHAPLEY_K;
  const wanted = options.method ?? 'auto';
  const method: AttributionMethod =
    wanted === 'auto' ? (k <= maxExactK ? 'shapley' : (options.largeK ?? 'linear_surrogate')) : wanted;
  if (method === 'shapley' && k > 20)
    throw new RangeError(`planAttribution: exact Shapley over k=${k} passages needs 2^${k} subsets; use leave_one_out`);
  const full = fullMask(k);
  const subsets =
    method === 'shapley'
      ? Array.from({ length: 1 << k }, (_, m) => m)
      : method === 'leave_one_out'
        ? [full, ...Array.from({ length: k }, (_, i) => full & ~(1 << i))]
        : surrogateDesign(k);
  return { method, k, subsets: k === 0 ? [0] : subsets };
}

/** ∅, then per passage i its singleton {i} and the prefix {0..i} (the same set for i = 0): 2k subsets. */
function surrogateDesign(k: number): number[] {
  const subsets = [0];
  for (let i = 0; i < k; i++) {
    subsets.push(1 << i);
    if (i > 0) subsets.push(fullMask(i + 1));
  }
  return subsets;
}

/** Turns the scored subsets (values[j] = v(plan.subsets[j])) into one score per passage, in nats. */
export function combineScores(plan: AttributionPlan, values: readonly number[]): number[] {
  if (values.length !== plan.subsets.length) {
    throw new RangeError(`combineScores: expected ${plan.subsets.length} values, got ${values.length}`);
  }
  const v = new Map<number, number>();
  plan.subsets.forEach((m, j) => v.set(m, values[j]!));
  const value = (m: number): number => {
    const x = v.get(m);
    if (x === undefined) throw new RangeError(`combineScores: subset ${m} was not scored`);
    return x;
  };
  if (plan.method === 'shapley') return shapley(plan.k, value);
  if (plan.method === 'leave_one_out') return leaveOneOut(plan.k, value);
  return linearSurrogate(plan.k, plan.subsets, value);
}

/**
 * Least-squares weights w of v(S) ≈ b + sum_{i in S} w_i over the given subsets (which must pin
 * down b and every w_i, e.g. ∅ and each singleton), by the normal equations X^T X [b; w] = X^T v
 * solved with partial pivoting. Returns w [k].
 */
export function linearSurrogate(k: number, subsets: readonly number[], value: (mask: number) => number): number[] {
  const n = k + 1; // unknowns: b, w_0 .. w_{k-1}
  const a = Array.from({ length: n }, () => new Float64Array(n + 1)); // [n, n+1]: X^T X | X^T v
  const x = new Float64Array(n); // [n] one design row: 1, bits of the subset
  for (const m of subsets) {
    x[0] = 1;
    for (let i = 0; i < k; i++) x[i + 1] = (m >> i) & 1;
    const v = value(m);
    for (let r = 0; r < n; r++) {
      if (x[r] === 0) continue;
      for (let c = 0; c < n; c++) a[r]![c]! += x[r]! * x[c]!;
      a[r]![n]! += x[r]! * v;
    }
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) throw new RangeError('linearSurrogate: the subsets do not determine every weight');
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      if (f !== 0) for (let j = c; j <= n; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return Array.from({ length: k }, (_, i) => a[i + 1]![n]! / a[i + 1]![i + 1]!);
}

/** s_i = v(N) - v(N \ {i}). */
export function leaveOneOut(k: number, value: (mask: number) => number): number[] {
  const full = fullMask(k);
  const vFull = value(full);
  return Array.from({ length: k }, (_, i) => vFull - value(full & ~(1 << i)));
}

/** Exact Shapley values over 2^k subsets. */
export function shapley(k: number, value: (mask: number) => number): number[] {
  const weight = shapleyWeights(k); // [k]: weight[s] = s! (k-s-1)! / k!
  const phi = new Array<number>(k).fill(0);
  const size = 1 << k;
  for (let m = 0; m < size; m++) {
    const vm = value(m);
    const s = popcount(m);
    for (let i = 0; i < k; i++) {
      const bit = 1 << i;
      if (m & bit) continue;
      phi[i]! += weight[s]! * (value(m | bit) - vm);
    }
  }
  return phi;
}

/**
 * Positive scores normalised to integer parts per million that sum to exactly 1_000_000 (all zero when
 * no score is positive). Largest-remainder rounding; equal remainders go to the lower index, so the
 * caller's order (e.g. sorted by doc_id) makes the result deterministic.
 */
export function sharesPpm(scores: readonly number[]): number[] {
  const positive = scores.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const total = positive.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return positive.map(() => 0);
  return largestRemainder(
    positive.map((p) => (p / total) * 1_000_000),
    1_000_000,
  );
}

/**
 * Adapter influence in nats: log p(answer | adapter) - log p(answer | base), same prompt.
 * The adapter owner's share of the adapter pool is the fraction of the answer's probability the
 * adapter added: (p_adapter - p_base) / p_adapter = 1 - exp(-influence), 0 when influence <= 0.
 */
export function adapterSharePpm(influence: number): number {
  if (!Number.isFinite(influence) || influence <= 0) return 0;
  return Math.min(1_000_000, Math.round(1_000_000 * -Math.expm1(-influence)));
}

/** Rounds non-negative reals to integers summing to `total` (Hamilton / largest remainder). */
export function largestRemainder(parts: readonly number[], total: number): number[] {
  const floors = parts.map((p) => Math.floor(p));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = parts.map((p, i) => ({ i, r: p - Math.floor(p) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let j = 0; left > 0 && order.length > 0; j = (j + 1) % order.length, left--) floors[order[j]!.i]! += 1;
  return floors;
}

function shapleyWeights(k: number): number[] {
  // s! (k-s-1)! / k!  = 1 / (k * C(k-1, s))
  const w: number[] = [];
  for (let s = 0; s < k; s++) w.push(1 / (k * binomial(k - 1, s)));
  return w;
}

function binomial(n: number, r: number): number {
  let c = 1;
  for (let j = 1; j <= r; j++) c = (c * (n - r + j)) / j;
  return c;
}

function popcount(m: number): number {
  let c = 0;
  for (let x = m; x; x &= x - 1) c++;
  return c;
}

function fullMask(k: number): number {
  return k === 0 ? 0 : (1 << k) - 1;
}
