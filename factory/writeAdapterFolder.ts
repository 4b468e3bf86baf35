// Writes a PEFT LoRA adapter folder as `PeftModel.save_pretrained` does: adapter_config.json,
// adapter_model.safetensors (tensor names `base_model.model.model.layers.{l}.{self_attn|mlp}.
// {target}.lora_{A|B}.weight`, lora_A [R, Din], lora_B [Dout, R]) and, when given, loraledger.json.
// Used by the seeded generator (tests, bench, demo) and by the factory's trained adapters.
//
// Glossary: Din/Dout in/out features of the projection, R rank, L layers.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  writeSafetensors,
  type LoraTarget,
  type SafetensorsDtype,
  type TensorToWrite,
} from '../kernels/model/index.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_LEDGER_FILE, ADAPTER_WEIGHTS_FILE, moduleKey } from '../adapters/index.ts';

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

/** One LoRA pair in PEFT's orientation: a [R, Din] (lora_A), b [Dout, R] (lora_B). */
export interface PeftPair {
  layer: number;
  target: LoraTarget;
  a: Float32Array; // [R, Din]
  b: Float32Array; // [Dout, R]
  din: number;
  dout: number;
}

export interface AdapterFolder {
  dir: string;
  rank: number;
  alpha: number;
  targets: readonly LoraTarget[];
  useRslora: boolean;
  baseModel: string | null;
  pairs: PeftPair[];
  dtype?: SafetensorsDtype;
  /** loraledger.json; omitted when undefined. */
  ledger?: Record<string, unknown>;
}

export async function writeAdapterFolder(o: AdapterFolder): Promise<void> {
  const tensors: TensorToWrite[] = [];
  for (const p of o.pairs) {
    tensors.push({ name: loraTensorName(p.layer, p.target, 'A'), shape: [o.rank, p.din], data: p.a, dtype: o.dtype });
    tensors.push({ name: loraTensorName(p.layer, p.target, 'B'), shape: [p.dout, o.rank], data: p.b, dtype: o.dtype });
  }
  await mkdir(o.dir, { recursive: true });
  const config = peftConfigJson(o);
  await writeFile(join(o.dir, ADAPTER_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  await writeSafetensors(join(o.dir, ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  if (o.ledger) await writeFile(join(o.dir, ADAPTER_LEDGER_FILE), JSON.stringify(o.ledger, null, 2) + '\n');
}
