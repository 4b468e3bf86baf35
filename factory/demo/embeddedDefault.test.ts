// The embedded default's first-start build, on the `quick` profile (the same code path as `full`:
// tokenizer, base pretraining through the training graph, one LoRA adapter per domain, provenance,
// DataNet seeds) so the test takes seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadCheckpoint, loadTokenizer } from '../../kernels/model/index.ts';
import { referenceLogits } from '../../kernels/index.ts';
import { AdapterRegistry, loadAdapterWeights, readAdapterMeta } from '../../adapters/index.ts';
import { documentId, keccak256 } from '../../attribution/index.ts';
import { quickEmbeddedDefault } from '../../test/support/embeddedQuick.ts';
import { canonical, sha256 } from '../jobs/provenance.ts';
import { DEMO_DOMAINS } from './corpus/index.ts';
import { EMBEDDED_DEFAULT_VERSION, EMBEDDED_MODEL_NAME, type EmbeddedProgress } from './embeddedDefault.ts';

const base = mkdtempSync(join(tmpdir(), 'embedded-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

function files(dir: string, out = new Map<string, Buffer>(), root = dir): Map<string, Buffer> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out, root);
    else out.set(relative(root, p), readFileSync(p));
  }
  return out;
}

// a first start killed midway left its temporary folder (its pid is gone): the next build removes it
const abandoned = join(base, 'one', EMBEDDED_DEFAULT_VERSION, '.tmp-quick-2147483646-dead');
mkdirSync(abandoned, { recursive: true });
const progress: EmbeddedProgress[] = [];
const first = quickEmbeddedDefault(join(base, 'one'), (p) => progress.push(p));
const root = join(base, 'one', EMBEDDED_DEFAULT_VERSION, 'quick');

test('builds the model and domain adapters deterministically (same bytes twice), atomically, once', async () => {
  const a = await first;
  const b = await quickEmbeddedDefault(join(base, 'two'));
  assert.equal(a.modelDir, join(root, EMBEDDED_MODEL_NAME));
  const fa = files(join(base, 'one'));
  const fb = files(join(base, 'two'));
  assert.deepEqual([...fa.keys()], [...fb.keys()]);
  for (const [k, v] of fa) assert.ok(v.equals(fb.get(k)!), `${k} differs between two builds`);
  for (const want of [
    'config.json',
    'generation_config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]) {
    assert.ok(fa.has(join(EMBEDDED_DEFAULT_VERSION, 'quick', EMBEDDED_MODEL_NAME, want)), `missing ${want}`);
  }
  assert.ok(![...fa.keys()].some((k) => k.includes('.tmp-') || k.includes('.work')), 'no work folder left behind');
  assert.ok(!existsSync(abandoned), 'the abandoned build folder was removed');
  const marker = join(root, 'loraledger-embedded.json');
  const before = statSync(marker).mtimeMs;
  assert.deepEqual(await quickEmbeddedDefault(join(base, 'one')), a);
  assert.equal(statSync(marker).mtimeMs, before, 'second call reuses the folder');
});

test('progress goes tokenizer -> base -> one adapter per domain -> done, fraction rising to 1', async () => {
  await first;
  const labels = [...new Set(progress.map((p) => p.label))];
  assert.deepEqual(labels, ['tokenizer', 'base model', ...DEMO_DOMAINS.map((d) => `adapter ${d.id}`), 'done']);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.fraction >= progress[i - 1]!.fraction);
  assert.equal(progress.at(-1)!.fraction, 1);
});

test('the base model was trained: its loss on the general part fell, and the tokenizer fits it', async () => {
  const { modelDir } = await first;
  const losses = progress.filter((p) => p.stage === 'base').map((p) => p.loss!);
  assert.ok(losses.at(-1)! < losses[0]!, `base loss should fall (${losses[0]} -> ${losses.at(-1)})`);
  const tok = await loadTokenizer(modelDir);
  const { spec } = await loadCheckpoint(modelDir);
  assert.equal(tok.vocabSize, spec.vocabSize);
  assert.equal(tok.bosTokenId, spec.bosTokenId);
  assert.ok(spec.eosTokenIds.includes(tok.eosTokenId!));
  const s = 'What does this rash indicate? Ünïcödé 🙂';
  assert.equal(tok.decode(tok.encode(s)), s);
});

test('each adapter is valid, changes the model, and carries its provenance: owner, tags, manifest of DataNet documents', async () => {
  const { modelDir, adaptersDir, datanets } = await first;
  const ckpt = await loadCheckpoint(modelDir);
  const registry = new AdapterRegistry({ spec: ckpt.spec, roots: [adaptersDir] });
  assert.deepEqual(registry.scanRoot(adaptersDir).registered.sort(), DEMO_DOMAINS.map((d) => d.id).sort());
  const tok = await loadTokenizer(modelDir);
  const prompt = tok.encode('The skin rash');
  const baseLogits = referenceLogits(ckpt, prompt).at(-1)!; // [V]
  for (const d of DEMO_DOMAINS) {
    assert.equal((await registry.validate(d.id)).state, 'ready');
    const ledger = JSON.parse(readFileSync(join(adaptersDir, d.id, 'loraledger.json'), 'utf8'));
    assert.equal(ledger.owner, d.owner);
    assert.equal(ledger.description, d.description);
    assert.deepEqual(ledger.tags, d.tags);
    assert.equal(ledger.training_manifest_hash, `0x${sha256(canonical(ledger.training))}`);
    assert.equal(ledger.training.base_model.id, EMBEDDED_MODEL_NAME);
    // every example names a seeded document: the store's id and content hash for its text
    const seeded = datanets.find((n) => n.id === d.datanet)!;
    const byId = new Map(seeded.documents.map((doc) => [documentId(d.datanet, doc.text), doc]));
    assert.ok(ledger.training.examples.length > 0);
    for (const e of ledger.training.examples) {
      const doc = byId.get(e.id);
      assert.ok(doc, `manifest example ${e.id} is a seeded document of ${d.datanet}`);
      assert.equal(e.content_hash, keccak256(doc.text));
      assert.equal(e.contributor, doc.contributor);
      assert.equal(e.datanet, d.datanet);
    }
    const contributors = new Set(ledger.training.examples.map((e: { contributor: string }) => e.contributor));
    assert.equal(contributors.size, d.contributors.length, `${d.id}: every contributor's documents trained it`);
    const w = await loadAdapterWeights(readAdapterMeta(join(adaptersDir, d.id), d.id), ckpt.spec);
    const lora = referenceLogits(ckpt, prompt, w).at(-1)!; // [V]
    let maxDiff = 0;
    for (let i = 0; i < baseLogits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(baseLogits[i]! - lora[i]!));
    assert.ok(maxDiff > 1e-3, `${d.id} should change the logits (max |diff| ${maxDiff})`);
  }
});
