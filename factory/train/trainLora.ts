// LoRA fine-tuning: the training graph (kernels/graph/buildTrainingGraph.ts) with the adapter's
// A and B as its trainable inputs, run by the shared optimizer loop (./trainLoop.ts).
//
// Glossary: R rank.
import { TrainingSession } from '../../kernels/index.ts';
import type { AdapterWeights, LoraTarget, ModelSpec, WeightPrecision } from '../../kernels/model/index.ts';
import { initLora } from './initLora.ts';
import {
  freshLoopState,
  runTrainingLoop,
  type LoopConfig,
  type LoopOutcome,
  type LoopState,
  type StepMetrics,
} from './trainLoop.ts';
import type { TrainExample } from './trainExamples.ts';

export type { StepMetrics } from './trainLoop.ts';

export interface LoraTrainConfig extends LoopConfig {
  rank: number;
  alpha: number;
  useRslora: boolean;
  targets: readonly LoraTarget[];
}

export interface TrainState extends LoopState {
  adapter: AdapterWeights;
}

export interface TrainRun {
  modelDir: string;
  cacheDir: string;
  train: readonly TrainExample[];
  validation: readonly TrainExample[];
  config: LoraTrainConfig;
  /** Threads for the training session (0 = onnxruntime's default). */
  threads: number;
  /** The frozen base's precision, as the serving engine's (default fp32; int8/int4 train over the quantized base). */
  precision?: WeightPrecision;
  /** Starting values instead of PEFT's init (init_adapter); same rank and targets. */
  init?: AdapterWeights;
  /** A checkpoint's state to resume from. */
  resume?: TrainState;
  onStep?: (m: StepMetrics) => void;
  onEval?: (m: { step: number; validationLoss: number }) => void;
  onCheckpoint?: (state: TrainState) => Promise<void> | void;
  /** Asked between optimizer steps. */
  control?: () => 'continue' | 'cancel' | 'pause';
}

export interface TrainResult {
  outcome: LoopOutcome;
  state: TrainState;
  spec: ModelSpec;
}

/** The adapter's scale: alpha / R, or alpha / sqrt(R) with rsLoRA (PEFT). */
export function loraScale(c: Pick<LoraTrainConfig, 'alpha' | 'rank' | 'useRslora'>): number {
  return c.useRslora ? c.alpha / Math.sqrt(c.rank) : c.alpha / c.rank;
}

export async function trainLora(run: TrainRun): Promise<TrainResult> {
  const c = run.config;
  const session = await TrainingSession.open({
    modelDir: run.modelDir,
    cacheDir: run.cacheDir,
    graph: { lora: { rank: c.rank, targets: c.targets }, precision: run.precision },
    threads: run.threads,
  });
  const spec = session.spec;
  try {
    const adapter =
      run.resume?.adapter ??
      run.init ??
      initLora({ spec, rank: c.rank, targets: c.targets, seed: c.seed, alpha: c.alpha, useRslora: c.useRslora });
    const state: TrainState = { ...(run.resume ?? freshLoopState()), adapter };
    const outcome = await runTrainingLoop({
      ...run,
      session,
      params: session.trainable.map((t) => paramOf(adapter, t.name)), // [n][P_i], updated in place
      loraScale: loraScale(c),
      state,
    });
    return { outcome, state, spec };
  } finally {
    await session.release();
  }
}

/** The adapter array a training-graph input names (lora_a.{l}.{target} / lora_b.{l}.{target}). */
export function paramOf(adapter: AdapterWeights, input: string): Float32Array {
  const m = /^lora_([ab])\.(\d+)\.(\w+)$/.exec(input);
  const pair = m ? adapter.layers[Number(m[2])]?.get(m[3] as LoraTarget) : undefined;
  if (!m || !pair) throw new Error(`trainLora: the adapter has no value for graph input ${input}`);
  return m[1] === 'a' ? pair.a : pair.b;
}
