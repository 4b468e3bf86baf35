// Per-token mask times of constrained rows (milliseconds), for EngineStats and bench:constrained:
// a count, and p50 / p99 over the last WINDOW tokens. The worker reads stats after every step, so the
// percentiles (a sort of the window) are refreshed at most every REFRESH_TOKENS masks or REFRESH_MS.
export interface MaskTimeStats {
  /** Masks computed since start. */
  tokens: number;
  /** Over the last WINDOW masks (as of the last refresh), in milliseconds. */
  p50Ms: number;
  p99Ms: number;
}

const WINDOW = 8192;
const REFRESH_TOKENS = 512;
const REFRESH_MS = 1000;

export class MaskTimes {
  private readonly ring = new Float64Array(WINDOW); // [WINDOW] ms
  private count = 0;
  private cached: MaskTimeStats = { tokens: 0, p50Ms: 0, p99Ms: 0 };
  private cachedAt = 0;

  add(ms: number): void {
    this.ring[this.count % WINDOW] = ms;
    this.count++;
  }

  stats(): MaskTimeStats {
    const stale = this.count - this.cached.tokens;
    if (stale === 0 || (stale < REFRESH_TOKENS && performance.now() - this.cachedAt < REFRESH_MS))
      return { ...this.cached, tokens: this.count };
    const n = Math.min(this.count, WINDOW);
    const sorted = this.ring.slice(0, n).sort();
    const at = (q: number): number => sorted[Math.min(n - 1, Math.floor(q * n))]!;
    this.cached = { tokens: this.count, p50Ms: at(0.5), p99Ms: at(0.99) };
    this.cachedAt = performance.now();
    return this.cached;
  }
}
