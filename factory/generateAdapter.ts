// Seeded PEFT LoRA adapter writer for tests, the bench and the embedded demo.
// Writes what `PeftModel.save_pretrained` writes: adapter_config.json + adapter_model.safetensors
// (tensor names `base_model.model.model.layers.{l}.{self_attn|mlp}.{target}.lora_{A|B}.weight`,
// lora_A [R, Din], lora_B [Dout, R]) and, when given, loraledger.json.
//
// Unlike a freshly initialised PEFT adapter (B = 0), B is random and NON-zero so the adapter
// really changes the model's outputs.
//
// Glossary: Din/Dout in/out features of the projection, R rank, L layers.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Prng } from '../common/index.ts';
import { writeSafetensors, type SafetensorsDtype, type TensorToWrite } from '../kernels/model/index.ts';
import { LORA_TARGETS, targetShape, type LoraTarget, type ModelSpec } from '../kernels/model/index.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_LEDGER_FILE, ADAPTER_WEIGHTS_FILE, moduleKey } from '../adapters/index.ts';

export interface GenerateAdapterOptions {
  /** Folder to write into (created). */
  dir: string;
  spec: ModelSpec;
  seed: number;
  rank: number;
  /** Default: 2 * rank. */
  alpha?: number;
  /** Default: all seven projections. */
  targets?: readonly LoraTarget[];
  /** Stored dtype of the weights. Default F32. */
  dtype?: SafetensorsDtype;
  useRslora?: boolean;
  /** Standard deviation of B's entries (A uses 1/sqrt(Din)). Default 0.02. */
  bStd?: number;
  /** Written as `base_model_name_or_path`. */
  baseModel?: string;
  /** Writes loraledger.json when any of these is given. */
  description?: string;
  tags?: string[];
  owner?: string;
}

/** The tensor name PEFT saves for one LoRA matrix. */
export function loraTensorName(layer: number, target: LoraTarget, which: 'A' | 'B'): string {
  return `base_model.model.${moduleKey(layer, target)}.lora_${which}.weight`;
}

/** adapter_config.json as PEFT 0.x writes it (fields loraledger ignores kept for realism). */
export function peftConfigJson(o: {
  rank: number;
  alpha: number;
  targets: readonly LoraTarget[];
  useRslora: boolean;
  baseModel: string | null;
}): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: o.baseModel,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: o.alpha,
    lora_dropout: 0.0,
    modules_to_save: null,
    peft_type: 'LORA',
    r: o.rank,
    rank_pattern: {},
    revision: null,
    target_modules: [...o.targets],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: o.useRslora,
  };
}

/** Writes a seeded random adapter folder. Same options, same bytes. */
export async function generateAdapter(o: GenerateAdapterOptions): Promise<void> {
  const targets = o.targets ?? LORA_TARGETS;
  const rank = o.rank;
  const rng = new Prng(o.seed);
  const tensors: TensorToWrite[] = [];
  for (let l = 0; l < o.spec.numLayers; l++) {
    for (const t of LORA_TARGETS) {
      if (!targets.includes(t)) continue;
      const [din, dout] = targetShape(o.spec, t);
      const a = rng.fillUniform(new Float32Array(rank * din), 1 / Math.sqrt(din)); // [R, Din]
      const b = rng.fillUniform(new Float32Array(dout * rank), o.bStd ?? 0.02); // [Dout, R]
      tensors.push({ name: loraTensorName(l, t, 'A'), shape: [rank, din], data: a, dtype: o.dtype });
      tensors.push({ name: loraTensorName(l, t, 'B'), shape: [dout, rank], data: b, dtype: o.dtype });
    }
  }
  await mkdir(o.dir, { recursive: true });
  const config = peftConfigJson({
    rank,
    alpha: o.alpha ?? 2 * rank,
    targets,
    useRslora: o.useRslora ?? false,
    baseModel: o.baseModel ?? null,
  });
  await writeFile(join(o.dir, ADAPTER_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  await writeSafetensors(join(o.dir, ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  if (o.description !== undefined || o.tags !== undefined || o.owner !== undefined) {
    const ledger = { description: o.description ?? null, tags: o.tags ?? [], owner: o.owner ?? null };
    await writeFile(join(o.dir, ADAPTER_LEDGER_FILE), JSON.stringify(ledger, null, 2) + '\n');
  }
}
