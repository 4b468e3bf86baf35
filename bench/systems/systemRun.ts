// What one (scenario, system) run hands back to the orchestrator, before summarising.
import type { StreamResult } from '../httpLoad.ts';
import type { ScenarioDef, SystemName } from '../scenarios.ts';
import type { Workload } from '../workload.ts';

/** Inputs of one run (sent to a fresh child process as JSON). */
export interface RunJob {
  system: SystemName;
  scenario: ScenarioDef;
  workload: Workload;
  /** Prepared inputs. */
  assets: {
    work: string;
    modelDir: string;
    adapterRoot: string;
    modelGguf: string | null;
    /** adapter id -> LoRA GGUF and the scale llama.cpp needs. */
    loraGguf: Record<string, { file: string; scale: number }>;
  };
  /** The greedy correctness probe: a prompt and adapter (index into workload.adapters, or null). */
  check: { promptIds: number[]; adapter: number | null; maxTokens: number };
  threads: number;
  /** Stop starting requests after this many seconds (null = run them all). */
  timeBoxS: number | null;
  /** Extra per-system knobs from the command line. */
  options: Record<string, unknown>;
}

export interface SystemRun {
  records: StreamResult[];
  wallMs: number;
  /** Per adapter load (ms): what "making an adapter usable" costs on this system. */
  adapterLoadMs: number[];
  /** Engine-level decode step times (ms), when the system exposes them. */
  stepMs: number[];
  /** Greedy tokens (and our top logprobs keyed by token id, loraledger only) for the check prompt. */
  check: { tokens: number[]; topLogprobs?: Array<Record<string, number>> } | null;
  configuration: string;
  notes: string[];
  /** Summary of an autocannon pass over the same requests, non-streaming (loraledger only). */
  autocannon?: { requests_s: number; latency_p50_ms: number; latency_p99_ms: number; non2xx: number; errors: number };
  peakRssBytes?: number;
}
