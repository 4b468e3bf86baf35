// What the factory keeps beside an adapter for its training-data influence (attribution/scoring/influence):
//
//   <adapter>/influence/examples.json    {manifest_hash, examples: [{id, tokens, weights}]}: the
//                                        token rows the adapter trained on, so gradients can be
//                                        recomputed (a new projection, a lost gradient file)
//   <adapter>/influence/gradients.bin    per-example gradients (./gradientStore.ts)
// Both belong to the manifest whose hash they name (loraledger.json training_manifest_hash).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const INFLUENCE_DIR = 'influence';
export const influenceFiles = (adapterDir: string) => ({
  examples: join(adapterDir, INFLUENCE_DIR, 'examples.json'),
  gradients: join(adapterDir, INFLUENCE_DIR, 'gradients.bin'),
});

/** One token row the adapter trained on (factory/train's TrainExample fits). */
export interface ExampleRow {
  id: string;
  tokens: number[];
  /** weights[t] = 1 when tokens[t] is a loss target. */
  weights: number[];
}

export async function writeExampleRows(
  adapterDir: string,
  manifestHash: string,
  rows: readonly ExampleRow[],
): Promise<void> {
  const file = influenceFiles(adapterDir).examples;
  await mkdir(join(adapterDir, INFLUENCE_DIR), { recursive: true });
  const examples = rows.map((r) => ({ id: r.id, tokens: r.tokens, weights: r.weights }));
  await writeFile(`${file}.tmp`, JSON.stringify({ manifest_hash: manifestHash, examples }));
  await rename(`${file}.tmp`, file);
}

/** The stored token rows for this manifest, or null when they are gone or belong to another one. */
export async function readExampleRows(adapterDir: string, manifestHash: string): Promise<ExampleRow[] | null> {
  const file = influenceFiles(adapterDir).examples;
  if (!existsSync(file)) return null;
  const body = JSON.parse(await readFile(file, 'utf8')) as { manifest_hash: string; examples: ExampleRow[] };
  return body.manifest_hash === manifestHash ? body.examples : null;
}
