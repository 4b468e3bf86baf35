// Per-example gradients against the training graph's batched gradient: for a batch run with
// loss_scale 1 (loss = Σ_e Σ_t mask·nll), the gradient is Σ_e (loss tokens of e) · g_e, where g_e is
// exampleGradients' mean-loss gradient of e alone. Also: the projection applied is projectBlock's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initLora } from './initLora.ts';
import { exportAdapter } from './exportAdapter.ts';
import { exampleGradients, openGradientModel } from './exampleGradients.ts';
import { padBatch } from './batches.ts';
import { lossTokenCount } from './trainExamples.ts';
import { loadModelSpec, LORA_TARGETS } from '../../kernels/model/index.ts';
import { projectBlock } from '../../adapters/index.ts';
import { skillRows, rowExample } from '../../test/support/influenceSkills.ts';
import { Prng } from '../../common/index.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;

test('per-example gradients sum, weighted by loss tokens, to the batch gradient', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'example-grads-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = await loadModelSpec(STORIES);
  const adapter = initLora({ spec, rank: 2, targets: LORA_TARGETS, seed: 4, alpha: 4, useRslora: false });
  const rng = new Prng(1);
  for (const m of adapter.layers) for (const p of m.values()) p.b.forEach((_, i) => (p.b[i] = rng.normal() * 0.05)); // B ≠ 0
  await exportAdapter(adapter, { dir: join(dir, 'a'), spec, alpha: 4, useRslora: false, baseModel: null });
  const m = await openGradientModel({
    modelDir: STORIES,
    cacheDir: join(dir, 'cache'),
    adapterDir: join(dir, 'a'),
    spec,
    precision: 'fp32',
    threads: 1,
    maxRank: 8,
  });
  try {
    const examples = skillRows({ skills: 3, perSkill: 1, len: 3, seed: 5 }).map((r, i) => rowExample(`e${i}`, r));
    const sum = m.params.map((p) => new Float64Array(p.length));
    await exampleGradients(m, examples, null, (i, blocks) => {
      const w = lossTokenCount(examples[i]!);
      blocks.forEach((b, l) => b.forEach((x, j) => (sum[l]![j] += w * x)));
    });
    const batch = await m.session.run(padBatch(examples), m.params, {
      lossScale: 1,
      loraScale: m.adapter.scale,
      gradients: true,
    });
    let maxErr = 0;
    let maxAbs = 0;
    batch.grads.forEach((g, l) =>
      g.forEach((x, j) => {
        maxErr = Math.max(maxErr, Math.abs(x - sum[l]![j]!));
        maxAbs = Math.max(maxAbs, Math.abs(x));
      }),
    );
    assert.ok(maxAbs > 0);
    assert.ok(maxErr <= 1e-4 * maxAbs, `max error ${maxErr} against max ${maxAbs}`);
    // projected rows are projectBlock of the exact rows
    const p = { seed: 3, k: 16 };
    const exact: Float32Array[] = [];
    const proj: Float32Array[] = [];
    await exampleGradients(m, examples.slice(0, 1), null, (_, b) => void exact.push(...b));
    await exampleGradients(m, examples.slice(0, 1), p, (_, b) => void proj.push(...b));
    proj.forEach((b, l) => assert.deepEqual(b, projectBlock(exact[l]!, m.blocks[l]!, p)));
    assert.ok(proj.some((b, l) => b.length < exact[l]!.length));
  } finally {
    await m.session.release();
  }
});
