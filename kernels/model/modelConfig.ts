// config.json (+ generation_config.json) of a Hugging Face Llama-family folder -> ModelSpec.
//
// Supported: LlamaForCausalLM, MistralForCausalLM (sliding_window), Qwen2ForCausalLM (q/k/v biases,
// use_sliding_window), hidden_act silu, rope_scaling none or Llama-3 ("llama3").
// Anything else is ModelError('unsupported_architecture') naming the field; a missing or mistyped
// required field is ModelError('model_folder_invalid') naming the field.
import { ModelError } from '../../common/index.ts';
import type { ModelSpec } from './modelSpec.ts';

const ARCHITECTURES = ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM'] as const;
type Json = Record<string, unknown>;

function num(cfg: Json, field: string, fallback?: number): number {
  const v = cfg[field];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new ModelError('model_folder_invalid', `config.json is missing required field "${field}"`, {
      details: { field },
    });
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ModelError(
      'model_folder_invalid',
      `config.json field "${field}" must be a number, got ${JSON.stringify(v)}`,
      { details: { field } },
    );
  }
  return v;
}

function posInt(cfg: Json, field: string, fallback?: number): number {
  const v = num(cfg, field, fallback);
  if (!Number.isInteger(v) || v <= 0) {
    throw new ModelError('model_folder_invalid', `config.json field "${field}" must be a positive integer, got ${v}`, {
      details: { field },
    });
  }
  return v;
}

function unsupported(field: string, value: unknown, supported: string): ModelError {
  return new ModelError(
    'unsupported_architecture',
    `config.json "${field}" is ${JSON.stringify(value)}; loraledger supports ${supported}`,
    { details: { field } },
  );
}

function idList(v: unknown, field: string): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new ModelError(
        'model_folder_invalid',
        `"${field}" must be a token id or a list of them, got ${JSON.stringify(v)}`,
        { details: { field } },
      );
  }
  return list as number[];
}

function parseRopeScaling(v: unknown): ModelSpec['ropeScaling'] {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object')
    throw new ModelError('model_folder_invalid', `config.json "rope_scaling" must be an object or null`, {
      details: { field: 'rope_scaling' },
    });
  const rs = v as Json;
  const kind = rs.rope_type ?? rs.type;
  if (kind === 'default') return null;
  if (kind !== 'llama3') throw unsupported('rope_scaling.rope_type', kind, 'no rope_scaling or rope_type "llama3"');
  const field = (f: string): number => {
    const x = rs[f];
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
      throw new ModelError(
        'model_folder_invalid',
        `config.json "rope_scaling.${f}" must be a positive number, got ${JSON.stringify(x)}`,
        { details: { field: `rope_scaling.${f}` } },
      );
    }
    return x;
  };
  return {
    type: 'llama3',
    factor: field('factor'),
    lowFreqFactor: field('low_freq_factor'),
    highFreqFactor: field('high_freq_factor'),
    originalMaxPositions: field('original_max_position_embeddings'),
  };
}

/** Parses config.json's object (and generation_config.json's, if any) into a ModelSpec. */
export function parseModelConfig(config: unknown, generationConfig?: unknown): ModelSpec {
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new ModelError('model_folder_invalid', 'config.json must hold a JSON object');
  }
  const cfg = config as Json;
  const archs = cfg.architectures;
  if (!Array.isArray(archs) || archs.length === 0) {
    throw new ModelError('model_folder_invalid', 'config.json is missing required field "architectures"', {
      details: { field: 'architectures' },
    });
  }
  const architecture = archs[0] as string;
  if (!(ARCHITECTURES as readonly string[]).includes(architecture))
    throw unsupported('architectures', archs, ARCHITECTURES.join(', '));
  const act = cfg.hidden_act ?? 'silu';
  if (act !== 'silu') throw unsupported('hidden_act', act, '"silu"');
  if (cfg.mlp_bias === true) throw unsupported('mlp_bias', true, 'MLPs without bias');
  const isQwen = architecture === 'Qwen2ForCausalLM';
  if (!isQwen && cfg.attention_bias === true)
    throw unsupported(
      'attention_bias',
      true,
      'attention_bias false for Llama/Mistral (o_proj biases are not supported)',
    );

  const hiddenSize = posInt(cfg, 'hidden_size');
  const numHeads = posInt(cfg, 'num_attention_heads');
  const numKvHeads = posInt(cfg, 'num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new ModelError(
      'model_folder_invalid',
      `config.json "num_attention_heads" (${numHeads}) must be a multiple of "num_key_value_heads" (${numKvHeads})`,
      { details: { field: 'num_key_value_heads' } },
    );
  }
  const headDimDefault = hiddenSize / numHeads;
  const headDim = posInt(cfg, 'head_dim', Number.isInteger(headDimDefault) ? headDimDefault : undefined);
  if (headDim % 2 !== 0)
    throw new ModelError('model_folder_invalid', `config.json head size ${headDim} must be even for RoPE`, {
      details: { field: 'head_dim' },
    });

  let slidingWindow: number | null = null;
  if (architecture === 'MistralForCausalLM' || (isQwen && cfg.use_sliding_window === true)) {
    if (cfg.sliding_window !== undefined && cfg.sliding_window !== null) slidingWindow = posInt(cfg, 'sliding_window');
    if (
      isQwen &&
      slidingWindow !== null &&
      cfg.max_window_layers !== undefined &&
      num(cfg, 'max_window_layers') < posInt(cfg, 'num_hidden_layers')
    ) {
      throw unsupported(
        'max_window_layers',
        cfg.max_window_layers,
        'sliding windows on all layers (max_window_layers >= num_hidden_layers) or use_sliding_window false',
      );
    }
  }

  const gen = (generationConfig && typeof generationConfig === 'object' ? generationConfig : {}) as Json;
  const eos = [
    ...new Set([
      ...idList(cfg.eos_token_id, 'eos_token_id'),
      ...idList(gen.eos_token_id, 'generation_config.eos_token_id'),
    ]),
  ];
  const bos = idList(cfg.bos_token_id ?? gen.bos_token_id, 'bos_token_id');

  return {
    architecture: architecture as ModelSpec['architecture'],
    hiddenSize,
    intermediateSize: posInt(cfg, 'intermediate_size'),
    numLayers: posInt(cfg, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: posInt(cfg, 'vocab_size'),
    maxPositions: posInt(cfg, 'max_position_embeddings', 2048),
    rmsNormEps: num(cfg, 'rms_norm_eps', 1e-6),
    ropeTheta: num(cfg, 'rope_theta', 10000),
    ropeScaling: parseRopeScaling(cfg.rope_scaling),
    slidingWindow,
    attentionBias: isQwen,
    tieWordEmbeddings: cfg.tie_word_embeddings === undefined ? false : cfg.tie_word_embeddings === true,
    bosTokenId: bos[0] ?? null,
    eosTokenIds: eos,
  };
}

/** The inverse, for generated models: a config.json object describing `spec`. */
export function specToConfigJson(spec: ModelSpec): Json {
  const modelType = { LlamaForCausalLM: 'llama', MistralForCausalLM: 'mistral', Qwen2ForCausalLM: 'qwen2' }[
    spec.architecture
  ];
  const cfg: Json = {
    architectures: [spec.architecture],
    model_type: modelType,
    hidden_size: spec.hiddenSize,
    intermediate_size: spec.intermediateSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads,
    head_dim: spec.headDim,
    vocab_size: spec.vocabSize,
    max_position_embeddings: spec.maxPositions,
    rms_norm_eps: spec.rmsNormEps,
    rope_theta: spec.ropeTheta,
    hidden_act: 'silu',
    tie_word_embeddings: spec.tieWordEmbeddings,
    bos_token_id: spec.bosTokenId,
    eos_token_id: spec.eosTokenIds.length === 1 ? spec.eosTokenIds[0] : spec.eosTokenIds,
    torch_dtype: 'float32',
  };
  if (spec.ropeScaling) {
    const r = spec.ropeScaling;
    cfg.rope_scaling = {
      rope_type: 'llama3',
      factor: r.factor,
      low_freq_factor: r.lowFreqFactor,
      high_freq_factor: r.highFreqFactor,
      original_max_position_embeddings: r.originalMaxPositions,
    };
  }
  if (spec.architecture === 'MistralForCausalLM') cfg.sliding_window = spec.slidingWindow;
  if (spec.architecture === 'Qwen2ForCausalLM') {
    cfg.use_sliding_window = spec.slidingWindow !== null;
    cfg.sliding_window = spec.slidingWindow ?? 4096;
    cfg.max_window_layers = spec.numLayers;
  }
  return cfg;
}
