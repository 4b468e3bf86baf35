// The engine sizes whose default is 0 ("sized at start"), chosen from the model and the machine
// once the model's spec is known (buildApp). A value the operator set is kept as it is.
//
//   adapter = fp32 A and B of every LoRA target of every layer at max-lora-rank:
//             sum over layers and targets of (Din + Dout) * R * 4 bytes
//   active  = min(max-batch-size, max-cached-adapters if set, floor(memory / 8 / adapter)), >= 1
//             (a slot per batch row: rows never wait for a slot, and a popular adapter's rows spread
//             over copies; on CPU the slot stacks are zero pages until an adapter is written)
//   cached  = max(64, active), at most floor(memory / 4 / adapter) but >= active
//   bytes   = ceil(1.1 * cached * adapter)
import { totalmem } from 'node:os';
import { LORA_TARGETS, targetShape, type ModelSpec } from '../kernels/model/index.ts';
import type { Config } from './configSchema.ts';

/** Bytes of one fp32 adapter of rank `rank` on every LoRA target of every layer. */
export function adapterBytes(spec: ModelSpec, rank: number): number {
  let perLayer = 0;
  for (const t of LORA_TARGETS) {
    const [din, dout] = targetShape(spec, t);
    perLayer += (din + dout) * rank * 4;
  }
  return perLayer * spec.numLayers;
}

export type EngineSizes = Pick<Config, 'maxActiveAdapters' | 'maxCachedAdapters' | 'maxCachedAdapterBytes'>;

/** The sized values of the three adapter settings (explicit ones kept). */
export function engineSizes(config: Config, spec: ModelSpec, memoryBytes = totalmem()): EngineSizes {
  const one = adapterBytes(spec, config.maxLoraRank);
  const fit = (share: number): number => Math.max(1, Math.floor((memoryBytes * share) / one));
  const active =
    config.maxActiveAdapters ||
    Math.max(1, Math.min(config.maxBatchSize, config.maxCachedAdapters || Infinity, fit(1 / 8)));
  const cached = config.maxCachedAdapters || Math.max(active, Math.min(Math.max(64, active), fit(1 / 4)));
  const bytes = config.maxCachedAdapterBytes || Math.ceil(1.1 * cached * one);
  return { maxActiveAdapters: active, maxCachedAdapters: cached, maxCachedAdapterBytes: bytes };
}

/** `config` with its sized values filled in (frozen, like loadConfig's result). */
export function sizeEngine(config: Config, spec: ModelSpec, memoryBytes = totalmem()): Config {
  return Object.freeze({ ...config, ...engineSizes(config, spec, memoryBytes) });
}
