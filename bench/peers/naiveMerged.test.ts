import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateModel } from '../../factory/index.ts';
import { loadCheckpoint } from '../../kernels/model/index.ts';
import { referenceLogits } from '../../kernels/index.ts';
import { generateAdapter } from '../../factory/index.ts';
import { readAdapterMeta, loadAdapterWeights } from '../../adapters/index.ts';
import { mergeLora, writeMergedModel } from './naiveMerged.ts';

test('mergeLora adds scale · (a·b)^T to W [Dout, Din]', () => {
  // Din 3, Dout 2, R 2
  const w = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const a = Float32Array.from([1, 0, 0, 1, 1, 1]); // [Din, R]
  const b = Float32Array.from([1, 2, 3, 4]); // [R, Dout]
  const m = mergeLora(w, a, b, 2, 0.5);
  // delta[o, i] = 0.5 * sum_r a[i, r] b[r, o]
  const want = [1 + 0.5 * 1, 2 + 0.5 * 3, 3 + 0.5 * 4, 4 + 0.5 * 2, 5 + 0.5 * 4, 6 + 0.5 * 6];
  assert.deepEqual([...m], want);
  assert.deepEqual([...w], [1, 2, 3, 4, 5, 6], 'W itself is untouched');
});

test('a merged checkpoint gives the logits of base + adapter (reference forward, 1e-4)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'naive-merged-'));
  try {
    const spec = await generateModel({ dir: join(dir, 'base'), seed: 3 });
    await generateAdapter({ dir: join(dir, 'ad'), spec, seed: 4, rank: 4, bStd: 0.3, useRslora: true });
    const base = await loadCheckpoint(join(dir, 'base'));
    const adapter = await loadAdapterWeights(readAdapterMeta(join(dir, 'ad'), 'ad'), spec);
    await writeMergedModel(base, adapter, join(dir, 'merged'));
    const merged = await loadCheckpoint(join(dir, 'merged'));
    const toks = [1, 17, 99, 5, 42];
    const want = referenceLogits(base, toks, adapter);
    const got = referenceLogits(merged, toks);
    const plain = referenceLogits(base, toks);
    let maxDiff = 0;
    let adapterEffect = 0;
    for (let t = 0; t < toks.length; t++)
      for (let v = 0; v < spec.vocabSize; v++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[t]![v]! - want[t]![v]!));
        adapterEffect = Math.max(adapterEffect, Math.abs(plain[t]![v]! - want[t]![v]!));
      }
    assert.ok(maxDiff < 1e-4, `merged vs base+adapter max |diff| ${maxDiff}`);
    assert.ok(adapterEffect > 1e-2, `the adapter changes logits (${adapterEffect}), so the check means something`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
