// The optimizer loop shared by LoRA fine-tuning (./trainLora.ts) and full-weight training
// (./trainBase.ts): runs a training session over planned micro-batches and updates the trainable
// values with AdamW.
//
//   for epoch e, for each optimizer step s of planEpoch(train, e):
//     grads = Σ over the step's micro-batches of graph(batch, loss_scale = 1 / step loss tokens)
//     clip grads to max_grad_norm (0 = off); AdamW.step(grads, lr(s)); onStep(metrics)
//     every eval_every steps: validation loss (mean nll over its loss tokens) -> onEval;
//       early stopping when it has not improved for `patience` evaluations
//     every checkpoint_every steps: onCheckpoint(state)
//     control() between steps: 'cancel' ends the run, 'pause' ends it with a resumable state
//
// Glossary: n trainable values, P_i elements of value i, M micro-batches per step.
import { LoraledgerError } from '../../common/index.ts';
import type { TrainingSession } from '../../kernels/index.ts';
import { AdamW, type AdamWState } from './adamw.ts';
import { planEpoch, planEvaluation, padBatch, type TrainBatch } from './batches.ts';
import { clipGradNorm } from './clipGradNorm.ts';
import { learningRate, type LrScheduleKind } from './lrSchedule.ts';
import type { TrainExample } from './trainExamples.ts';

/** The optimizer, schedule and loop settings (a job's hyperparameters, minus what is LoRA's). */
export interface LoopConfig {
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

/** What a resumable run carries besides the trainable values themselves. */
export interface LoopState {
  /** Optimizer steps done. */
  step: number;
  optimizer: AdamWState;
  bestValidationLoss: number | null;
  evalsWithoutImprovement: number;
  trainedTokens: number;
}

export type LoopOutcome = 'finished' | 'early_stopped' | 'cancelled' | 'paused';

export interface LoopRun<S extends LoopState> {
  session: TrainingSession;
  /** The session's trainable values, in `session.trainable` order; updated in place. [n][P_i] */
  params: Float32Array[];
  /** Fed to the graph's lora_scale (ignored by graphs without an adapter). */
  loraScale: number;
  train: readonly TrainExample[];
  validation: readonly TrainExample[];
  config: LoopConfig;
  /** A fresh state (step 0) or a checkpoint's; `optimizer` is reused when its step is above 0. */
  state: S;
  onStep?: (m: StepMetrics) => void;
  onEval?: (m: { step: number; validationLoss: number }) => void;
  onCheckpoint?: (state: S) => Promise<void> | void;
  /** Asked between optimizer steps. */
  control?: () => 'continue' | 'cancel' | 'pause';
}

/** A fresh loop state: no steps (the loop starts the optimizer's moments at zero). */
export function freshLoopState(): LoopState {
  return {
    step: 0,
    optimizer: { step: 0, expAvg: [], expAvgSq: [] },
    bestValidationLoss: null,
    evalsWithoutImprovement: 0,
    trainedTokens: 0,
  };
}

export async function runTrainingLoop<S extends LoopState>(run: LoopRun<S>): Promise<LoopOutcome> {
  const c = run.config;
  const { session, params, state } = run;
  const optimizer = new AdamW(
    params,
    { lr: c.learningRate, weightDecay: c.weightDecay },
    state.optimizer.step > 0 ? state.optimizer : undefined,
  );
  const plans = Array.from({ length: c.epochs }, (_, epoch) =>
    planEpoch(run.train, {
      batchSize: c.batchSize,
      seed: c.seed,
      epoch,
      gradientAccumulationSteps: c.gradientAccumulationSteps,
    }),
  );
  const totalSteps = plans.reduce((n, p) => n + p.length, 0);
  /** Copies the moments into the state (only when it leaves the loop: they are as large as the values). */
  const synced = (): S => {
    if (state.optimizer.step !== optimizer.stepCount) state.optimizer = optimizer.state();
    return state;
  };
  const schedule = { kind: c.lrScheduler, warmupSteps: c.warmupSteps, totalSteps };

  /** Runs one micro-batch; returns its scaled loss and adds its gradients into `acc` (when given). */
  const runBatch = async (b: TrainBatch, lossScale: number, acc: Float32Array[] | null): Promise<number> => {
    const out = await session.run(b, params, { lossScale, loraScale: run.loraScale, gradients: acc !== null });
    acc?.forEach((a, i) => {
      const g = out.grads[i]!;
      for (let j = 0; j < a.length; j++) a[j] += g[j]!;
    });
    return out.loss;
  };

  const validationLoss = () => meanLoss(session, params, run.loraScale, run.validation, c.batchSize);
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
        synced();
        return control === 'cancel' ? 'cancelled' : 'paused';
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
        await run.onCheckpoint(synced());
      }
      if (stop) {
        synced();
        return 'early_stopped';
      }
    }
  }
  synced();
  return 'finished';
}

/**
 * The mean token cross-entropy (nats per loss token) of `examples` under the session's graph with
 * these values: every example once, in length-sorted micro-batches of `batchSize` rows.
 */
export async function meanLoss(
  session: TrainingSession,
  params: readonly Float32Array[],
  loraScale: number,
  examples: readonly TrainExample[],
  batchSize: number,
): Promise<number> {
  const micro = planEvaluation(examples, batchSize).map((rows) => padBatch(rows.map((i) => examples[i]!)));
  const tokens = micro.reduce((n, b) => n + b.lossTokens, 0);
  let loss = 0;
  for (const b of micro)
    loss += (await session.run(b, params, { lossScale: 1 / tokens, loraScale, gradients: false })).loss;
  return loss;
}
