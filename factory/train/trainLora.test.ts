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
import { referenceGreedy } from '../../kernels/index.ts';
import { loadCheckpoint, LORA_TARGETS } from '../../kernels/model/index.ts';
import { exportAdapter } from './exportAdapter.ts';
import { trainLora, type LoraTrainConfig } from './trainLora.ts';
import type { TrainExample } from './trainExamples.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'train-lora-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const COMPLETION = [411, 300, 389, 450]; // the same continuation (word tokens) after every prompt
const example = (id: string, prompt: number[]): TrainExample => {
  const tokens = [1, ...prompt, ...COMPLETION, 2];
  return { id, tokens, weights: tokens.map((_, t) => (t > prompt.length ? 1 : 0)) };
};
const prompts = [
  [45, 210, 33],
  [97, 400, 12],
  [301, 5, 88],
  [160, 71, 250],
  [22, 199, 340],
  [61, 8, 477],
  [133, 290, 17],
  [380, 54, 222],
];
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

async function trainOnce(name: string) {
  const evals: number[] = [];
  const losses: number[] = [];
  const result = await trainLora({
    modelDir: STORIES,
    cacheDir: join(dir, 'cache'),
    train,
    validation,
    config,
    threads: 1,
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
