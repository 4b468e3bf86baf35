import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadCheckpoint, loadTokenizer } from '../../kernels/model/index.ts';
import { referenceLogits } from '../../kernels/index.ts';
import { AdapterRegistry, AdapterRouter, loadAdapterWeights, readAdapterMeta } from '../../adapters/index.ts';
import {
  DEMO_ADAPTERS,
  EMBEDDED_DEFAULT_VERSION,
  EMBEDDED_MODEL_NAME,
  ensureEmbeddedDefault,
} from './embeddedDefault.ts';

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

const first = ensureEmbeddedDefault(join(base, 'one'));

test('generates the model and demo adapters deterministically (same bytes twice), atomically, once', async () => {
  const a = await first;
  const b = await ensureEmbeddedDefault(join(base, 'two'));
  assert.equal(a.modelDir, join(base, 'one', EMBEDDED_DEFAULT_VERSION, EMBEDDED_MODEL_NAME));
  const fa = files(join(base, 'one'));
  const fb = files(join(base, 'two'));
  assert.deepEqual([...fa.keys()], [...fb.keys()]);
  for (const [k, v] of fa) assert.ok(v.equals(fb.get(k)!), `${k} differs between two generations`);
  for (const want of [
    'config.json',
    'generation_config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]) {
    assert.ok(fa.has(join(EMBEDDED_DEFAULT_VERSION, EMBEDDED_MODEL_NAME, want)), `missing ${want}`);
  }
  assert.ok(![...fa.keys()].some((k) => k.includes('.tmp-')), 'no temporary folder left behind');
  const marker = join(base, 'one', EMBEDDED_DEFAULT_VERSION, 'loraledger-embedded.json');
  const before = statSync(marker).mtimeMs;
  assert.deepEqual(await ensureEmbeddedDefault(join(base, 'one')), a);
  assert.equal(statSync(marker).mtimeMs, before, 'second call reuses the folder');
});

test('the tokenizer round-trips through transformers.js and matches the model vocabulary', async () => {
  const { modelDir } = await first;
  const tok = await loadTokenizer(modelDir);
  const { spec } = await loadCheckpoint(modelDir);
  assert.equal(tok.vocabSize, spec.vocabSize);
  assert.equal(spec.hiddenSize, 384);
  assert.equal(tok.bosTokenId, spec.bosTokenId);
  assert.ok(spec.eosTokenIds.includes(tok.eosTokenId!));
  const s = 'What does this rash indicate? Ünïcödé 🙂';
  assert.equal(tok.decode(tok.encode(s)), s);
  const chat = tok.applyChatTemplate([{ role: 'user', content: 'Hello' }]);
  assert.ok(chat.every((i) => i < spec.vocabSize));
});

test('demo adapters are valid for the demo model, route by domain, and change its outputs', async () => {
  const { modelDir, adaptersDir } = await first;
  const ckpt = await loadCheckpoint(modelDir);
  const registry = new AdapterRegistry({ spec: ckpt.spec, roots: [adaptersDir] });
  assert.deepEqual(registry.scanRoot(adaptersDir).registered.sort(), DEMO_ADAPTERS.map((a) => a.id).sort());
  for (const a of DEMO_ADAPTERS) assert.equal((await registry.validate(a.id)).state, 'ready');
  const router = new AdapterRouter();
  router.setAdapters(
    DEMO_ADAPTERS.map((a) => ({
      id: a.id,
      description: registry.meta(a.id)!.description,
      tags: registry.meta(a.id)!.tags,
    })),
  );
  assert.equal(router.route('What does this rash indicate?').adapterId, 'dermatology');
  assert.equal(router.route('Can my employer enforce this non-compete clause?').adapterId, 'contracts-law');
  assert.equal(router.route('How long do I bake sourdough bread?').adapterId, 'cooking');
  assert.equal(router.route('My Python function raises a KeyError').adapterId, 'python-code');
  assert.equal(router.route('Who won the football match?').adapterId, null);

  const tok = await loadTokenizer(modelDir);
  const prompt = tok.encode('The skin rash');
  const w = await loadAdapterWeights(readAdapterMeta(join(adaptersDir, 'dermatology'), 'dermatology'), ckpt.spec);
  const baseLogits = referenceLogits(ckpt, prompt).at(-1)!; // [V]
  const lora = referenceLogits(ckpt, prompt, w).at(-1)!; // [V]
  let maxDiff = 0;
  for (let i = 0; i < baseLogits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(baseLogits[i]! - lora[i]!));
  assert.ok(maxDiff > 1, `the adapter should visibly change the logits (max |diff| ${maxDiff})`);
});
