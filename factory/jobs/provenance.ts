// An adapter's provenance, as the factory writes it into the adapter folder's loraledger.json:
//
//   { description, tags, owner,
//     training: { base_model: {id, content_hash}, hyperparameters, seed,
//                 examples: [{id, content_hash, datanet, contributor}], ...extra },
//     training_manifest_hash: "0x" + sha256(canonical JSON of `training`) }
//
// Written by fine-tuning jobs (./fineTuner.ts) and by the embedded default's first start
// (factory/demo); training-data attribution pays from `training.examples`.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointFiles, type WeightPrecision } from '../../kernels/model/index.ts';
import { ADAPTER_LEDGER_FILE } from '../../adapters/index.ts';
import type { LoraTrainConfig } from '../train/trainLora.ts';

export interface ExampleSource {
  datanet: string | null;
  contributor: string | null;
  contentHash: string;
}

export interface AdapterLedger {
  description: string;
  tags: string[];
  owner: string | null;
  training: Record<string, unknown>;
}

/** JSON with sorted keys, so equal content hashes equally. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 over config.json and every weight file's bytes, in order. */
export async function hashModel(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const file of [join(dir, 'config.json'), ...(await checkpointFiles(dir))]) {
    if (!existsSync(file)) continue;
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/** The `training` manifest: base model, hyperparameters, seed, and every training example's source. */
export function trainingManifest(o: {
  baseModel: { id: string; contentHash: string };
  config: LoraTrainConfig;
  /** The frozen base's precision (hyperparameters.precision); omitted, not recorded. */
  precision?: WeightPrecision;
  examples: ReadonlyArray<{ id: string }>;
  sources: ReadonlyMap<string, ExampleSource>;
}): Record<string, unknown> {
  const c = o.config;
  return {
    base_model: { id: o.baseModel.id, content_hash: `0x${o.baseModel.contentHash}` },
    hyperparameters: {
      lora_r: c.rank,
      lora_alpha: c.alpha,
      use_rslora: c.useRslora,
      target_modules: [...c.targets],
      learning_rate: c.learningRate,
      n_epochs: c.epochs,
      batch_size: c.batchSize,
      gradient_accumulation_steps: c.gradientAccumulationSteps,
      lr_scheduler: c.lrScheduler,
      warmup_steps: c.warmupSteps,
      weight_decay: c.weightDecay,
      max_grad_norm: c.maxGradNorm,
      ...(o.precision ? { precision: o.precision } : {}),
    },
    seed: c.seed,
    // one entry per example id (a document may give more than one row)
    examples: [...new Map(o.examples.map((e) => [e.id, e])).values()].map((e) => {
      const src = o.sources.get(e.id);
      if (!src) throw new Error(`trainingManifest: no source for example ${e.id}`);
      return { id: e.id, content_hash: src.contentHash, datanet: src.datanet, contributor: src.contributor };
    }),
  };
}

/** Writes <dir>/loraledger.json with the manifest's hash; returns that hash ("0x" + hex). */
export async function writeAdapterLedger(dir: string, ledger: AdapterLedger): Promise<string> {
  const hash = `0x${sha256(canonical(ledger.training))}`;
  await writeFile(
    join(dir, ADAPTER_LEDGER_FILE),
    JSON.stringify({ ...ledger, training_manifest_hash: hash }, null, 2) + '\n',
  );
  return hash;
}
