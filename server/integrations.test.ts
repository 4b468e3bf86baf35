// The server's routing integration on the embedded default: lexical + base-model embedding "auto" routing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../kernels/model/index.ts';
import { AdapterRegistry } from '../adapters/index.ts';
import { quickEmbeddedDefault } from '../test/support/embeddedQuick.ts';
import { loadRoutingEmbeddings, loadServerTokenizer, makeAutoRouter } from './integrations.ts';

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
