// Shared contracts of the adapters/ folder. No runtime code here.
//
// Glossary (shapes): Din/Dout in/out features of the targeted projection, R the adapter's rank,
// L layers.
import type { LoraTarget } from '../kernels/types.ts';

/** One targeted projection of one layer, oriented for y = x·W + scale·(x·A)·B. */
export interface LoraPair {
  a: Float32Array; // [Din, R]   (PEFT stores lora_A.weight as [R, Din]: transposed on load)
  b: Float32Array; // [R, Dout]  (PEFT stores lora_B.weight as [Dout, R]: transposed on load)
}

/** An adapter's weights in host memory (the middle tier). */
export interface AdapterWeights {
  id: string;
  rank: number; // R
  /** Effective scale: lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora. Not folded into b. */
  scale: number;
  targets: LoraTarget[];
  /** layers[l].get(target) -> pair; absent targets contribute nothing. [L] */
  layers: Array<Map<LoraTarget, LoraPair>>;
  /** Sum of a.byteLength + b.byteLength over every pair. */
  bytes: number;
}

/** What a folder's small files say about an adapter (read without touching its weights). */
export interface AdapterMeta {
  id: string;
  /** Absolute folder path. */
  path: string;
  rank: number;
  alpha: number;
  useRslora: boolean;
  targets: LoraTarget[];
  /** adapter_config.json `base_model_name_or_path`, informational. */
  baseModel: string | null;
  /** From the optional loraledger.json beside adapter_config.json. */
  description: string | null;
  tags: string[];
  /** 0x-address paid the adapter's attribution share (loraledger.json `owner`). */
  owner: string | null;
}

/**
 * Registry state machine: registered -> loading -> ready | errored.
 * `registered`: known by folder only (start-up registration reads no weights).
 * `loading`: being validated / read. `ready`: validated against the base model.
 * `errored`: the reason says what is wrong; a later load may retry.
 */
export type AdapterState = 'registered' | 'loading' | 'ready' | 'errored';
