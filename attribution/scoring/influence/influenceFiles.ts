// An adapter's training manifest, as training-data influence reads it:
//
//   <adapter>/loraledger.json   training.examples [{id, content_hash, datanet, contributor}],
//                               training.hyperparameters.precision, training_manifest_hash
//                               (written by factory/jobs/provenance.ts)
// The example rows and gradients beside it are adapters/influenceRows.ts and adapters/gradientStore.ts.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ADAPTER_LEDGER_FILE } from '../../../adapters/index.ts';

/** A manifest entry: where the example came from and who is paid for it. */
export interface ManifestExample {
  id: string;
  content_hash: string;
  datanet: string | null;
  contributor: string | null;
}

export interface TrainingManifest {
  hash: string;
  /** hyperparameters.precision: the frozen base's precision it trained over (default fp32). */
  precision: 'fp32' | 'int8' | 'int4';
  /** training.job: the fine-tuning job that trained it, when a job did. */
  job: string | null;
  examples: ManifestExample[];
}

/** The adapter's training manifest, or null when loraledger.json has none (not factory-trained). */
export async function readTrainingManifest(adapterDir: string): Promise<TrainingManifest | null> {
  const file = join(adapterDir, ADAPTER_LEDGER_FILE);
  if (!existsSync(file)) return null;
  const ledger = JSON.parse(await readFile(file, 'utf8')) as {
    training?: {
      examples?: ManifestExample[];
      hyperparameters?: { precision?: 'fp32' | 'int8' | 'int4' };
      job?: unknown;
    };
    training_manifest_hash?: string;
  };
  const examples = ledger.training?.examples;
  if (!Array.isArray(examples) || examples.length === 0 || typeof ledger.training_manifest_hash !== 'string')
    return null;
  const precision = ledger.training?.hyperparameters?.precision ?? 'fp32';
  const job = typeof ledger.training?.job === 'string' ? ledger.training.job : null;
  return { hash: ledger.training_manifest_hash, precision, job, examples };
}
