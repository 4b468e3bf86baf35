// Model folder loading: the good folders load, and every bad input is a ModelError whose message
// names the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelError } from '../../common/index.ts';
import { generateModel } from '../../factory/index.ts';
import { loadCheckpoint } from './loadCheckpoint.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';

const fresh = async (opts: Record<string, unknown> = {}): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'h1-load-'));
  await generateModel({ dir, seed: 5, ...opts });
  return dir;
};

async function rejects(dir: string, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadCheckpoint(dir), (err: unknown) => {
    assert.ok(err instanceof ModelError, `expected ModelError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

test('stories260K loads: tied head has no lm_head tensor, every tensor fp32', async () => {
  const ckpt = await loadCheckpoint(new URL('../../../shared/models/stories260K', import.meta.url).pathname);
  assert.equal(ckpt.spec.numLayers, 5);
  assert.equal(ckpt.spec.headDim, 8);
  assert.deepEqual(ckpt.spec.eosTokenIds, [2]);
  assert.equal(ckpt.tensors.has('lm_head.weight'), false);
  assert.deepEqual(ckpt.tensors.get('model.layers.4.mlp.down_proj.weight')!.shape, [64, 172]);
});

test('a missing folder is model_folder_invalid naming the path', async () => {
  await rejects(
    join(tmpdir(), 'h1-does-not-exist-xyz'),
    'model_folder_invalid',
    /h1-does-not-exist-xyz does not exist/,
  );
});

test('missing or malformed config.json', async () => {
  const dir = await fresh();
  writeFileSync(join(dir, 'config.json'), '{"architectures": ["LlamaForCausalLM"], ');
  await rejects(dir, 'model_folder_invalid', /config\.json is not valid JSON/);
  rmSync(join(dir, 'config.json'));
  await rejects(dir, 'model_folder_invalid', /config\.json is missing/);
});

test('a config.json without a required field names the field', async () => {
  const dir = await fresh();
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  delete cfg.num_hidden_layers;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  await rejects(dir, 'model_folder_invalid', /"num_hidden_layers"/);
});

test('unsupported architecture, activation and rope scaling are unsupported_architecture', async () => {
  const dir = await fresh();
  const base = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  for (const [patch, field] of [
    [{ architectures: ['GPT2LMHeadModel'] }, /"architectures"/],
    [{ hidden_act: 'gelu' }, /"hidden_act"/],
    [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling\.rope_type/],
  ] as const) {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base, ...patch }));
    await rejects(dir, 'unsupported_architecture', field);
  }
});

test('no weights, a missing tensor, a wrong shape and a truncated file', async () => {
  const dir = await fresh();
  const file = join(dir, 'model.safetensors');
  const tensors = await readSafetensors(file);
  // Missing tensor.
  const without = [...tensors]
    .filter(([n]) => n !== 'model.layers.1.mlp.up_proj.weight')
    .map(([name, t]) => ({ name, ...t }));
  await writeSafetensors(file, without);
  await rejects(
    dir,
    'safetensors_invalid',
    /no tensor model\.layers\.1\.mlp\.up_proj\.weight \(expected shape \[128,64\]\)/,
  );
  // Wrong shape.
  const wrong = [...tensors].map(([name, t]) =>
    name === 'model.norm.weight' ? { name, shape: [32], data: t.data.slice(0, 32) } : { name, ...t },
  );
  await writeSafetensors(file, wrong);
  await rejects(dir, 'safetensors_invalid', /model\.norm\.weight has shape \[32\] but config\.json implies \[64\]/);
  // Truncated.
  await writeSafetensors(
    file,
    [...tensors].map(([name, t]) => ({ name, ...t })),
  );
  truncateSync(file, statSync(file).size - 100);
  await rejects(dir, 'safetensors_invalid', /truncated/);
  // No weights.
  rmSync(file);
  await rejects(dir, 'model_folder_invalid', /no model\.safetensors/);
});
