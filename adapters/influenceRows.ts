// What the factory keeps beside an adapter for its training-data influence (attribution/scoring/influence):
//
//   <adapter>/influence/examples.json    {manifest_hash, examples: [{id, tokens, weights}]}: the
//                                        token rows the adapter trained on, so gradients can be
//                                        recomputed (a new projection, a lost gradient file)
//   <adapter>/influence/gradients.bin    per-example gradients (./gradientStore.ts)
// Both belong to the manifest whose hash they name (loraledger.json training_manifest_hash).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const INFLUENCE_DIR = 'influence';
export const influenceFiles = (adapterDir: string) => ({
  examples: join(adapterDir, INFLUENCE_DIR, 'examples.json'),
  gradients: join(adapterDir, INFLUENCE_DIR, 'gradients.bin'),
});

/**
 * A temporary name beside `file`, unique to this writer: two writers of one file (two processes on
 * a shared adapter folder, or two calls racing) never share a temporary, so each rename is whole.
 */
export const tempPathBeside = (file: string): string => `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;

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
  const tmp = tempPathBeside(file);
  await writeFile(tmp, JSON.stringify({ manifest_hash: manifestHash, examples }));
  await rename(tmp, file); // atomic: readers see the old file or the whole new one
}

/** The stored token rows for this manifest, or null when they are gone or belong to another one. */
export async function readExampleRows(adapterDir: string, manifestHash: string): Promise<ExampleRow[] | null> {
  const file = influenceFiles(adapterDir).examples;
  if (!existsSync(file)) return null;
  const body = JSON.parse(await readFile(file, 'utf8')) as { manifest_hash: string; examples: ExampleRow[] };
  return body.manifest_hash === manifestHash ? body.examples : null;
}
