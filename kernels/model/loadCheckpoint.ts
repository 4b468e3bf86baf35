// Loads a Hugging Face Llama-family folder: config.json (+ generation_config.json) -> ModelSpec,
// safetensors weights (single file or shards) widened to fp32, every expected tensor checked by
// name and shape. Problems are ModelError naming the folder, file, field or tensor.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../../common/index.ts';
import { expectedTensors } from './checkpointLayout.ts';
import { parseModelConfig } from './modelConfig.ts';
import { readCheckpointTensors, type Tensor } from './safetensors.ts';
import type { ModelSpec } from './modelSpec.ts';

export interface Checkpoint {
  spec: ModelSpec;
  /** HF name -> fp32 tensor (Linear weights [out, in]). lm_head.weight absent when tied. */
  tensors: Map<string, Tensor>;
  dir: string;
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  if (!existsSync(file)) {
    if (required) throw new ModelError('model_folder_invalid', `${file} is missing`, { details: { file } });
    return undefined;
  }
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ModelError('model_folder_invalid', `${file} is not valid JSON (${(cause as Error).message})`, {
      details: { file },
      cause,
    });
  }
}

/** Reads only config.json / generation_config.json (cheap). */
export async function loadModelSpec(dir: string): Promise<ModelSpec> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelError('model_folder_invalid', `model folder ${dir} does not exist or is not a directory`, {
      details: { dir },
    });
  }
  const config = await readJson(join(dir, 'config.json'), true);
  const gen = await readJson(join(dir, 'generation_config.json'), false);
  return parseModelConfig(config, gen);
}

export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const spec = await loadModelSpec(dir);
  const tensors = await readCheckpointTensors(dir);
  for (const want of expectedTensors(spec)) {
    const got = tensors.get(want.name);
    if (!got) {
      throw new ModelError(
        'safetensors_invalid',
        `model folder ${dir} has no tensor ${want.name} (expected shape [${want.shape}])`,
        { details: { tensor: want.name } },
      );
    }
    if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
      throw new ModelError(
        'safetensors_invalid',
        `tensor ${want.name} has shape [${got.shape}] but config.json implies [${want.shape}]`,
        { details: { tensor: want.name, expected: want.shape, actual: got.shape } },
      );
    }
  }
  // Some tied checkpoints still ship lm_head.weight (a copy); the embedding is the one we use.
  if (spec.tieWordEmbeddings) tensors.delete('lm_head.weight');
  return { spec, tensors, dir };
}
