// Small statistics helpers for latency samples (milliseconds) and token streams.

/** Nearest-rank percentile (p in [0, 100]) of unsorted samples; NaN when empty. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  count: number;
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  return {
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    mean: samples.length ? sum / samples.length : Number.NaN,
    count: samples.length,
  };
}

/** Points (x = latency, y = cumulative share) of an empirical CDF, thinned to at most `maxPoints`. */
export function cdfPoints(samples: ArrayLike<number>, maxPoints = 200): Array<[number, number]> {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  if (n === 0) return [];
  const step = Math.max(1, Math.floor(n / maxPoints));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i += step) out.push([sorted[i]!, (i + 1) / n]);
  if (out[out.length - 1]![1] !== 1) out.push([sorted[n - 1]!, 1]);
  return out;
}

/** One generated stream as seen by a client: when it was sent and when each token arrived (ms). */
export interface StreamRecord {
  startMs: number;
  tokenMs: number[];
  /** The adapter the request used (null = base model). */
  adapterId: string | null;
  error?: string;
}

/**
 * TTFT, inter-token gaps (ITL, every gap between consecutive tokens as the client saw them) and
 * TPOT (per request: (last - first token time) / (tokens - 1), robust to tokens that arrive
 * coalesced in one network read), all in ms.
 */
export function streamLatencies(streams: StreamRecord[]): { ttft: number[]; itl: number[]; tpot: number[] } {
  const ttft: number[] = [];
  const itl: number[] = [];
  const tpot: number[] = [];
  for (const s of streams) {
    const n = s.tokenMs.length;
    if (n === 0) continue;
    ttft.push(s.tokenMs[0]! - s.startMs);
    for (let i = 1; i < n; i++) itl.push(s.tokenMs[i]! - s.tokenMs[i - 1]!);
    if (n > 1) tpot.push((s.tokenMs[n - 1]! - s.tokenMs[0]!) / (n - 1));
  }
  return { ttft, itl, tpot };
}
