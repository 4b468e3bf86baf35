// The LoRA training loop: runs the training graph (kernels/graph/buildTrainingGraph.ts) over
// planned micro-batches and updates the adapter with AdamW.
//
//   for epoch e, for each optimizer step s of planEpoch(train, e):
//     grads = Σ over the step's micro-batches of graph(batch, loss_scale = 1 / step loss tokens)
//     clip grads to max_grad_norm (0 = off); AdamW.step(grads, lr(s)); onStep(metrics)
//     every eval_every steps: validation loss (mean nll over its loss tokens) -> onEval;
//       early stopping when it has not improved for `patience` evaluations
//     every checkpoint_every steps: onCheckpoint(state)
//     control() between steps: 'cancel' ends the run, 'pause' ends it with a resumable state
//
// Glossary: B rows per micro-batch, T padded length, M micro-batches per step, R rank.
import { LoraledgerError } from '../../common/index.ts';
import { TrainingSession } from '../../kernels/index.ts';
import type { AdapterWeights, LoraTarget, ModelSpec } from '../../kernels/model/index.ts';
import { AdamW, type AdamWState } from './adamw.ts';
import { planEpoch, planEvaluation, padBatch, type TrainBatch } from './batches.ts';
import { clipGradNorm } from './clipGradNorm.ts';
import { initLora } from './initLora.ts';
import { learningRate, type LrScheduleKind } from './lrSchedule.ts';
import type { TrainExample } from './trainExamples.ts';

export interface LoraTrainConfig {
  rank: number;
  alpha: number;
  useRslora: boolean;
  targets: readonly LoraTarget[];
  learningRate: number;
  epochs: number;
  batchSize: number;
  gradientAccumulationSteps: number;
  lrScheduler: LrScheduleKind;
  warmupSteps: number;
  weightDecay: number;
  /** 0 = no clipping. */
  maxGradNorm: number;
  /** Optimizer steps between validation passes; 0 = only at the end. */
  evalEvery: number;
  /** Optimizer steps between checkpoints; 0 = none. */
  checkpointEvery: number;
  /** Evaluations without a better validation loss before stopping; 0 = never stop early. */
  earlyStoppingPatience: number;
  seed: number;
}

export interface StepMetrics {
  step: number;
  totalSteps: number;
  epoch: number;
  trainLoss: number;
  learningRate: number;
  gradNorm: number;
  /** Loss tokens of this step. */
  tokens: number;
  /** Loss tokens of every step so far, checkpointed steps before a resume included. */
  trainedTokens: number;
  tokensPerSecond: number;
}

export interface TrainState {
  /** Optimizer steps done. */
  step: number;
  adapter: AdapterWeights;
  optimizer: AdamWState;
  bestValidationLoss: number | null;
  evalsWithoutImprovement: number;
  trainedTokens: number;
}

export interface TrainRun {
  modelDir: string;
  cacheDir: string;
  train: readonly TrainExample[];
  validation: readonly TrainExample[];
  config: LoraTrainConfig;
  /** Threads for the training session (0 = onnxruntime's default). */
  threads: number;
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
  outcome: 'finished' | 'early_stopped' | 'cancelled' | 'paused';
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
    graph: { lora: { rank: c.rank, targets: c.targets } },
    threads: run.threads,
  });
  const spec = session.spec;
  try {
    const adapter =
      run.resume?.adapter ??
      run.init ??
      initLora({ spec, rank: c.rank, targets: c.targets, seed: c.seed, alpha: c.alpha, useRslora: c.useRslora });
    const params = session.trainable.map((t) => paramOf(adapter, t.name)); // [n][P_i], updated in place
    const optimizer = new AdamW(params, { lr: c.learningRate, weightDecay: c.weightDecay }, run.resume?.optimizer);
    const scale = loraScale(c);
    const plans = Array.from({ length: c.epochs }, (_, epoch) =>
      planEpoch(run.train, {
        batchSize: c.batchSize,
        seed: c.seed,
        epoch,
        gradientAccumulationSteps: c.gradientAccumulationSteps,
      }),
    );
    const totalSteps = plans.reduce((n, p) => n + p.length, 0);
    const schedule = { kind: c.lrScheduler, warmupSteps: c.warmupSteps, totalSteps };
    const state: TrainState = run.resume ?? {
      step: 0,
      adapter,
      optimizer: optimizer.state(),
      bestValidationLoss: null,
      evalsWithoutImprovement: 0,
      trainedTokens: 0,
    };
    state.adapter = adapter;

    /** Runs one micro-batch; returns its scaled loss and adds its gradients into `acc` (when given). */
    const runBatch = async (b: TrainBatch, lossScale: number, acc: Float32Array[] | null): Promise<number> => {
      const out = await session.run(b, params, { lossScale, loraScale: scale, gradients: acc !== null });
      acc?.forEach((a, i) => {
        const g = out.grads[i]!;
        for (let j = 0; j < a.length; j++) a[j] += g[j]!;
      });
      return out.loss;
    };

    const validationLoss = async (): Promise<number> => {
      const micro = planEvaluation(run.validation, c.batchSize).map((rows) =>
        padBatch(rows.map((i) => run.validation[i]!)),
      );
      const tokens = micro.reduce((n, b) => n + b.lossTokens, 0);
      let loss = 0;
      for (const b of micro) loss += await runBatch(b, 1 / tokens, null);
      return loss;
    };
    const evaluate = async (): Promise<boolean> => {
      if (run.validation.length === 0) return false;
      const v = await validationLoss();
      run.onEval?.({ step: state.step, validationLoss: v });
      if (state.bestValidationLoss === null || v < state.bestValidationLoss) {
        state.bestValidationLoss = v;
        state.evalsWithoutImprovement = 0;
        return false;
      }
      state.evalsWithoutImprovement++;
      return c.earlyStoppingPatience > 0 && state.evalsWithoutImprovement >= c.earlyStoppingPatience;
    };

    let step = 0;
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      for (const plan of plans[epoch]!) {
        step++;
        if (step <= state.step) continue; // done before the checkpoint we resumed from
        const control = run.control?.() ?? 'continue';
        if (control !== 'continue') {
          return { outcome: control === 'cancel' ? 'cancelled' : 'paused', state, spec };
        }
        const started = performance.now();
        const grads = params.map((p) => new Float32Array(p.length));
        let loss = 0;
        for (const rows of plan.microBatches) {
          loss += await runBatch(padBatch(rows.map((i) => run.train[i]!)), 1 / plan.lossTokens, grads);
        }
        const gradNorm = clipGradNorm(grads, c.maxGradNorm); // 0 = off (the norm is still measured)
        if (!Number.isFinite(gradNorm)) {
          throw new LoraledgerError(
            'training_failed',
            `training diverged at step ${step}: the gradient norm is ${gradNorm} (try a lower learning rate or max_grad_norm)`,
            { details: { step, loss } },
          );
        }
        const lr = learningRate(c.learningRate, schedule, state.step);
        optimizer.step(grads, lr);
        state.step = step;
        state.optimizer = optimizer.state();
        state.trainedTokens += plan.lossTokens;
        const seconds = (performance.now() - started) / 1000;
        run.onStep?.({
          step,
          totalSteps,
          epoch,
          trainLoss: loss,
          learningRate: lr,
          gradNorm,
          tokens: plan.lossTokens,
          trainedTokens: state.trainedTokens,
          tokensPerSecond: plan.lossTokens / seconds,
        });
        const last = step === totalSteps;
        const stop = (c.evalEvery > 0 && step % c.evalEvery === 0) || last ? await evaluate() : false;
        if (run.onCheckpoint && ((c.checkpointEvery > 0 && step % c.checkpointEvery === 0) || last || stop)) {
          await run.onCheckpoint(state);
        }
        if (stop) return { outcome: 'early_stopped', state, spec };
      }
    }
    return { outcome: 'finished', state, spec };
  } finally {
    await session.release();
  }
}

/** The adapter array a training-graph input names (lora_a.{l}.{target} / lora_b.{l}.{target}). */
function paramOf(adapter: AdapterWeights, input: string): Float32Array {
  const m = /^lora_([ab])\.(\d+)\.(\w+)$/.exec(input);
  const pair = m ? adapter.layers[Number(m[2])]?.get(m[3] as LoraTarget) : undefined;
  if (!m || !pair) throw new Error(`trainLora: the adapter has no value for graph input ${input}`);
  return m[1] === 'a' ? pair.a : pair.b;
}
