// Per-token mask times of constrained rows (milliseconds), for EngineStats and bench:constrained:
// a count, and p50 / p99 over the last WINDOW tokens.
export interface MaskTimeStats {
  /** Masks computed since start. */
  tokens: number;
  /** Over the last WINDOW masks, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
}

const WINDOW = 8192;

export class MaskTimes {
  private readonly ring = new Float64Array(WINDOW); // [WINDOW] ms
  private count = 0;
  private cached: MaskTimeStats | null = null;

  add(ms: number): void {
    this.ring[this.count % WINDOW] = ms;
    this.count++;
    this.cached = null;
  }

  stats(): MaskTimeStats {
    if (this.cached) return this.cached;
    const n = Math.min(this.count, WINDOW);
    const sorted = this.ring.slice(0, n).sort();
    const at = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]!);
    this.cached = { tokens: this.count, p50Ms: at(0.5), p99Ms: at(0.99) };
    return this.cached;
  }
}
