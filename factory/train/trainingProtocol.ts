// What the training thread (./trainingWorker.ts) and its owner (./trainingThread.ts) say to each
// other over common/workerRpc.
import type { LoraTrainConfig, StepMetrics } from './trainLora.ts';
import type { TrainExample } from './trainExamples.ts';
import type { WeightPrecision } from '../../kernels/model/index.ts';
import type { GradientHeader, ProjectionSpec } from '../../adapters/index.ts';

export interface TrainJobArgs {
  modelDir: string;
  /** Built training graphs (content-hashed). */
  cacheDir: string;
  /** Checkpoints go to <checkpointsDir>/step-<n>. */
  checkpointsDir: string;
  /** The finished adapter's PEFT folder (without loraledger.json: the owner adds provenance). */
  outputDir: string;
  baseModel: string;
  train: TrainExample[];
  validation: TrainExample[];
  config: LoraTrainConfig;
  /** The frozen base's precision (a quantized base trains as the engine serves it). */
  precision: WeightPrecision;
  threads: number;
  maxRank: number;
  /** A checkpoint folder to resume from (same job), or to start from (init_adapter). */
  resumeFrom?: string;
  initFrom?: string;
  /** A cancel or pause asked for before the thread got the job (checked before the first step). */
  control: 'continue' | 'cancel' | 'pause';
}

export interface TrainJobResult {
  outcome: 'finished' | 'early_stopped' | 'cancelled' | 'paused';
  step: number;
  trainedTokens: number;
  bestValidationLoss: number | null;
}

/** An adapter opened for per-example gradients (./exampleGradients.ts). */
export interface GradientModelArgs {
  modelDir: string;
  cacheDir: string;
  /** The adapter's PEFT folder. */
  adapterDir: string;
  precision: WeightPrecision;
  threads: number;
  maxRank: number;
}

/** Every training example's gradient, written to `file` (attribution/scoring/influence/gradientStore.ts). */
export interface StoreGradientsArgs extends GradientModelArgs {
  examples: TrainExample[];
  /** 'auto': projected when an example's gradient is large (resolveProjection). */
  projection: ProjectionSpec | null | 'auto';
  file: string;
  manifestHash: string;
}

/** Answers' gradients v (prompt + completion rows, loss on the completion), projected as the store. */
export interface AnswerGradientsArgs extends GradientModelArgs {
  rows: TrainExample[];
  projection: ProjectionSpec | null;
}

export type TrainingCalls = {
  train: { args: TrainJobArgs; result: TrainJobResult };
  storeGradients: { args: StoreGradientsArgs; result: { header: GradientHeader; seconds: number } };
  /** blocks[row][l] [d_l]; losses[row] the row's mean loss. */
  answerGradients: { args: AnswerGradientsArgs; result: { blocks: Float32Array[][]; losses: number[] } };
};

export type TrainingNotice =
  | { t: 'step'; metrics: StepMetrics }
  | { t: 'eval'; step: number; validationLoss: number }
  | { t: 'checkpoint'; step: number; dir: string; metrics: Record<string, number | null> };

/**
 * `control`: asked between optimizer steps; the last one sent wins. `fault` (tests only: sent by
 * TrainingThread.injectFault when it was made with faultInjection): the thread throws (uncaught)
 * or exits at its next optimizer step.
 */
export type TrainingCommand =
  { t: 'control'; action: 'continue' | 'cancel' | 'pause' } | { t: 'fault'; kind: 'throw' | 'exit' };
