// Named, versioned benchmark scenarios. A scenario fixes the workload (model shape, streams,
// requests, prompt/output lengths, adapter mix); command-line flags may override any numeric field
// (the report records the effective values and marks the overridden ones). Bump `version` whenever
// a definition changes so results stay comparable across runs.
import { LORA_TARGETS, type LoraTarget } from '../kernels/model/index.ts';

export const SYSTEMS = ['loraledger', 'naive-merged', 'llama.cpp'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** Model shapes the bench generates (seeded) or reads. */
export const MODEL_PRESETS = ['smollm-135m', 'stories260k', 'tiny'] as const;
export type ModelPreset = (typeof MODEL_PRESETS)[number];

export interface AdapterMix {
  /** Registered (warm) adapters M. */
  count: number;
  /** Ranks, cycled over the adapters (adapter i has ranks[i % ranks.length]). */
  ranks: number[];
  targets: LoraTarget[];
  /** round-robin: request j uses adapter j % M; zipf: Zipf(alpha) over M; uniform: uniform over M. */
  popularity: 'round-robin' | 'zipf' | 'uniform';
  zipfAlpha: number;
  /** Share of requests sent to a never-used adapter (each forces a load from disk). */
  coldShare: number;
}

export interface ScenarioDef {
  name: string;
  version: number;
  description: string;
  model: ModelPreset;
  /**
   * Base weights: fp32, int8 (loraledger --precision int8 vs llama.cpp Q8_0) or int4 (--precision int4,
   * 32-weight blocks, vs Q4_0, 32-weight blocks): the same bits per weight, near enough.
   */
  precision: 'fp32' | 'int8' | 'int4';
  /** Concurrent closed-loop clients (each sends its next request when the last one ends). */
  streams: number;
  requests: number;
  promptTokens: number;
  maxTokens: number;
  /** null: every request on the base model. */
  adapters: AdapterMix | null;
  /** Host-memory adapter cache (count) for loraledger; null = engine default sized to fit M. */
  cacheSize: number | null;
  /** Base-only scenario of the same shape whose throughput this one is divided by; null = itself. */
  baseline: string | null;
  /** Part of `--quick`. */
  quick: boolean;
  /** Overrides applied in quick mode (smaller runs). */
  quickOverrides: Partial<Pick<ScenarioDef, 'requests' | 'maxTokens' | 'promptTokens'>>;
}

/** The llama.cpp weight type of each precision (bench/gguf writes it). */
export const GGUF_TYPE = { fp32: 'F32', int8: 'Q8_0', int4: 'Q4_0' } as const;
/** Weight bytes per parameter of each precision, for the roofline (int4: Q4_0's 18 bytes per 32). */
export const BYTES_PER_WEIGHT = { fp32: 4, int8: 1, int4: 18 / 32 } as const;

const ALL: LoraTarget[] = [...LORA_TARGETS];
const mix = (m: Partial<AdapterMix> & { count: number }): AdapterMix => ({
  ranks: [16],
  targets: ALL,
  popularity: 'round-robin',
  zipfAlpha: 1,
  coldShare: 0,
  ...m,
});
const base = {
  version: 1,
  model: 'smollm-135m' as const,
  precision: 'fp32' as const,
  cacheSize: null,
  quick: false,
  quickOverrides: {},
};

/** single-stream-base on quantized weights (loraledger --precision, llama.cpp on the matching GGUF). */
function quantizedSingleStream(precision: 'int8' | 'int4', description: string): ScenarioDef {
  return {
    ...base,
    name: `single-stream-base-${precision}`,
    precision,
    description,
    streams: 1,
    requests: 4,
    promptTokens: 16,
    maxTokens: 128,
    adapters: null,
    baseline: null,
    quickOverrides: {},
  };
}

export const SCENARIOS: ScenarioDef[] = [
  {
    ...base,
    name: 'single-stream-base',
    description:
      'One client, base model, decode-dominated: the per-token latency floor and the memory-bandwidth roofline.',
    streams: 1,
    requests: 4,
    promptTokens: 16,
    maxTokens: 128,
    adapters: null,
    baseline: null,
    quick: true,
    quickOverrides: { requests: 2, maxTokens: 64 },
  },
  quantizedSingleStream(
    'int8',
    'single-stream-base with int8 weights (loraledger --precision int8, llama.cpp Q8_0). The two quantizations differ, so greedy outputs may legitimately differ.',
  ),
  quantizedSingleStream(
    'int4',
    'single-stream-base with int4 weights (loraledger --precision int4, MatMulNBits blocks of 32; llama.cpp Q4_0, blocks of 32). The two quantizations differ, so greedy outputs may legitimately differ.',
  ),
  {
    ...base,
    name: 'base-32-streams',
    description:
      '32 concurrent clients on the base model: batched decode without LoRA (the baseline of mixed-32-adapters).',
    streams: 32,
    requests: 64,
    promptTokens: 16,
    maxTokens: 64,
    adapters: null,
    baseline: null,
    quick: true,
    quickOverrides: { requests: 32, maxTokens: 32 },
  },
  {
    ...base,
    name: 'mixed-32-adapters',
    description: '32 concurrent clients, each on its own rank-16 adapter over all 7 projections.',
    streams: 32,
    requests: 64,
    promptTokens: 16,
    maxTokens: 64,
    adapters: mix({ count: 32 }),
    baseline: 'base-32-streams',
    quick: true,
    quickOverrides: { requests: 32, maxTokens: 32 },
  },
  {
    ...base,
    name: 'zipf-32-adapters',
    description:
      '32 concurrent clients, Zipf(1.0) popularity over the 32 rank-16 adapters of mixed-32-adapters (the Zipf target of issue 4).',
    streams: 32,
    requests: 64,
    promptTokens: 16,
    maxTokens: 64,
    adapters: mix({ count: 32, popularity: 'zipf', zipfAlpha: 1 }),
    baseline: 'base-32-streams',
    quickOverrides: {},
  },
  {
    ...base,
    name: 'zipf-adapters',
    description: 'Zipf(1.0) popularity over 64 adapters, 5% of requests to never-seen adapters (cold loads).',
    streams: 16,
    requests: 128,
    promptTokens: 16,
    maxTokens: 32,
    adapters: mix({ count: 64, popularity: 'zipf', zipfAlpha: 1, coldShare: 0.05 }),
    baseline: 'base-16-streams',
    quickOverrides: {},
  },
  {
    ...base,
    name: 'prefill-32-streams',
    description:
      '32 clients send a 16-token prompt at the same moment, 8 tokens out each, base model: time to first token when prefills arrive together (issue 17: TTFT p50 at most 1.2x naive-merged).',
    streams: 32,
    requests: 32,
    promptTokens: 16,
    maxTokens: 8,
    adapters: null,
    baseline: null,
    quickOverrides: {},
  },
  {
    ...base,
    name: 'base-16-streams',
    description: '16 concurrent clients on the base model (baseline of zipf, ranks, long-prompt/output and churn).',
    streams: 16,
    requests: 64,
    promptTokens: 16,
    maxTokens: 32,
    adapters: null,
    baseline: null,
    quickOverrides: {},
  },
  {
    ...base,
    name: 'mixed-ranks',
    description: '16 clients over 24 adapters of ranks 8, 16 and 64 (slot stacks padded to 64).',
    streams: 16,
    requests: 64,
    promptTokens: 16,
    maxTokens: 32,
    adapters: mix({ count: 24, ranks: [8, 16, 64] }),
    baseline: 'base-16-streams',
    quickOverrides: {},
  },
  {
    ...base,
    name: 'long-prompt',
    description: 'Prefill-heavy: 512-token prompts, 16 output tokens, 16 adapters.',
    streams: 16,
    requests: 32,
    promptTokens: 512,
    maxTokens: 16,
    adapters: mix({ count: 16 }),
    baseline: 'base-16-streams',
    quickOverrides: {},
  },
  {
    ...base,
    name: 'long-output',
    description: 'Decode-heavy: 16-token prompts, 256 output tokens, 16 adapters.',
    streams: 16,
    requests: 16,
    promptTokens: 16,
    maxTokens: 256,
    adapters: mix({ count: 16 }),
    baseline: 'base-16-streams',
    quickOverrides: {},
  },
  {
    ...base,
    name: 'adapter-churn',
    description: 'Uniform traffic over 256 adapters with a host cache of 16: nearly every request loads from disk.',
    streams: 16,
    requests: 128,
    promptTokens: 16,
    maxTokens: 16,
    adapters: mix({ count: 256, popularity: 'uniform' }),
    cacheSize: 16,
    baseline: 'base-16-streams',
    quickOverrides: {},
  },
];

/** A scenario definition or override that makes no sense (a usage error, reported without a stack). */
export class ScenarioError extends Error {}

/** Numeric fields a flag may override. */
export interface ScenarioOverrides {
  model?: ModelPreset;
  precision?: ScenarioDef['precision'];
  streams?: number;
  requests?: number;
  promptTokens?: number;
  maxTokens?: number;
  adapterCount?: number;
  ranks?: number[];
  zipfAlpha?: number;
  coldShare?: number;
  cacheSize?: number;
}

const posInt = (v: number): boolean => Number.isInteger(v) && v > 0;

/** Throws an Error naming the scenario and the field when a definition makes no sense. */
export function validateScenario(s: ScenarioDef): ScenarioDef {
  const bad = (field: string, why: string): never => {
    throw new ScenarioError(`scenario ${s.name || '(unnamed)'}: ${field} ${why}`);
  };
  if (!/^[a-z0-9][a-z0-9-]*$/.test(s.name)) bad('name', 'must be lower-case letters, digits and dashes');
  if (!posInt(s.version)) bad('version', 'must be a positive integer');
  if (!MODEL_PRESETS.includes(s.model)) bad('model', `must be one of ${MODEL_PRESETS.join(', ')}`);
  if (!['fp32', 'int8', 'int4'].includes(s.precision)) bad('precision', 'must be fp32, int8 or int4');
  for (const f of ['streams', 'requests', 'promptTokens', 'maxTokens'] as const)
    if (!posInt(s[f])) bad(f, `must be a positive integer, got ${s[f]}`);
  if (s.requests < s.streams)
    bad('requests', `(${s.requests}) must be at least streams (${s.streams}) so every client sends one`);
  if (s.adapters) {
    const a = s.adapters;
    if (!posInt(a.count)) bad('adapters.count', `must be a positive integer, got ${a.count}`);
    if (a.ranks.length === 0 || !a.ranks.every(posInt))
      bad('adapters.ranks', 'must be a non-empty list of positive integers');
    if (a.targets.length === 0 || !a.targets.every((t) => LORA_TARGETS.includes(t)))
      bad('adapters.targets', `must be a non-empty subset of ${LORA_TARGETS.join(', ')}`);
    if (!(a.zipfAlpha >= 0)) bad('adapters.zipfAlpha', 'must be >= 0');
    if (!(a.coldShare >= 0 && a.coldShare < 1)) bad('adapters.coldShare', 'must be in [0, 1)');
  }
  if (s.cacheSize !== null && !posInt(s.cacheSize)) bad('cacheSize', 'must be a positive integer or null');
  if (s.baseline !== null && s.baseline === s.name) bad('baseline', 'must name another scenario (null means itself)');
  return s;
}

/** Applies quick-mode and flag overrides; returns the effective definition and the fields changed. */
export function effectiveScenario(
  def: ScenarioDef,
  quick: boolean,
  o: ScenarioOverrides,
): { scenario: ScenarioDef; overridden: string[] } {
  const s: ScenarioDef = structuredClone(def);
  if (quick) Object.assign(s, def.quickOverrides);
  const overridden: string[] = [];
  const set = <K extends keyof ScenarioDef>(k: K, v: ScenarioDef[K] | undefined): void => {
    if (v === undefined) return;
    s[k] = v;
    overridden.push(k);
  };
  set('model', o.model);
  set('precision', o.precision);
  set('streams', o.streams);
  set('requests', o.requests ?? (o.streams !== undefined && o.streams > s.requests ? o.streams : undefined));
  set('promptTokens', o.promptTokens);
  set('maxTokens', o.maxTokens);
  set('cacheSize', o.cacheSize);
  if (s.adapters) {
    if (o.adapterCount !== undefined) {
      s.adapters.count = o.adapterCount;
      overridden.push('adapters.count');
    }
    if (o.ranks !== undefined) {
      s.adapters.ranks = o.ranks;
      overridden.push('adapters.ranks');
    }
    if (o.zipfAlpha !== undefined) {
      s.adapters.zipfAlpha = o.zipfAlpha;
      overridden.push('adapters.zipfAlpha');
    }
    if (o.coldShare !== undefined) {
      s.adapters.coldShare = o.coldShare;
      overridden.push('adapters.coldShare');
    }
  }
  return { scenario: validateScenario(s), overridden };
}

export function findScenario(name: string): ScenarioDef {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new ScenarioError(`unknown scenario "${name}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}
