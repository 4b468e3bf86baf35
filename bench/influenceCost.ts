// bench:influence's cost part on SmolLM-135M's shape (a generated model, bench/assets.ts): time to
// precompute per-example gradients of a rank-16 adapter on all seven projections, the bytes per
// example exact (fp16) and projected ('auto', k = 32), and one answer's gradient + DataInf score.
// Usage: npx tsx bench/influenceCost.ts [--examples 8] [--tokens 128]; the 1,000-example figure is
// extrapolated linearly from --examples (each example is one independent forward + backward).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Prng } from '../common/index.ts';
import {
  exportAdapter,
  initLora,
  openGradientModel,
  padBatch,
  TrainingThread,
  type TrainExample,
} from '../factory/index.ts';
import { LORA_TARGETS } from '../kernels/model/index.ts';
import { AUTO_PROJECTION, dataInfScores, readGradientStore, rowBytes } from '../attribution/scoring/influence/index.ts';
import { ensureModel } from './assets.ts';

const { values: a } = parseArgs({
  options: {
    examples: { type: 'string', default: '8' },
    tokens: { type: 'string', default: '128' },
    /** smollm-135m (default) or stories260k. */
    model: { type: 'string', default: 'smollm-135m' },
  },
});
const work = join(tmpdir(), 'loraledger-bench-influence');
const root = mkdtempSync(join(tmpdir(), 'bench-influence-cost-'));
const thread = new TrainingThread();
try {
  const { dir: modelDir, spec } = await ensureModel(work, a.model as 'smollm-135m' | 'stories260k');
  const adapter = initLora({ spec, rank: 16, targets: LORA_TARGETS, seed: 1, alpha: 32, useRslora: false });
  const rng = new Prng(2);
  for (const m of adapter.layers)
    for (const p of m.values()) for (let i = 0; i < p.b.length; i++) p.b[i] = rng.normal() * 0.01;
  const adapterDir = join(root, 'adapter');
  await exportAdapter(adapter, { dir: adapterDir, spec, alpha: 32, useRslora: false, baseModel: null });
  const n = Number(a.examples);
  const T = Number(a.tokens);
  const examples: TrainExample[] = Array.from({ length: n }, (_, i) => {
    const tokens = Array.from({ length: T }, () => 3 + rng.int(spec.vocabSize - 3));
    return { id: `e${i}`, tokens, weights: tokens.map((_, t) => (t >= T / 2 ? 1 : 0)) };
  });
  const g = thread.influenceGradients({ modelDir, cacheDir: join(work, 'cache'), threads: 0, maxRank: 64 });
  // the first call opens the training graph (built once into the cache); time a warm second call
  await g.answerGradients({ adapterDir, precision: 'fp32', rows: examples.slice(0, 1), projection: null });
  const file = join(root, 'gradients.bin');
  const stored = await g.storeGradients({
    adapterDir,
    precision: 'fp32',
    examples,
    projection: 'auto',
    file,
    manifestHash: '0x0',
  });
  const started = performance.now();
  const v = await g.answerGradients({
    adapterDir,
    precision: 'fp32',
    rows: examples.slice(0, 1),
    projection: AUTO_PROJECTION,
  });
  const answerSeconds = (performance.now() - started) / 1000;
  const store = await readGradientStore(file);
  const s0 = performance.now();
  dataInfScores(store.train, v.blocks[0]!);
  const scoreSeconds = (performance.now() - s0) / 1000;
  // what a per-row loss output could save at best: one backward over all rows (the batch's summed
  // gradient, which is NOT per example) against one backward per row, in-process on this thread
  const m = await openGradientModel({
    modelDir,
    cacheDir: join(work, 'cache'),
    adapterDir,
    spec,
    precision: 'fp32',
    threads: 0,
    maxRank: 64,
  });
  const opts = { lossScale: 1, loraScale: m.adapter.scale, gradients: true };
  await m.session.run(padBatch(examples.slice(0, 1)), m.params, opts);
  let t0 = performance.now();
  for (const e of examples) await m.session.run(padBatch([e]), m.params, opts);
  const singleSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await m.session.run(padBatch(examples), m.params, opts);
  const batchedSeconds = (performance.now() - t0) / 1000;
  await m.session.release();
  const fp32Bytes = stored.header.blocks.reduce((s, b) => s + 4 * b.shape[0] * b.shape[1], 0);
  const perExample = stored.seconds / n;
  console.log(
    JSON.stringify({
      model: a.model === 'smollm-135m' ? 'smollm-135m shape (generated)' : a.model,
      one_row_runs_seconds: singleSeconds,
      one_batched_run_seconds: batchedSeconds,
      rank: 16,
      targets: LORA_TARGETS.length,
      tokens_per_example: T,
      examples: n,
      precompute_seconds_per_example: perExample,
      precompute_seconds_1000_extrapolated: perExample * 1000,
      bytes_per_example_fp32_exact: fp32Bytes,
      bytes_per_example_fp16_exact: fp32Bytes / 2 + 4 * stored.header.blocks.length,
      bytes_per_example_stored: rowBytes(stored.header),
      projection: stored.header.projection,
      answer_gradient_seconds: answerSeconds,
      datainf_seconds_per_request_at_n: scoreSeconds,
    }),
  );
} finally {
  await thread.close();
  rmSync(root, { recursive: true, force: true });
}
