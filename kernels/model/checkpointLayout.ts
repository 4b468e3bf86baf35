// The Hugging Face tensor names and shapes of a Llama-family checkpoint, from its ModelSpec.
// Linear weights are stored [out, in] (y = x·W^T). Glossary: D hidden, I intermediate, V vocab,
// H heads, Hkv kv heads, Dh head size.
import type { ModelSpec } from './modelSpec.ts';

export interface ExpectedTensor {
  name: string;
  shape: number[];
  /** What it is, for init scales: 'embed' | 'norm' | 'linear' | 'bias'. */
  kind: 'embed' | 'norm' | 'linear' | 'bias';
}

export const layerPrefix = (l: number): string => `model.layers.${l}`;

/** Every tensor the folder must hold, in a stable order. */
export function expectedTensors(spec: ModelSpec): ExpectedTensor[] {
  const { hiddenSize: D, intermediateSize: I, vocabSize: V } = spec;
  const q = spec.numHeads * spec.headDim;
  const kv = spec.numKvHeads * spec.headDim;
  const out: ExpectedTensor[] = [{ name: 'model.embed_tokens.weight', shape: [V, D], kind: 'embed' }];
  for (let l = 0; l < spec.numLayers; l++) {
    const p = layerPrefix(l);
    out.push({ name: `${p}.input_layernorm.weight`, shape: [D], kind: 'norm' });
    out.push({ name: `${p}.self_attn.q_proj.weight`, shape: [q, D], kind: 'linear' });
    out.push({ name: `${p}.self_attn.k_proj.weight`, shape: [kv, D], kind: 'linear' });
    out.push({ name: `${p}.self_attn.v_proj.weight`, shape: [kv, D], kind: 'linear' });
    if (spec.attentionBias) {
      out.push({ name: `${p}.self_attn.q_proj.bias`, shape: [q], kind: 'bias' });
      out.push({ name: `${p}.self_attn.k_proj.bias`, shape: [kv], kind: 'bias' });
      out.push({ name: `${p}.self_attn.v_proj.bias`, shape: [kv], kind: 'bias' });
    }
    out.push({ name: `${p}.self_attn.o_proj.weight`, shape: [D, q], kind: 'linear' });
    out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [D], kind: 'norm' });
    out.push({ name: `${p}.mlp.gate_proj.weight`, shape: [I, D], kind: 'linear' });
    out.push({ name: `${p}.mlp.up_proj.weight`, shape: [I, D], kind: 'linear' });
    out.push({ name: `${p}.mlp.down_proj.weight`, shape: [D, I], kind: 'linear' });
  }
  out.push({ name: 'model.norm.weight', shape: [D], kind: 'norm' });
  if (!spec.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [V, D], kind: 'linear' });
  return out;
}

/** HF name of a LoRA-targetable projection's weight in layer l. */
export function projectionWeightName(l: number, target: string): string {
  const mlp = target === 'gate_proj' || target === 'up_proj' || target === 'down_proj';
  return `${layerPrefix(l)}.${mlp ? 'mlp' : 'self_attn'}.${target}.weight`;
}
