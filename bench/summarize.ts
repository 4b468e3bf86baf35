// Turns one system's raw run (per-request token timings) into a ScenarioResult row, and adds the
// cross-system parts afterwards: greedy checks against loraledger, ratios to the base-only run.
import type { ModelSpec } from '../kernels/model/index.ts';
import type { ScenarioDef, SystemName } from './scenarios.ts';
import type { Workload } from './workload.ts';
import type { SystemRun } from './systems/systemRun.ts';
import type { ScenarioResult } from './report/reportTypes.ts';
import { cdfPoints, streamLatencies, summarize, percentile } from './stats.ts';
import { compareGreedy } from './greedyCheck.ts';

const EMPTY = summarize([]);

export function failedResult(
  s: ScenarioDef,
  system: SystemName,
  overridden: string[],
  distinct: number,
  error: string,
  status: 'failed' | 'skipped' = 'failed',
): ScenarioResult {
  return {
    name: s.name,
    version: s.version,
    system,
    status,
    error,
    parameters: { ...s, overridden, distinct_adapters: distinct },
    configuration: '',
    greedy_check: { pass: null, detail: status },
    throughput_tok_s: 0,
    requests_s: 0,
    output_tokens: 0,
    duration_s: 0,
    ttft_ms: EMPTY,
    itl_ms: EMPTY,
    tpot_ms: EMPTY,
    adapter_load_ms: null,
    peak_rss_bytes: 0,
    baseline: s.baseline,
    ratio_to_base: null,
    cdf: { ttft_ms: [], itl_ms: [] },
    notes: [],
  };
}

export function summarizeRun(
  s: ScenarioDef,
  w: Workload,
  system: SystemName,
  overridden: string[],
  run: SystemRun,
): ScenarioResult {
  const distinct = new Set(w.requests.map((r) => r.adapter).filter((a) => a !== null)).size;
  const good = run.records.filter((r) => !r.error);
  const errors = run.records.filter((r) => r.error);
  const tokens = good.reduce((n, r) => n + r.tokens.length, 0);
  const { ttft, itl, tpot } = streamLatencies(good);
  const sec = run.wallMs / 1000;
  const notes = [...run.notes];
  const cut = run.records.filter((r) => r.cut).length;
  if (run.records.length < w.requests.length || cut > 0) {
    const never = w.requests.length - run.records.length;
    notes.push(
      `time-boxed: when the box closed, ${[never ? `${never} of ${w.requests.length} requests had not started` : '', cut ? `${cut} were cut short` : ''].filter(Boolean).join(' and ')}; rates count the tokens produced within the run's wall time.`,
    );
  }
  if (errors.length)
    notes.push(`${errors.length} of ${run.records.length} requests failed, e.g. "${errors[0]!.error}".`);
  const short = good.filter((r) => !r.cut && r.tokens.length !== s.maxTokens).length;
  if (short) notes.push(`${short} requests returned fewer or more than max_tokens=${s.maxTokens} tokens.`);
  if (run.autocannon)
    notes.push(
      `autocannon (same requests, non-streaming, ${s.streams} connections): ${run.autocannon.requests_s.toFixed(2)} req/s, latency p50 ${run.autocannon.latency_p50_ms} ms / p99 ${run.autocannon.latency_p99_ms} ms, ${run.autocannon.non2xx} non-2xx, ${run.autocannon.errors} errors.`,
    );
  if (run.stepMs.length)
    notes.push(`engine decode step p50 ${percentile(run.stepMs, 50).toFixed(2)} ms over ${run.stepMs.length} steps.`);
  return {
    name: s.name,
    version: s.version,
    system,
    status: tokens > 0 ? 'ok' : 'failed',
    error: tokens > 0 ? undefined : (errors[0]?.error ?? 'no tokens were produced within the run'),
    parameters: { ...s, overridden, distinct_adapters: distinct },
    configuration: run.configuration,
    greedy_check: { pass: null, detail: 'not checked yet' },
    throughput_tok_s: tokens / sec,
    requests_s: good.filter((r) => !r.cut).length / sec,
    output_tokens: tokens,
    duration_s: sec,
    ttft_ms: summarize(ttft),
    itl_ms: summarize(itl),
    tpot_ms: summarize(tpot),
    adapter_load_ms: s.adapters ? summarize(run.adapterLoadMs) : null,
    peak_rss_bytes: run.peakRssBytes ?? 0,
    baseline: s.baseline,
    ratio_to_base: null,
    cdf: { ttft_ms: cdfPoints(ttft), itl_ms: cdfPoints(itl) },
    notes,
  };
}

/** Logprob tolerance for calling a divergence a near tie (fp32 implementations differ ~1e-3). */
export const TIE_TOLERANCE = 0.02;

/** Peer greedy tokens vs loraledger's on the same prompt; loraledger's top logprobs judge ties. */
export function checkPeer(ours: SystemRun['check'], theirs: SystemRun['check']): ScenarioResult['greedy_check'] {
  if (!ours) return { pass: null, detail: 'no loraledger greedy output to compare with' };
  if (!theirs) return { pass: null, detail: 'the peer produced no greedy output' };
  const c = compareGreedy(
    ours.tokens,
    theirs.tokens,
    (pos, tok) => ours.topLogprobs?.[pos]?.[String(tok)],
    TIE_TOLERANCE,
  );
  return { pass: c.pass, detail: `vs loraledger: ${c.detail}` };
}

/** Weight bytes a decode step streams: every projection + the LM head (tied: the embedding). */
export function weightBytesPerToken(spec: ModelSpec, bytesPerWeight = 4): number {
  const q = spec.numHeads * spec.headDim;
  const kv = spec.numKvHeads * spec.headDim;
  const perLayer = spec.hiddenSize * q * 2 + spec.hiddenSize * kv * 2 + 3 * spec.hiddenSize * spec.intermediateSize;
  return (spec.numLayers * perLayer + spec.vocabSize * spec.hiddenSize) * bytesPerWeight;
}
