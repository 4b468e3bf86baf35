// The server's routing integration on the embedded default: lexical + base-model embedding "auto" routing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../kernels/model/index.ts';
import { AdapterRegistry } from '../adapters/index.ts';
import { quickEmbeddedDefault } from '../test/support/embeddedQuick.ts';
import {
  formatSeconds,
  loadRoutingEmbeddings,
  loadServerTokenizer,
  makeAutoRouter,
  progressBar,
} from './integrations.ts';

const base = mkdtempSync(join(tmpdir(), 'embedded-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
const first = quickEmbeddedDefault(join(base, 'one'));

test('"auto" on the demo: lexical + base-model embedding similarity, deterministic and explained', async () => {
  const { modelDir, adaptersDir } = await first;
  const { spec } = await loadCheckpoint(modelDir);
  const registry = new AdapterRegistry({ spec, roots: [adaptersDir] });
  registry.scanRoot(adaptersDir);
  const tok = await loadServerTokenizer(modelDir);
  const embeddings = await loadRoutingEmbeddings(modelDir, spec);
  assert.ok(embeddings);
  assert.deepEqual([embeddings.vocab, embeddings.dim], [spec.vocabSize, spec.hiddenSize]);
  assert.equal(
    await loadRoutingEmbeddings(modelDir, spec, spec.vocabSize * spec.hiddenSize * 4 - 1),
    null,
    'a table over the byte cap is not read',
  );
  const router = makeAutoRouter(registry, { embeddings, encode: (text) => tok.encode(text) });
  const rash = router.route({ text: 'What does this rash indicate?' });
  assert.equal(rash.adapterId, 'dermatology');
  assert.match(rash.reason, /^routed to dermatology .*lexical [0-9.]+, semantic [0-9.]+; matched rash/);
  assert.deepEqual(router.route({ text: 'What does this rash indicate?' }), rash, 'same prompt, same decision');
  // The embedding part moves scores: they differ from lexical-only routing.
  const lexicalOnly = makeAutoRouter(registry).route({ text: 'What does this rash indicate?' });
  assert.equal(lexicalOnly.adapterId, 'dermatology');
  assert.notEqual(rash.score, lexicalOnly.score);
  assert.equal(router.route({ text: 'Can my employer enforce this non-compete clause?' }).adapterId, 'contracts-law');
  assert.equal(router.route({ text: 'How long do I bake sourdough bread?' }).adapterId, 'cooking');
  assert.equal(router.route({ text: 'My Python function raises a KeyError' }).adapterId, 'python-code');
  assert.equal(router.route({ text: 'Who won the football match?' }).adapterId, null);
});

test('first-start progress: off a terminal, one line per 10% and per stage; on a terminal, a bar redrawn in place', () => {
  const lines: string[] = [];
  const pipe = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const report = progressBar(pipe);
  const at = (label: string, fraction: number, stage: 'base' | 'adapter' | 'done' = 'base') =>
    report({ stage, label, fraction, elapsed: 100 * fraction, step: 1, totalSteps: 10, loss: 2 });
  for (let i = 0; i <= 50; i++) at('base model', i / 100); // 0..50%: tenths 0..5
  at('adapter cooking', 0.51, 'adapter'); // a new stage in the same tenth
  at('done', 1, 'done');
  assert.equal(lines.length, 8);
  assert.match(
    lines[3]!,
    /^first start: building the embedded default: base model step 1\/10 loss 2\.000 30% ETA 1m10s \(30s\)\n$/,
  );
  assert.match(lines[6]!, /adapter cooking .* 51%/);
  assert.match(lines[7]!, / done .*100% \(1m40s\)\n$/);
  const tty: string[] = [];
  const term = { isTTY: true, write: (s: string) => tty.push(s) } as unknown as NodeJS.WriteStream;
  progressBar(term)({ stage: 'base', label: 'base model', fraction: 0.5, elapsed: 60 });
  assert.match(tty[0]!, /^\r\[#{12}\.{12}\] first start: .* 50% ETA 1m00s \(1m00s\)\x1b\[K$/);
  assert.deepEqual([59.6, 60, 119.5, 3599.7].map(formatSeconds), ['1m00s', '1m00s', '2m00s', '60m00s']);
});
