import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateModel } from './generateModel.ts';
import { loadCheckpoint } from '../kernels/model/index.ts';
import { Prng } from '../common/index.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'h1-genm-'));

test('same seed writes the same bytes; another seed does not', async () => {
  const [a, b, c] = [tmp(), tmp(), tmp()];
  await generateModel({ dir: a, seed: 9 });
  await generateModel({ dir: b, seed: 9 });
  await generateModel({ dir: c, seed: 10 });
  const bytes = (d: string): Buffer => readFileSync(join(d, 'model.safetensors'));
  assert.ok(bytes(a).equals(bytes(b)));
  assert.ok(!bytes(a).equals(bytes(c)));
});

test('sharded F32 holds the same tensors as a single file; init scales are sane', async () => {
  const [one, many] = [tmp(), tmp()];
  const spec = await generateModel({ dir: one, seed: 3, tieWordEmbeddings: false });
  await generateModel({ dir: many, seed: 3, tieWordEmbeddings: false, shards: 3 });
  const x = await loadCheckpoint(one);
  const y = await loadCheckpoint(many);
  assert.deepEqual(y.spec, spec);
  assert.equal(x.tensors.size, y.tensors.size);
  for (const [name, t] of x.tensors) assert.deepEqual(y.tensors.get(name)!.data, t.data, name);
  const std = (d: Float32Array): number => Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
  assert.ok(Math.abs(std(x.tensors.get('model.layers.0.mlp.up_proj.weight')!.data) - 1 / 8) < 0.01); // 1/sqrt(64)
  const norm = x.tensors.get('model.norm.weight')!.data;
  assert.ok(norm.every((v) => v > 0.8 && v < 1.2));
});

test('Prng is deterministic and roughly normal', () => {
  const a = new Prng(1);
  const b = new Prng(1);
  const xs = Array.from({ length: 20000 }, () => a.normal());
  assert.deepEqual(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => b.normal()),
  );
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const varc = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(varc - 1) < 0.05, `mean ${mean} var ${varc}`);
});
