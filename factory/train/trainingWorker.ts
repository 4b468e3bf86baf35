// The training thread: runs one job at a time (trainLora) with its own onnxruntime session and
// thread cap, so serving never waits for it. Steps, evaluations and checkpoints go to the owner as
// notices; cancel and pause arrive as commands and take effect between optimizer steps.
import { join } from 'node:path';
import { connectParent } from '../../common/index.ts';
import { loadModelSpec } from '../../kernels/model/index.ts';
import { readCheckpoint, readInitAdapter, writeCheckpoint } from './checkpoint.ts';
import { exportAdapter } from './exportAdapter.ts';
import { trainLora, type StepMetrics, type TrainState } from './trainLora.ts';
import { exampleGradients, openGradientModel, storeExampleGradients, type GradientModel } from './exampleGradients.ts';
import type { GradientModelArgs, TrainingCalls, TrainingCommand, TrainingNotice } from './trainingProtocol.ts';

const parent = connectParent<TrainingCalls, TrainingNotice, TrainingCommand>();
let control: Extract<TrainingCommand, { t: 'control' }>['action'] = 'continue';
let fault: 'throw' | 'exit' | null = null; // tests only (TrainingThread.injectFault)

/** Fires an armed fault in the middle of a job (at an optimizer step). */
function fireFault(): void {
  const f = fault;
  fault = null;
  if (f === 'exit') process.exit(72);
  if (f === 'throw')
    process.nextTick(() => {
      throw new Error('injected training thread fault');
    });
}
/**
 * The last adapter opened for gradients (answers come in bursts for one adapter). Calls for
 * different adapters interleave (each awaits its session runs), so a model is released only once
 * it is no longer the current one AND no call is still using it: releasing it under a running call
 * failed that call with "Session already disposed" (seen under the soak's load).
 */
interface GradientEntry {
  key: string;
  model: Promise<GradientModel>;
  users: number;
}
let gradientModel: GradientEntry | null = null;

function releaseIfUnused(e: GradientEntry): void {
  if (e.users > 0 || gradientModel === e) return;
  void e.model.then((m) => m.session.release()).catch(() => undefined); // a failed open has nothing to release
}

/** Runs `use` with the gradient model for `a` (opened, or the current one), held until it returns. */
async function withGradientModel<T>(a: GradientModelArgs, use: (m: GradientModel) => Promise<T>): Promise<T> {
  const key = JSON.stringify([a.modelDir, a.adapterDir, a.precision, a.threads, a.maxRank]);
  if (gradientModel?.key !== key) {
    const old = gradientModel;
    const model = loadModelSpec(a.modelDir).then((spec) => openGradientModel({ ...a, spec }));
    const entry: GradientEntry = { key, model, users: 0 };
    gradientModel = entry;
    model.catch(() => (gradientModel = gradientModel === entry ? null : gradientModel));
    if (old) releaseIfUnused(old);
  }
  const entry = gradientModel!;
  entry.users++;
  try {
    return await use(await entry.model);
  } finally {
    entry.users--;
    releaseIfUnused(entry);
  }
}

parent.serve(
  {
    async train(job) {
      control = job.control;
      const spec = await loadModelSpec(job.modelDir);
      const resume = job.resumeFrom ? await readCheckpoint(job.resumeFrom, spec, job.maxRank) : undefined;
      const init = job.initFrom
        ? await readInitAdapter(job.initFrom, spec, { ...job.config, maxRank: job.maxRank })
        : undefined;
      const saved = { spec, alpha: job.config.alpha, useRslora: job.config.useRslora, baseModel: job.baseModel };
      const seen = { last: null as StepMetrics | null, validationLoss: null as number | null };
      const save = async (state: TrainState): Promise<void> => {
        const dir = join(job.checkpointsDir, `step-${state.step}`);
        const metrics = { train_loss: seen.last?.trainLoss ?? null, valid_loss: seen.validationLoss };
        await writeCheckpoint(dir, state, { ...saved, metrics });
        parent.notify({ t: 'checkpoint', step: state.step, dir, metrics });
      };
      const result = await trainLora({
        modelDir: job.modelDir,
        cacheDir: job.cacheDir,
        train: job.train,
        validation: job.validation,
        config: job.config,
        precision: job.precision,
        threads: job.threads,
        init,
        resume,
        onStep: (metrics) => {
          seen.last = metrics;
          parent.notify({ t: 'step', metrics });
          if (fault) fireFault();
        },
        onEval: (e) => {
          seen.validationLoss = e.validationLoss;
          parent.notify({ t: 'eval', ...e });
        },
        onCheckpoint: save,
        control: () => control,
      });
      // a paused job resumes from exactly here, not from its last periodic checkpoint
      if (result.outcome === 'paused' && result.state.step > 0) await save(result.state);
      if (result.outcome === 'finished' || result.outcome === 'early_stopped') {
        await exportAdapter(result.state.adapter, { dir: job.outputDir, ...saved });
      }
      return {
        outcome: result.outcome,
        step: result.state.step,
        trainedTokens: result.state.trainedTokens,
        bestValidationLoss: result.state.bestValidationLoss,
      };
    },
    async storeGradients(a) {
      const started = performance.now();
      const header = await withGradientModel(a, (m) => storeExampleGradients(m, a));
      return { header, seconds: (performance.now() - started) / 1000 };
    },
    async answerGradients(a) {
      const blocks: Float32Array[][] = [];
      const losses: number[] = [];
      await withGradientModel(a, (m) =>
        exampleGradients(m, a.rows, a.projection, (_, b, loss) => {
          blocks.push(b);
          losses.push(loss);
        }),
      );
      return { blocks, losses };
    },
  },
  (cmd) => {
    if (cmd.t === 'fault') fault = cmd.kind;
    else control = cmd.action;
  },
);
