// Disk -> host loads on a thread of their own (adapters/adapterLoaderWorker.ts), for the engine
// worker: its event loop only receives finished AdapterWeights between forward steps, so cold
// loads overlap decoding instead of stalling every running stream for a read + transpose.
//
// Failure rules: a load that fails rejects with the loader's AdapterError (code kept); if the
// thread itself dies, every pending load rejects with adapter_load_failed and the next load starts
// a fresh thread. close() ends the thread (its owner must call it; the thread keeps a process
// alive otherwise); later loads reject.
import { AdapterError, WorkerExitError, spawnWorker, type WorkerChannel } from '../common/index.ts';
import type { ModelSpec } from '../kernels/model/index.ts';
import type { AdapterWeights } from '../kernels/model/index.ts';

export interface LoaderRequest {
  id: string;
  path: string;
  spec: ModelSpec;
  maxRank: number;
}

/** The loader thread's one call; the weights' buffers move to the caller's thread (no copy). */
export interface LoaderCalls {
  load: { args: LoaderRequest; result: AdapterWeights };
}

export class AdapterLoaderThread {
  private channel: WorkerChannel<LoaderCalls> | null = null;
  private closed = false;

  constructor(
    private readonly spec: ModelSpec,
    private readonly maxRank: number,
  ) {}

  /** Reads, validates and orients the adapter at `path` off this thread. */
  async load(ref: { id: string; path: string }): Promise<AdapterWeights> {
    if (this.closed)
      throw new AdapterError('adapter_load_failed', `adapter ${ref.id}: the adapter loader is closed`, {
        details: { id: ref.id },
      });
    try {
      return await this.thread().call('load', { id: ref.id, path: ref.path, spec: this.spec, maxRank: this.maxRank });
    } catch (err) {
      if (!(err instanceof WorkerExitError)) throw err;
      const why = this.closed ? 'the adapter loader is closed' : err.message;
      throw new AdapterError('adapter_load_failed', `adapter ${ref.id} could not be loaded: ${why}`, {
        details: { id: ref.id, cause: 'loader' },
      });
    }
  }

  /** Loads in flight. */
  get inFlight(): number {
    return this.channel?.inFlight ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    const channel = this.channel;
    this.channel = null;
    await channel?.close(); // pending loads reject as closed
  }

  private thread(): WorkerChannel<LoaderCalls> {
    if (this.channel) return this.channel;
    const channel = spawnWorker<LoaderCalls>(new URL('./adapterLoaderWorker.ts', import.meta.url), {
      name: 'the adapter loader thread',
      reviveError: (e) => new AdapterError(e.code, e.message, { param: e.param, details: e.details }),
    });
    channel.onExit(() => {
      if (this.channel === channel) this.channel = null;
    });
    this.channel = channel;
    return channel;
  }
}
