// The results object the bench writes as report.json and renders into report.md and SVG charts.
// Units are in the field names: _ms milliseconds, _s seconds, _tok_s output tokens per second.
import type { MachineInfo } from '../machineInfo.ts';
import type { LatencySummary } from '../stats.ts';
import type { SystemName } from '../scenarios.ts';

export interface GreedyResult {
  /** null: not checked (e.g. the run failed first). */
  pass: boolean | null;
  detail: string;
}

/** Decode step time against the weight-streaming roofline (single stream). */
export interface StepBreakdown {
  /** Bytes of weights read per decode step (every linear + head, at the run's precision). */
  weight_bytes: number;
  /** weight_bytes / measured bandwidth: the fastest a memory-bound step can be. */
  roofline_ms: number;
  /** Measured per-step time at the engine (p50), and end-to-end inter-token latency p50. */
  step_p50_ms: number | null;
  itl_p50_ms: number;
  /** Per-request time per output token p50 (what a client sees per token). */
  tpot_p50_ms: number;
  /** roofline_ms / (step_p50_ms, or TPOT when the engine step is unknown); 1 = at the roofline. */
  roofline_efficiency: number | null;
  bandwidth_GBs: number;
}

export interface ScenarioResult {
  name: string;
  version: number;
  system: SystemName;
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  error?: string;
  /** Effective workload (after quick mode and flags) and the system's configuration. */
  parameters: Record<string, unknown> & { overridden: string[]; distinct_adapters: number };
  /** How this system was configured for the scenario, and why. */
  configuration: string;
  greedy_check: GreedyResult;
  throughput_tok_s: number;
  requests_s: number;
  output_tokens: number;
  duration_s: number;
  ttft_ms: LatencySummary;
  itl_ms: LatencySummary;
  /** Per request: (last token - first token) / (tokens - 1); robust to coalesced network reads. */
  tpot_ms: LatencySummary;
  /** Time to make an adapter usable (loraledger: disk -> host; naive-merged: merge + build + session; llama.cpp: context + LoRA load). */
  adapter_load_ms: LatencySummary | null;
  peak_rss_bytes: number;
  /** throughput / the same system's throughput on `baseline` (base model, same streams) in this run. */
  baseline: string | null;
  ratio_to_base: number | null;
  step?: StepBreakdown;
  /** Thinned empirical CDFs for the charts: [latency_ms, share]. */
  cdf: { ttft_ms: Array<[number, number]>; itl_ms: Array<[number, number]> };
  notes: string[];
}

export interface TargetCheck {
  target: string;
  wanted: string;
  measured: string;
  met: boolean | null;
}

export interface BenchReport {
  schema: 1;
  tool: 'loraledger-bench';
  mode: 'quick' | 'full';
  machine: MachineInfo;
  peers: Record<string, string>;
  scenarios: ScenarioResult[];
  targets: TargetCheck[];
  finishedAt: string;
}
