// What the factory keeps beside an adapter for its training-data influence:
//
//   <adapter>/loraledger.json            training.examples [{id, content_hash, datanet, contributor}],
//                                        training_manifest_hash   (factory/jobs/provenance.ts)
//   <adapter>/influence/examples.json    {manifest_hash, examples: [{id, tokens, weights}]}: the
//                                        token rows the adapter trained on, so gradients can be
//                                        recomputed (a new projection, a lost gradient file)
//   <adapter>/influence/gradients.bin    per-example gradients (./gradientStore.ts)
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const INFLUENCE_DIR = 'influence';
export const LEDGER_FILE = 'loraledger.json';
export const influenceFiles = (adapterDir: string) => ({
  examples: join(adapterDir, INFLUENCE_DIR, 'examples.json'),
  gradients: join(adapterDir, INFLUENCE_DIR, 'gradients.bin'),
});

/** One token row the adapter trained on (factory/train's TrainExample). */
export interface ExampleRow {
  id: string;
  tokens: number[];
  /** weights[t] = 1 when tokens[t] is a loss target. */
  weights: number[];
}

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
  examples: ManifestExample[];
}

/** The adapter's training manifest, or null when loraledger.json has none (not factory-trained). */
export async function readTrainingManifest(adapterDir: string): Promise<TrainingManifest | null> {
  const file = join(adapterDir, LEDGER_FILE);
  if (!existsSync(file)) return null;
  const ledger = JSON.parse(await readFile(file, 'utf8')) as {
    training?: { examples?: ManifestExample[]; hyperparameters?: { precision?: 'fp32' | 'int8' | 'int4' } };
    training_manifest_hash?: string;
  };
  const examples = ledger.training?.examples;
  if (!Array.isArray(examples) || examples.length === 0 || typeof ledger.training_manifest_hash !== 'string')
    return null;
  const precision = ledger.training?.hyperparameters?.precision ?? 'fp32';
  return { hash: ledger.training_manifest_hash, precision, examples };
}

export async function writeExampleRows(adapterDir: string, manifestHash: string, rows: readonly ExampleRow[]) {
  const file = influenceFiles(adapterDir).examples;
  await mkdir(join(adapterDir, INFLUENCE_DIR), { recursive: true });
  const body = {
    manifest_hash: manifestHash,
    examples: rows.map((r) => ({ id: r.id, tokens: r.tokens, weights: r.weights })),
  };
  await writeFile(`${file}.tmp`, JSON.stringify(body));
  await rename(`${file}.tmp`, file);
}

/** The stored token rows for this manifest, or null when they are gone or belong to another one. */
export async function readExampleRows(adapterDir: string, manifestHash: string): Promise<ExampleRow[] | null> {
  const file = influenceFiles(adapterDir).examples;
  if (!existsSync(file)) return null;
  const body = JSON.parse(await readFile(file, 'utf8')) as { manifest_hash: string; examples: ExampleRow[] };
  return body.manifest_hash === manifestHash ? body.examples : null;
}
