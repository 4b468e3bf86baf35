// An adapter's LoRA weights in host memory, as the engine's slots and the reference forward read them.
//
// Glossary (shapes): Din/Dout in/out features of the targeted projection, R the adapter's rank,
// L layers.
import type { LoraTarget } from './modelSpec.ts';

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
