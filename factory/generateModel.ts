// Seeded random Llama-family checkpoints in Hugging Face layout, for tests, the bench and the
// embedded default model: config.json + generation_config.json + model.safetensors (or shards with
// model.safetensors.index.json). Deterministic: same options -> same bytes.
//
// Init (keeps activations O(1) at any size): linear W ~ U with std 1/sqrt(fan_in) (o_proj and
// down_proj further / sqrt(2L)), embeddings std 3/sqrt(D) (logits std ~3 through a tied head),
// norms 1 ± 0.1, biases std 0.1. Glossary: D hidden, L layers, V vocab.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../common/index.ts';
import { Prng } from '../common/index.ts';
import { expectedTensors } from '../kernels/model/index.ts';
import { specToConfigJson } from '../kernels/model/index.ts';
import { writeSafetensors, type SafetensorsDtype, type TensorToWrite } from '../kernels/model/index.ts';
import type { ModelSpec } from '../kernels/model/index.ts';

export interface GenerateModelOptions extends Partial<ModelSpec> {
  /** Folder to write (created). */
  dir: string;
  seed: number;
  /** Stored dtype, default F32. */
  dtype?: SafetensorsDtype;
  /** Number of safetensors shards; 1 (default) writes model.safetensors. */
  shards?: number;
  /** Extra factor on o_proj / down_proj init (default 1): small values shrink every layer's residual update. */
  residualScale?: number;
  /** Tensors to write instead of random ones, by checkpoint name (sizes must match the layout). */
  overrides?: Record<string, Float32Array>;
}

/** A tiny default shape (fast tests). */
export const TINY_SPEC: ModelSpec = {
  architecture: 'LlamaForCausalLM',
  hiddenSize: 64,
  intermediateSize: 128,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  vocabSize: 256,
  maxPositions: 512,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: null,
  slidingWindow: null,
  attentionBias: false,
  tieWordEmbeddings: true,
  bosTokenId: 1,
  eosTokenIds: [2],
};

/** SmolLM-135M's shape (HuggingFaceTB/SmolLM-135M): the bench model. */
export const SMOLLM_135M_SPEC: ModelSpec = {
  ...TINY_SPEC,
  hiddenSize: 576,
  intermediateSize: 1536,
  numLayers: 30,
  numHeads: 9,
  numKvHeads: 3,
  headDim: 64,
  vocabSize: 49152,
  maxPositions: 2048,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
  bosTokenId: 0,
  eosTokenIds: [0],
};

/** Writes the folder; returns the spec it describes. */
export async function generateModel(opts: GenerateModelOptions): Promise<ModelSpec> {
  const { dir, seed, dtype = 'F32', shards = 1, residualScale = 1, overrides = {}, ...fields } = opts;
  const spec: ModelSpec = { ...TINY_SPEC, ...fields } as ModelSpec;
  if (fields.headDim === undefined && (fields.hiddenSize !== undefined || fields.numHeads !== undefined)) {
    spec.headDim = spec.hiddenSize / spec.numHeads;
  }
  spec.attentionBias = spec.architecture === 'Qwen2ForCausalLM';
  await mkdir(dir, { recursive: true });
  const rng = new Prng(seed);
  const tensors: TensorToWrite[] = [];
  for (const t of expectedTensors(spec)) {
    const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
    const given = overrides[t.name];
    if (given && given.length !== data.length)
      throw new ModelError(
        'internal_error',
        `generateModel: override ${t.name} has ${given.length} values, the layout needs ${data.length}`,
      );
    if (given) data.set(given);
    else if (t.kind === 'embed') rng.fillUniform(data, 3 / Math.sqrt(spec.hiddenSize));
    else if (t.kind === 'norm') rng.fillUniform(data, 0.1, 1);
    else if (t.kind === 'bias') rng.fillUniform(data, 0.1);
    else {
      const residualOut = t.name.endsWith('o_proj.weight') || t.name.endsWith('down_proj.weight');
      rng.fillUniform(
        data,
        1 / Math.sqrt(t.shape[1]!) / (residualOut ? Math.sqrt(2 * spec.numLayers) / residualScale : 1),
      );
    }
    tensors.push({ name: t.name, shape: t.shape, data, dtype });
  }
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify(
      { ...specToConfigJson(spec), torch_dtype: { F32: 'float32', BF16: 'bfloat16', F16: 'float16' }[dtype] },
      null,
      2,
    ),
  );
  await writeFile(
    join(dir, 'generation_config.json'),
    JSON.stringify({ bos_token_id: spec.bosTokenId, eos_token_id: spec.eosTokenIds }, null, 2),
  );
  if (shards <= 1) {
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    return spec;
  }
  // Split into `shards` runs of roughly equal size, in order.
  const total = tensors.reduce((a, t) => a + t.data.length, 0);
  const weightMap: Record<string, string> = {};
  const pad = (n: number): string => String(n).padStart(5, '0');
  let start = 0;
  let acc = 0;
  for (let s = 0; s < shards; s++) {
    let end = start;
    const goal = (total * (s + 1)) / shards;
    while (end < tensors.length && (s === shards - 1 || acc + tensors[end]!.data.length <= goal || end === start))
      acc += tensors[end++]!.data.length;
    const file = `model-${pad(s + 1)}-of-${pad(shards)}.safetensors`;
    const part = tensors.slice(start, end);
    for (const t of part) weightMap[t.name] = file;
    await writeSafetensors(join(dir, file), part, { format: 'pt' });
    start = end;
  }
  const bytesPer = dtype === 'F32' ? 4 : 2;
  await writeFile(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: total * bytesPer }, weight_map: weightMap }, null, 2),
  );
  return spec;
}
