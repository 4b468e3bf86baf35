// The model description every layer shares: the Llama shape read from config.json, and the
// projections a LoRA adapter may target. No runtime code here but the shape helper.
//
// Glossary (shapes):
//   B   rows in one forward call (sequences)          T   new tokens per row in the call
//   N   B*T flattened token positions                  P   positions per row whose logits are wanted
//   C   KV-cache capacity (positions) of the call       D   hidden size
//   H   attention heads      Hkv  key/value heads       Dh  head size (D / H unless config says)
//   I   MLP intermediate size                          V   vocabulary size
//   L   layers               R   max LoRA rank          K   adapter slots fed to this call
//   M   rows (tokens) per adapter bucket in this call

/** The seven Llama projections a LoRA adapter may target (PEFT `target_modules` names). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/**
 * Targets that read the same input (the attention norm for q|k|v, the MLP norm for gate|up): their
 * A matrices sit side by side in one stack [.., Din, n*R] (target i of the group in columns
 * i*R .. i*R+R-1), so one MatMul computes every x·A of the group, as one MatMul computes their
 * base projections. Every target is in exactly one group (checked in loraPlan.test.ts).
 */
export const LORA_A_GROUPS: ReadonlyArray<readonly LoraTarget[]> = [
  ['q_proj', 'k_proj', 'v_proj'],
  ['o_proj'],
  ['gate_proj', 'up_proj'],
  ['down_proj'],
];

/** Everything the graph builder and the reference forward need from config.json. */
export interface ModelSpec {
  architecture: 'LlamaForCausalLM' | 'MistralForCausalLM' | 'Qwen2ForCausalLM';
  hiddenSize: number; // D
  intermediateSize: number; // I
  numLayers: number; // L
  numHeads: number; // H
  numKvHeads: number; // Hkv
  headDim: number; // Dh
  vocabSize: number; // V
  maxPositions: number; // max_position_embeddings
  rmsNormEps: number;
  ropeTheta: number;
  /** Llama-3 style `rope_scaling` ({rope_type: "llama3", factor, low_freq_factor, high_freq_factor, original_max_position_embeddings}); null = none. */
  ropeScaling: {
    type: 'llama3';
    factor: number;
    lowFreqFactor: number;
    highFreqFactor: number;
    originalMaxPositions: number;
  } | null;
  /** Mistral sliding window (positions a query may look back, itself included); null = full attention. */
  slidingWindow: number | null;
  /** Qwen2: q/k/v projections carry biases. */
  attentionBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  /** All ids that end generation (config + generation_config). */
  eosTokenIds: number[];
}

/** In/out feature sizes of each LoRA target for a spec: [Din, Dout]. */
export function targetShape(spec: ModelSpec, target: LoraTarget): [number, number] {
  const q = spec.numHeads * spec.headDim;
  const kv = spec.numKvHeads * spec.headDim;
  switch (target) {
    case 'q_proj':
      return [spec.hiddenSize, q];
    case 'k_proj':
      return [spec.hiddenSize, kv];
    case 'v_proj':
      return [spec.hiddenSize, kv];
    case 'o_proj':
      return [q, spec.hiddenSize];
    case 'gate_proj':
      return [spec.hiddenSize, spec.intermediateSize];
    case 'up_proj':
      return [spec.hiddenSize, spec.intermediateSize];
    case 'down_proj':
      return [spec.intermediateSize, spec.hiddenSize];
  }
}

export type WeightPrecision = 'fp32' | 'int8' | 'int4';
