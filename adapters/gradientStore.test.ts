import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../common/index.ts';
import {
  GRADIENT_FORMAT,
  GradientStoreWriter,
  readGradientHeader,
  readGradientStore,
  rowBytes,
  type GradientHeader,
} from './gradientStore.ts';
import { projectBlock, projectedShape, type BlockShape } from './gradientProjection.ts';

test('gradients round-trip through fp16 with a per-block scale (tiny gradients survive)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gradstore-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const blocks: GradientHeader['blocks'] = [
    { name: 'lora_a.0.q_proj', shape: [4, 2], stored: [4, 2] },
    { name: 'lora_b.0.q_proj', shape: [2, 3], stored: [2, 3] },
  ];
  const header: GradientHeader = {
    format: GRADIENT_FORMAT,
    manifestHash: '0xabc',
    loraScale: 2,
    projection: null,
    blocks,
    examples: [
      { id: 'a', lossTokens: 3 },
      { id: 'b', lossTokens: 5 },
    ],
  };
  const rng = new Prng(3);
  const rows = [1e-9, 10].map((mag) => [
    Float32Array.from({ length: 8 }, () => rng.normal() * mag),
    Float32Array.from({ length: 6 }, () => rng.normal() * mag),
  ]);
  const file = join(dir, 'influence', 'gradients.bin');
  const w = await GradientStoreWriter.create(file, header);
  for (const r of rows) await w.append(r);
  await w.close();
  assert.equal((await stat(file)).size - rowBytes(header) * 2 > 0, true);
  assert.equal(rowBytes(header), 4 + 16 + 4 + 12);
  assert.deepEqual((await readGradientHeader(file)).examples, header.examples);
  const back = await readGradientStore(file);
  assert.equal(back.train.n, 2);
  rows.forEach((r, k) =>
    r.forEach((g, l) => {
      const d = back.train.dims[l]!;
      g.forEach((x, j) => {
        const y = back.train.blocks[l]![k * d + j]!;
        assert.ok(Math.abs(y - x) <= 1e-3 * Math.abs(x) + 1e-3 * Math.max(...g.map(Math.abs)) * 1e-1, `${x} vs ${y}`);
      });
    }),
  );
  const short = await GradientStoreWriter.create(join(dir, 'short.bin'), header);
  await short.append(rows[0]!);
  await assert.rejects(short.close(), /1 rows written/);
});

test('two writers of one file each rename a whole file of their own; abort and a short write leave no temporary', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gradstore-race-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const header = (manifestHash: string): GradientHeader => ({
    format: GRADIENT_FORMAT,
    manifestHash,
    loraScale: 1,
    projection: null,
    blocks: [{ name: 'lora_a.0.q_proj', shape: [2, 2], stored: [2, 2] }],
    examples: [{ id: 'a', lossTokens: 1 }],
  });
  const file = join(dir, 'influence', 'gradients.bin');
  // interleaved as two racing requests did: both open, both append, then both close
  // (with one shared `gradients.bin.tmp` the second close failed with ENOENT on its rename)
  const first = await GradientStoreWriter.create(file, header('0x1'));
  const second = await GradientStoreWriter.create(file, header('0x2'));
  await first.append([Float32Array.of(1, 2, 3, 4)]);
  await second.append([Float32Array.of(5, 6, 7, 8)]);
  await first.close();
  assert.equal((await readGradientHeader(file)).manifestHash, '0x1');
  await second.close();
  const back = await readGradientStore(file);
  assert.equal(back.header.manifestHash, '0x2');
  assert.deepEqual([...back.train.blocks[0]!], [5, 6, 7, 8]);
  assert.deepEqual(await readdir(join(dir, 'influence')), ['gradients.bin']);

  const aborted = await GradientStoreWriter.create(file, header('0x3'));
  await aborted.append([Float32Array.of(1, 1, 1, 1)]);
  await aborted.abort();
  const short = await GradientStoreWriter.create(file, header('0x4'));
  await assert.rejects(short.close(), /0 rows written/);
  assert.deepEqual(await readdir(join(dir, 'influence')), ['gradients.bin']);
  assert.equal((await readGradientHeader(file)).manifestHash, '0x2', 'the whole file from before is untouched');
});

test('the Kronecker projection equals P_rowᵀ·G·P_col written out, and keeps inner products roughly', () => {
  const b: BlockShape = { name: 'lora_a.1.up_proj', shape: [40, 3] };
  const p = { seed: 5, k: 8 };
  assert.deepEqual(projectedShape(b, p), [8, 3]);
  assert.deepEqual(projectedShape({ name: 'x', shape: [3, 40] }, p), [3, 8]);
  // linearity: project(e_r e_cᵀ) picks out row r of P_row, so project(G) = Σ G[r,c] project(e_r e_cᵀ)
  const rng = new Prng(9);
  const g = Float32Array.from({ length: 120 }, () => rng.normal());
  const pg = projectBlock(g, b, p);
  const sum = new Float64Array(24);
  for (let r = 0; r < 40; r++)
    for (let c = 0; c < 3; c++) {
      const e = new Float32Array(120);
      e[r * 3 + c] = 1;
      projectBlock(e, b, p).forEach((x, j) => (sum[j] += g[r * 3 + c]! * x));
    }
  pg.forEach((x, j) => assert.ok(Math.abs(x - sum[j]!) < 1e-4));
  // JL: over many random pairs, the projected inner product tracks the true one
  const big: BlockShape = { name: 'lora_b.0.down_proj', shape: [2, 512] };
  const q = { seed: 1, k: 256 };
  let err = 0;
  for (let t = 0; t < 20; t++) {
    const x = Float32Array.from({ length: 1024 }, () => rng.normal());
    const y = Float32Array.from(x, (v) => v + rng.normal());
    const dot = (a: Float32Array, c: Float32Array) => a.reduce((s, v, i) => s + v * c[i]!, 0);
    const want = dot(x, y);
    err += Math.abs(dot(projectBlock(x, big, q), projectBlock(y, big, q)) - want) / want / 20;
  }
  assert.ok(err < 0.15, `mean relative error ${err}`);
});
