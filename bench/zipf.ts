// Zipf(alpha) popularity over M items: P(rank k) ∝ 1 / k^alpha, k = 1..M (rank 1 most popular).
// Sampling inverts the cumulative distribution with a binary search (O(log M) per draw).
import { Prng } from '../common/index.ts';

export class ZipfSampler {
  private readonly cdf: Float64Array; // [M] cumulative probabilities, last = 1

  constructor(
    readonly items: number,
    readonly alpha: number,
    private readonly rng: Prng,
  ) {
    if (!Number.isInteger(items) || items < 1)
      throw new Error(`ZipfSampler: items must be a positive integer, got ${items}`);
    if (!Number.isFinite(alpha) || alpha < 0) throw new Error(`ZipfSampler: alpha must be >= 0, got ${alpha}`);
    this.cdf = new Float64Array(items);
    let acc = 0;
    for (let k = 0; k < items; k++) this.cdf[k] = acc += 1 / Math.pow(k + 1, alpha);
    for (let k = 0; k < items; k++) this.cdf[k]! /= acc;
    this.cdf[items - 1] = 1;
  }

  /** Probability of the item at 0-based rank k. */
  probability(k: number): number {
    return this.cdf[k]! - (k > 0 ? this.cdf[k - 1]! : 0);
  }

  /** A 0-based rank drawn from the distribution. */
  next(): number {
    const u = this.rng.next();
    let lo = 0;
    let hi = this.items - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
