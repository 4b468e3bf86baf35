// What the training thread (./trainingWorker.ts) and its owner (./trainingThread.ts) say to each
// other over common/workerRpc.
import type { LoraTrainConfig, StepMetrics } from './trainLora.ts';
import type { TrainExample } from './trainExamples.ts';
import type { WeightPrecision } from '../../kernels/model/index.ts';

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

export type TrainingCalls = { train: { args: TrainJobArgs; result: TrainJobResult } };

export type TrainingNotice =
  | { t: 'step'; metrics: StepMetrics }
  | { t: 'eval'; step: number; validationLoss: number }
  | { t: 'checkpoint'; step: number; dir: string; metrics: Record<string, number | null> };

/** Asked between optimizer steps; the last one sent wins. */
export type TrainingCommand = { t: 'control'; action: 'continue' | 'cancel' | 'pause' };
