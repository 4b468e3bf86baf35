// The training thread: runs one job at a time (trainLora) with its own onnxruntime session and
// thread cap, so serving never waits for it. Steps, evaluations and checkpoints go to the owner as
// notices; cancel and pause arrive as commands and take effect between optimizer steps.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { connectParent, lowerThreadPriority } from '../../common/index.ts';
import { ADAPTER_WEIGHTS_FILE } from '../../adapters/index.ts';
import type { TrainingSession } from '../../kernels/index.ts';
import { loadModelSpec, type AdapterWeights } from '../../kernels/model/index.ts';
import { readCheckpoint, readInitAdapter, writeCheckpoint } from './checkpoint.ts';
import { exportAdapter } from './exportAdapter.ts';
import { trainLora, type StepMetrics, type TrainState } from './trainLora.ts';
import {
  bindGradientModel,
  exampleGradients,
  loadGradientAdapter,
  openGradientSession,
  storeExampleGradients,
  type GradientModel,
} from './exampleGradients.ts';
import type { GradientModelArgs, TrainingCalls, TrainingCommand, TrainingNotice } from './trainingProtocol.ts';

lowerThreadPriority(); // before any session: onnxruntime's threads inherit it (common/threadPriority.ts)
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
 * Gradient models. The training graph depends only on the LoRA shape (rank, targets) and the
 * precision: an adapter's values are inputs. So one session serves every adapter of a shape, and
 * answers for the embedded default's four adapters no longer open a session each time they
 * interleave (a session open per switch cost more than the gradients under the soak's load).
 * Sessions are kept per shape (a few at most), adapter values per folder; both least recently
 * used first. A session is released only once evicted AND no call still uses it: releasing it
 * under a running call failed that call with "Session already disposed".
 */
interface SessionEntry {
  session: Promise<TrainingSession>;
  users: number;
  evicted: boolean;
}
const MAX_GRADIENT_SESSIONS = 2;
const MAX_GRADIENT_ADAPTERS = 16;
const sessions = new Map<string, SessionEntry>();
const adapters = new Map<string, Promise<AdapterWeights>>();

/** Map get that moves the entry to the most recently used end. */
function touch<V>(m: Map<string, V>, key: string): V | undefined {
  const v = m.get(key);
  if (v !== undefined) {
    m.delete(key);
    m.set(key, v);
  }
  return v;
}

function releaseIfUnused(e: SessionEntry): void {
  if (e.users > 0 || !e.evicted) return;
  void e.session.then((s) => s.release()).catch(() => undefined); // a failed open has nothing to release
}

function gradientAdapter(a: GradientModelArgs): Promise<AdapterWeights> {
  // the weights file's size and time in the key: a folder rewritten in place is read again
  const st = statSync(join(a.adapterDir, ADAPTER_WEIGHTS_FILE), { throwIfNoEntry: false });
  const key = JSON.stringify([a.modelDir, a.adapterDir, a.maxRank, st?.size, st?.mtimeMs]);
  let p = touch(adapters, key);
  if (!p) {
    p = loadModelSpec(a.modelDir).then((spec) => loadGradientAdapter(a.adapterDir, spec, a.maxRank));
    adapters.set(key, p);
    p.catch(() => adapters.get(key) === p && adapters.delete(key));
    while (adapters.size > MAX_GRADIENT_ADAPTERS) adapters.delete(adapters.keys().next().value!);
  }
  return p;
}

/** Runs `use` with the gradient model for `a`, its session held until `use` returns. */
async function withGradientModel<T>(a: GradientModelArgs, use: (m: GradientModel) => Promise<T>): Promise<T> {
  const adapter = await gradientAdapter(a);
  const shape = { ...a, rank: adapter.rank, targets: adapter.targets };
  const key = JSON.stringify([a.modelDir, a.cacheDir, a.precision, a.threads, adapter.rank, adapter.targets]);
  let entry = touch(sessions, key);
  if (!entry) {
    const e: SessionEntry = { session: openGradientSession(shape), users: 0, evicted: false };
    e.session.catch(() => {
      if (sessions.get(key) === e) sessions.delete(key);
    });
    sessions.set(key, e);
    while (sessions.size > MAX_GRADIENT_SESSIONS) {
      const [oldKey, old] = sessions.entries().next().value!;
      sessions.delete(oldKey);
      old.evicted = true;
      releaseIfUnused(old);
    }
    entry = e;
  }
  entry.users++;
  try {
    return await use(bindGradientModel(await entry.session, adapter));
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
