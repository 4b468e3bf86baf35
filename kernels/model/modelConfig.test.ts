import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelError } from '../../common/index.ts';
import { parseModelConfig, specToConfigJson } from './modelConfig.ts';
import { SMOLLM_135M_SPEC } from '../../factory/index.ts';

const llama = {
  architectures: ['LlamaForCausalLM'],
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  hidden_act: 'silu',
  tie_word_embeddings: true,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  rope_scaling: {
    rope_type: 'llama3',
    factor: 32,
    low_freq_factor: 1,
    high_freq_factor: 4,
    original_max_position_embeddings: 8192,
  },
};

test('Llama-3.2 style config: head_dim derived, llama3 rope scaling, eos list merged with generation_config', () => {
  const spec = parseModelConfig(llama, { eos_token_id: [128001, 128009, 128010] });
  assert.equal(spec.headDim, 64);
  assert.deepEqual(spec.ropeScaling, {
    type: 'llama3',
    factor: 32,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositions: 8192,
  });
  assert.deepEqual(spec.eosTokenIds, [128001, 128008, 128009, 128010]);
  assert.equal(spec.bosTokenId, 128000);
  assert.equal(spec.slidingWindow, null);
  assert.equal(spec.attentionBias, false);
});

test('Mistral sliding window, Qwen2 biases and explicit head_dim', () => {
  const m = parseModelConfig({
    ...llama,
    rope_scaling: null,
    architectures: ['MistralForCausalLM'],
    sliding_window: 4096,
    head_dim: 128,
  });
  assert.equal(m.slidingWindow, 4096);
  assert.equal(m.headDim, 128);
  const q = parseModelConfig({
    ...llama,
    rope_scaling: null,
    architectures: ['Qwen2ForCausalLM'],
    use_sliding_window: false,
    sliding_window: 4096,
  });
  assert.equal(q.attentionBias, true);
  assert.equal(q.slidingWindow, null);
});

test('errors name the field', () => {
  const bad = (cfg: unknown, code: string, re: RegExp): void =>
    assert.throws(
      () => parseModelConfig(cfg),
      (e: unknown) => e instanceof ModelError && e.code === code && re.test(e.message),
    );
  bad({ ...llama, num_attention_heads: undefined }, 'model_folder_invalid', /"num_attention_heads"/);
  bad({ ...llama, hidden_size: '2048' }, 'model_folder_invalid', /"hidden_size" must be a number/);
  bad({ ...llama, num_key_value_heads: 5 }, 'model_folder_invalid', /"num_key_value_heads"/);
  bad({ ...llama, architectures: ['FalconForCausalLM'] }, 'unsupported_architecture', /"architectures"/);
  bad({ ...llama, hidden_act: 'gelu_pytorch_tanh' }, 'unsupported_architecture', /"hidden_act"/);
  bad({ ...llama, rope_scaling: { type: 'linear', factor: 2 } }, 'unsupported_architecture', /rope_scaling\.rope_type/);
  bad(
    { ...llama, rope_scaling: { rope_type: 'llama3', factor: 8 } },
    'model_folder_invalid',
    /rope_scaling\.low_freq_factor/,
  );
  bad({ ...llama, attention_bias: true }, 'unsupported_architecture', /"attention_bias"/);
  bad([], 'model_folder_invalid', /JSON object/);
});

test('specToConfigJson round-trips', () => {
  assert.deepEqual(parseModelConfig(specToConfigJson(SMOLLM_135M_SPEC)), SMOLLM_135M_SPEC);
});
