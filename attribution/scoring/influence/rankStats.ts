// Rank statistics for evaluating attribution scores: Spearman correlation, ROC AUC, top-k overlap.
// Pure functions; ties get their average rank (as scipy.stats.spearmanr / rankdata).
//
// Glossary: n scored items.

/** Average ranks (1-based) of `x` [n]. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation of two equal-length series; NaN when either is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`pearson: lengths ${n} and ${b.length} differ`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman's rank correlation. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/** ROC AUC of `scores` [n] for `positive` [n]: P(score of a positive > score of a negative), ties half. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const r = ranks(scores);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) {
      pos++;
      rankSum += r[i]!;
    }
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) throw new Error('rocAuc: needs at least one positive and one negative');
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Indices of the k largest scores, largest first (ties by index). */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

/** |topK(a) ∩ topK(b)| / k. */
export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const sa = new Set(topK(a, k));
  return topK(b, k).filter((i) => sa.has(i)).length / Math.min(k, a.length);
}
