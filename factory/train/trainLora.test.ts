// The training loop end to end on stories260K: an adapter trained on a small distinctive dataset
// reproduces its completions greedily (the plain reference forward decodes them, from the PEFT folder
// the factory wrote and the serving loader read back), the base model does not, and the validation
// loss falls. Same seed, same adapter bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdapterWeights, readAdapterMeta } from '../../adapters/index.ts';
import * as ort from 'onnxruntime-node';
import {
  createSession,
  ensureTrainingGraph,
  referenceGreedy,
  startEngine,
  TRAIN_INPUTS,
  TRAIN_OUTPUTS,
} from '../../kernels/index.ts';
import { loadCheckpoint, LORA_TARGETS, type WeightPrecision } from '../../kernels/model/index.ts';
import { exportAdapter } from './exportAdapter.ts';
import { trainLora, type LoraTrainConfig } from './trainLora.ts';
import type { TrainExample } from './trainExamples.ts';
import { COMPLETION, PROMPTS } from '../../test/support/memoriseData.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'train-lora-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const example = (id: string, prompt: number[]): TrainExample => {
  const tokens = [1, ...prompt, ...COMPLETION, 2];
  return { id, tokens, weights: tokens.map((_, t) => (t > prompt.length ? 1 : 0)) };
};
const prompts = PROMPTS;
const train = prompts.slice(0, 6).map((p, i) => example(`t${i}`, p));
const validation = prompts.slice(6).map((p, i) => example(`v${i}`, p));
const config: LoraTrainConfig = {
  rank: 8,
  alpha: 16,
  useRslora: false,
  targets: LORA_TARGETS,
  learningRate: 1e-2,
  epochs: 30,
  batchSize: 3,
  gradientAccumulationSteps: 1,
  lrScheduler: 'linear',
  warmupSteps: 2,
  weightDecay: 0,
  maxGradNorm: 1,
  evalEvery: 4,
  checkpointEvery: 0,
  earlyStoppingPatience: 0,
  seed: 3,
};

async function trainOnce(name: string, precision: WeightPrecision = 'fp32') {
  const evals: number[] = [];
  const losses: number[] = [];
  const result = await trainLora({
    modelDir: STORIES,
    cacheDir: join(dir, 'cache'),
    train,
    validation,
    config,
    threads: 1,
    precision,
    onStep: (m) => losses.push(m.trainLoss),
    onEval: (m) => evals.push(m.validationLoss),
  });
  const out = join(dir, name);
  await exportAdapter(result.state.adapter, {
    dir: out,
    spec: result.spec,
    alpha: config.alpha,
    useRslora: false,
    baseModel: 'stories260K',
  });
  return { result, evals, losses, out };
}

test('a LoRA trained on a distinctive completion reproduces it greedily; the base does not; validation loss falls', async () => {
  const { result, evals, losses, out } = await trainOnce('adapter-1');
  assert.equal(result.outcome, 'finished');
  assert.equal(result.state.step, 60);
  assert.ok(evals.length >= 2 && evals.at(-1)! < evals[0]! / 2, `validation loss ${evals.join(' -> ')}`);
  assert.ok(losses.at(-1)! < losses[0]! / 2, `train loss ${losses[0]} -> ${losses.at(-1)}`);
  const ckpt = await loadCheckpoint(STORIES);
  const adapter = await loadAdapterWeights(readAdapterMeta(out, 'trained'), ckpt.spec);
  for (const p of prompts) {
    const prompt = [1, ...p];
    assert.deepEqual(referenceGreedy(ckpt, prompt, COMPLETION.length, adapter), COMPLETION, `after ${p}`);
    assert.notDeepEqual(referenceGreedy(ckpt, prompt, COMPLETION.length), COMPLETION, `base after ${p}`);
  }
  const again = await trainOnce('adapter-2');
  const weights = (d: string) => readFileSync(join(d, 'adapter_model.safetensors'));
  assert.ok(weights(out).equals(weights(again.out)), 'same seed, same adapter bytes');
});

// The engine at the same precision runs the same quantized linears over the same tokens: a score
// call feeds prompt + targets[..-1] as one row, so the training graph gets exactly those tokens, and
// the prompt is BOS alone so that the engine's head sees every position too (int8 activations are
// quantized with one scale per tensor, so a matmul's rows must be the same rows on both sides).
for (const precision of ['fp32', 'int8', 'int4'] as const) {
  test(`${precision}: the serving engine, given the trained adapter, computes the log-probs of the training graph forward`, async () => {
    const { result, out } = await trainOnce(`adapter-engine-${precision}`, precision);
    const V = result.spec.vocabSize;
    const graph = await ensureTrainingGraph({
      modelDir: STORIES,
      cacheDir: join(dir, 'cache'),
      graph: { lora: { rank: config.rank, targets: config.targets }, logits: true, precision },
    });
    const session = await createSession(graph.onnxPath, { provider: 'cpu', threads: 1 });
    const tokens = [1, ...prompts[0]!, ...COMPLETION];
    const fed = tokens.slice(0, -1); // what the engine feeds: prompt + every target but the last
    const T = fed.length;
    const i64 = (a: number[], d: number[]) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), d);
    const feeds: Record<string, ort.Tensor> = {
      [TRAIN_INPUTS.inputIds]: i64(fed, [1, T]),
      [TRAIN_INPUTS.labels]: i64(tokens.slice(1), [1, T]),
      [TRAIN_INPUTS.lossMask]: new ort.Tensor('float32', new Float32Array(T), [1, T]),
      [TRAIN_INPUTS.seqLen]: i64([T], [1]),
      [TRAIN_INPUTS.lossScale]: new ort.Tensor('float32', Float32Array.of(1), []),
      [TRAIN_INPUTS.loraScale]: new ort.Tensor('float32', Float32Array.of(config.alpha / config.rank), []),
    };
    for (const t of graph.trainable) {
      const m = /^lora_([ab])\.(\d+)\.(\w+)$/.exec(t.name)!;
      const pair = result.state.adapter.layers[Number(m[2])]!.get(m[3] as (typeof LORA_TARGETS)[number])!;
      feeds[t.name] = new ort.Tensor('float32', m[1] === 'a' ? pair.a : pair.b, t.shape);
    }
    const logits = (await session.run(feeds))[TRAIN_OUTPUTS.logits]!.data as Float32Array; // [T, V]
    await session.release();
    const expected = tokens.slice(1).map((tok, t) => {
      const row = logits.subarray(t * V, (t + 1) * V);
      const max = Math.max(...row);
      return row[tok]! - max - Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    });
    const engine = await startEngine({
      modelDir: STORIES,
      precision,
      provider: 'cpu',
      loraKernel: 'grouped',
      maxLoraRank: 8,
      maxActiveAdapters: 1,
      maxCachedAdapters: 1,
      maxCachedAdapterBytes: 1e8,
      maxBatchSize: 4,
      maxBatchTokens: 256,
      maxQueue: 8,
      maxModelLen: 512,
      cacheDir: join(dir, 'engine-graphs'),
      threads: 1,
      adapters: [{ id: 'trained', path: out }],
    });
    try {
      const [scored] = await engine.score([{ promptIds: [1], targetIds: tokens.slice(1), adapterId: 'trained' }]);
      let worst = 0;
      scored!.tokenLogprobs.forEach((lp, k) => {
        worst = Math.max(worst, Math.abs(lp - expected[k]!));
        assert.ok(Math.abs(lp - expected[k]!) < 1e-4, `token ${k}: engine ${lp} vs training graph ${expected[k]}`);
      });
      console.log(
        `${precision}: engine vs training graph log-probs, ${expected.length} tokens: max |diff| ${worst.toExponential(1)}`,
      );
    } finally {
      await engine.close();
    }
  });
}
