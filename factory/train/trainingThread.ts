// The owner's handle on the training thread (./trainingWorker.ts): one typed channel
// (common/workerRpc), started on first use, ended by close().
import { spawnWorker, type Logger, type WorkerChannel } from '../../common/index.ts';
import type {
  TrainingCalls,
  TrainingCommand,
  TrainingNotice,
  TrainJobArgs,
  TrainJobResult,
} from './trainingProtocol.ts';

export class TrainingThread {
  private channel: WorkerChannel<TrainingCalls, TrainingNotice, TrainingCommand> | null = null;

  constructor(private readonly log?: Logger) {}

  /** Runs one job; `onNotice` gets its steps, evaluations and checkpoints in order. */
  async train(job: TrainJobArgs, onNotice: (n: TrainingNotice) => void): Promise<TrainJobResult> {
    this.channel ??= spawnWorker<TrainingCalls, TrainingNotice, TrainingCommand>(
      new URL('./trainingWorker.ts', import.meta.url),
      { name: 'training thread', log: this.log },
    );
    const channel = this.channel;
    const off = channel.onNotice(onNotice);
    const offExit = channel.onExit(() => {
      if (this.channel === channel) this.channel = null; // the next job starts a fresh thread
    });
    try {
      return await channel.call('train', job);
    } finally {
      off();
      offExit();
    }
  }

  /** Cancel or pause the running job at its next optimizer step. */
  control(action: 'cancel' | 'pause'): void {
    this.channel?.post({ t: 'control', action });
  }

  async close(): Promise<void> {
    const c = this.channel;
    this.channel = null;
    await c?.close();
  }
}
