// Disk -> host loads on a thread of their own (adapters/adapterLoaderWorker.ts), for the engine
// worker: its event loop only receives finished AdapterWeights between forward steps, so cold
// loads overlap decoding instead of stalling every running stream for a read + transpose.
//
// Failure rules: a load that fails rejects with the loader's AdapterError (code kept); if the
// thread itself dies (a crash or an exit), a fresh thread starts and every load that was pending
// is tried once more on it; a load whose retry dies too rejects with adapter_load_failed (an
// adapter that kills the loader every time fails alone). close() ends the thread (its owner must
// call it; the thread keeps a process alive otherwise); later loads reject.
//
// injectFault() (tests only, reached through the engine's gated fault hook,
// kernels/engine/faultInjection.ts) makes the thread throw or exit in the middle of its next load.
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
  /** Tests only (injectFault): arms a crash for the next load. */
  fault: { args: 'throw' | 'exit'; result: void };
}

export class AdapterLoaderThread {
  private channel: WorkerChannel<LoaderCalls> | null = null;
  private closed = false;
  /** Threads that died while open (each replaced by a fresh one). */
  restarts = 0;

  constructor(
    private readonly spec: ModelSpec,
    private readonly maxRank: number,
  ) {}

  /** Reads, validates and orients the adapter at `path` off this thread. */
  async load(ref: { id: string; path: string }, retry = true): Promise<AdapterWeights> {
    if (this.closed)
      throw new AdapterError('adapter_load_failed', `adapter ${ref.id}: the adapter loader is closed`, {
        details: { id: ref.id },
      });
    try {
      return await this.thread().call('load', { id: ref.id, path: ref.path, spec: this.spec, maxRank: this.maxRank });
    } catch (err) {
      if (!(err instanceof WorkerExitError)) throw err;
      if (retry && !this.closed) return this.load(ref, false); // on a fresh thread
      const why = this.closed ? 'the adapter loader is closed' : err.message;
      throw new AdapterError('adapter_load_failed', `adapter ${ref.id} could not be loaded: ${why}`, {
        details: { id: ref.id, cause: 'loader' },
      });
    }
  }

  /** Tests only: the thread throws (uncaught) or exits during its next load. */
  injectFault(kind: 'throw' | 'exit'): void {
    void this.thread()
      .call('fault', kind)
      .catch(() => {}); // answered at once; a thread that died meanwhile has nothing to arm
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
      if (!this.closed) this.restarts++;
    });
    this.channel = channel;
    return channel;
  }
}
