// The owner's handle on the training thread (./trainingWorker.ts): one typed channel
// (common/workerRpc), started on first use, ended by close(). It is also the one writer of the
// adapters' influence/gradients.bin on this server (the factory after a job, the influence scorer
// on an adapter's first use): one write per file at a time, see storeGradients.
import { resolve } from 'node:path';
import { spawnWorker, type Logger, type WorkerChannel } from '../../common/index.ts';
import type {
  AnswerGradientsArgs,
  GradientModelArgs,
  StoreGradientsArgs,
  TrainingCalls,
  TrainingCommand,
  TrainingNotice,
  TrainJobArgs,
  TrainJobResult,
} from './trainingProtocol.ts';

type Base = 'modelDir' | 'cacheDir' | 'threads' | 'maxRank';
/** The gradient source the influence scorer takes (attribution/scoring/influence InfluenceGradients fits it). */
export interface ThreadGradients {
  storeGradients(a: Omit<StoreGradientsArgs, Base>): Promise<TrainingCalls['storeGradients']['result']>;
  answerGradients(a: Omit<AnswerGradientsArgs, Base>): Promise<TrainingCalls['answerGradients']['result']>;
}

type StoreResult = TrainingCalls['storeGradients']['result'];

export class TrainingThread {
  private channel: WorkerChannel<TrainingCalls, TrainingNotice, TrainingCommand> | null = null;
  /** Gradient files being written, by absolute path: what the write is for, and its result. */
  private readonly writing = new Map<string, { args: string; done: Promise<StoreResult> }>();

  constructor(
    private readonly log?: Logger,
    /** Tests only: honour injectFault(); no config flag sets it. */
    private readonly opts: { faultInjection?: boolean } = {},
  ) {}

  /** Runs one job; `onNotice` gets its steps, evaluations and checkpoints in order. */
  async train(job: TrainJobArgs, onNotice: (n: TrainingNotice) => void): Promise<TrainJobResult> {
    const channel = this.open();
    const off = channel.onNotice(onNotice);
    try {
      return await channel.call('train', job);
    } finally {
      off();
    }
  }

  /**
   * Every training example's LoRA gradient, into a gradient file (training-data influence).
   * Single flight per file: a call while the same write (same adapter, manifest, precision,
   * projection) is running shares its result; a call for the same file with other arguments waits
   * for the running one, then writes. An adapter's first use brings many requests at once.
   */
  storeGradients(a: StoreGradientsArgs): Promise<StoreResult> {
    const file = resolve(a.file);
    const { examples: _rows, ...rest } = a; // the manifest hash names the rows
    const args = JSON.stringify(rest);
    const running = this.writing.get(file);
    if (running?.args === args) return running.done;
    const after = running ? running.done.then(noop, noop) : Promise.resolve();
    const entry = { args, done: after.then(() => this.open().call('storeGradients', a)) };
    this.writing.set(file, entry);
    const settle = (): void => {
      if (this.writing.get(file) === entry) this.writing.delete(file);
    };
    entry.done.then(settle, settle);
    return entry.done;
  }

  /** The gradients of answers (prompt + completion rows), batched in one call. */
  answerGradients(a: AnswerGradientsArgs): Promise<TrainingCalls['answerGradients']['result']> {
    return this.open().call('answerGradients', a);
  }

  /** The influence scorer's gradient source (attribution/scoring/influence), on this thread. */
  influenceGradients(base: Omit<GradientModelArgs, 'adapterDir' | 'precision'>): ThreadGradients {
    return {
      storeGradients: (a) => this.storeGradients({ ...base, ...a }),
      answerGradients: (a) => this.answerGradients({ ...base, ...a }),
    };
  }

  private open(): WorkerChannel<TrainingCalls, TrainingNotice, TrainingCommand> {
    if (this.channel) return this.channel;
    const channel = spawnWorker<TrainingCalls, TrainingNotice, TrainingCommand>(
      new URL('./trainingWorker.ts', import.meta.url),
      { name: 'training thread', log: this.log },
    );
    channel.onExit(() => {
      if (this.channel === channel) this.channel = null; // the next call starts a fresh thread
    });
    this.channel = channel;
    return channel;
  }

  /** Tests only (ignored unless made with faultInjection): the thread throws or exits at its next optimizer step. */
  injectFault(kind: 'throw' | 'exit'): void {
    if (this.opts.faultInjection) this.channel?.post({ t: 'fault', kind });
  }

  /** Cancel or pause the running job at its next optimizer step. */
  control(action: 'cancel' | 'pause'): void {
    this.channel?.post({ t: 'control', action });
  }

  /**
   * Ends the thread once its running calls have returned (at most CLOSE_GRACE_MS): terminating a
   * worker while an onnxruntime call runs in it aborts the whole process ("terminate called after
   * throwing an instance of 'Napi::Error'"). A running job is paused first by its owner (FineTuner).
   */
  async close(): Promise<void> {
    const c = this.channel;
    this.channel = null;
    if (c && !(await c.settled(CLOSE_GRACE_MS)))
      this.log?.warn({ inFlight: c.inFlight }, 'training thread: calls still running at close; terminating it');
    await c?.close();
  }
}

const noop = (): void => {};
/** How long close() lets running calls return before it terminates the thread. */
const CLOSE_GRACE_MS = 30_000;
