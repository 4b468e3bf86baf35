// Full-weight training (pretraining a small model from scratch, or full fine-tuning): the training
// graph with every base weight as a trainable input (kernels/graph/buildTrainingGraph.ts,
// trainBase), run by the shared optimizer loop (./trainLoop.ts); the result is written as a new
// Hugging Face model folder by writeTrainedModel.
import { copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../kernels/index.ts';
import { expectedTensors, loadCheckpoint, type ModelSpec } from '../../kernels/model/index.ts';
import { generateModel } from '../generateModel.ts';
import { freshLoopState, runTrainingLoop, type LoopConfig, type LoopOutcome, type StepMetrics } from './trainLoop.ts';
import type { TrainExample } from './trainExamples.ts';

const WEIGHT_INPUT = /^weight:(.+)$/;

export interface BaseTrainRun {
  /** The starting checkpoint (e.g. a seeded random one from generateModel). */
  modelDir: string;
  cacheDir: string;
  train: readonly TrainExample[];
  validation: readonly TrainExample[];
  config: LoopConfig;
  /** Threads for the training session (0 = onnxruntime's default). */
  threads: number;
  onStep?: (m: StepMetrics) => void;
  onEval?: (m: { step: number; validationLoss: number }) => void;
  control?: () => 'continue' | 'cancel' | 'pause';
}

export interface BaseTrainResult {
  outcome: LoopOutcome;
  spec: ModelSpec;
  /** The trained weights by checkpoint name (every tensor of the layout). */
  weights: Map<string, Float32Array>;
  bestValidationLoss: number | null;
  trainedTokens: number;
}

export async function trainBase(run: BaseTrainRun): Promise<BaseTrainResult> {
  const ckpt = await loadCheckpoint(run.modelDir);
  const session = await TrainingSession.open({
    modelDir: run.modelDir,
    cacheDir: run.cacheDir,
    graph: { trainBase: true },
    threads: run.threads,
  });
  try {
    const weights = new Map<string, Float32Array>();
    const params = session.trainable.map((t) => {
      const name = WEIGHT_INPUT.exec(t.name)?.[1];
      const tensor = name === undefined ? undefined : ckpt.tensors.get(name);
      if (name === undefined || !tensor) throw new Error(`trainBase: no checkpoint tensor for graph input ${t.name}`);
      const value = Float32Array.from(tensor.data); // updated in place by the optimizer
      weights.set(name, value);
      return value;
    });
    const state = freshLoopState();
    const outcome = await runTrainingLoop({ ...run, session, params, loraScale: 0, state });
    return {
      outcome,
      spec: session.spec,
      weights,
      bestValidationLoss: state.bestValidationLoss,
      trainedTokens: state.trainedTokens,
    };
  } finally {
    await session.release();
  }
}

/**
 * Writes `weights` (every tensor of the layout: a missing one is an error, never a random fill) as
 * a model folder of `spec` (config.json, generation_config.json, model.safetensors) and copies the
 * tokenizer files of `tokenizerFrom`.
 */
export async function writeTrainedModel(
  dir: string,
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
  tokenizerFrom: string,
): Promise<void> {
  const missing = expectedTensors(spec)
    .map((t) => t.name)
    .filter((name) => !weights.has(name));
  if (missing.length > 0) throw new Error(`writeTrainedModel: no trained value for ${missing.join(', ')}`);
  await generateModel({ dir, seed: 0, ...spec, overrides: Object.fromEntries(weights) });
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
    if (existsSync(join(tokenizerFrom, f))) await copyFile(join(tokenizerFrom, f), join(dir, f));
  }
}
