// The main thread's handle on the engine worker (engineWorker.ts): implements EngineClient over
// the worker channel (common/workerRpc.ts, messages in engineProtocol.ts). It owns no model state:
// the worker owns the batch, KV cache and adapters.
//
// generate(): events are buffered per request until the consumer pulls them (at most the
// request's max_tokens + 1 events). Breaking out of the iteration cancels the request.
// A worker crash ends every pending request with `engine_failed` and tells the onExit listeners
// (server/engineHolder restarts the engine); close() ends them with `shutting_down` and stops the
// worker. The worker's log lines go to the `log` given to startEngine.
import type { Worker } from 'node:worker_threads';
import {
  EngineError,
  WorkerChannel,
  WorkerExitError,
  deserializeError,
  spawnWorker,
  stderrLogger,
  type Logger,
  type SerializedError,
} from '../../common/index.ts';
import type { EngineCalls, EngineCommand, EngineWorkerData, EngineWorkerNotice } from './engineProtocol.ts';
import type {
  AdapterRegistration,
  EngineClient,
  EngineFault,
  EngineNotice,
  EngineOptions,
  EngineStats,
  GenerateEvent,
  GenerateRequest,
  ScoreOptions,
  ScoreResult,
  ScoreVariant,
} from './engineContract.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

/** One request's event buffer, read by one async iterator. */
class EventStream {
  private readonly queue: GenerateEvent[] = [];
  private wake: (() => void) | null = null;
  ended = false;

  push(e: GenerateEvent): void {
    if (this.ended) return;
    this.queue.push(e);
    if (e.type !== 'token') this.ended = true;
    this.wake?.();
    this.wake = null;
  }

  async *iterate(onAbandon: () => void): AsyncGenerator<GenerateEvent> {
    let finished = false;
    try {
      for (;;) {
        while (this.queue.length > 0) {
          const e = this.queue.shift()!;
          if (e.type !== 'token') finished = true;
          yield e;
          if (finished) return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      if (!finished) onAbandon();
    }
  }
}

type EngineChannel = WorkerChannel<EngineCalls, EngineWorkerNotice, EngineCommand>;
type Ready = Extract<EngineWorkerNotice, { t: 'ready' }>;

class WorkerEngineClient implements EngineClient {
  readonly spec: ModelSpec;
  private lastStats: EngineStats;
  private readonly streams = new Map<string, EventStream>();
  private readonly listeners: Array<(n: EngineNotice) => void> = [];
  private readonly exitListeners: Array<(e: SerializedError) => void> = [];
  private dead: SerializedError | null = null;

  constructor(
    private readonly channel: EngineChannel,
    ready: Ready,
  ) {
    this.spec = ready.spec;
    this.lastStats = ready.stats;
    channel.onNotice((m) => this.onMessage(m));
    // The channel has already rejected its pending calls; call() maps them to `this.dead`.
    channel.onExit((err) => {
      const unexpected = this.dead === null;
      this.fail({ code: 'engine_failed', message: `The engine failed (${err.message}); it restarts: retry shortly.` });
      if (unexpected) for (const l of this.exitListeners.splice(0)) l(this.dead!);
    });
  }

  generate(req: GenerateRequest): AsyncIterable<GenerateEvent> {
    const stream = new EventStream();
    if (this.dead) stream.push({ type: 'error', error: this.dead });
    else if (this.streams.has(req.id))
      stream.push({
        type: 'error',
        error: { code: 'invalid_request', message: `request id "${req.id}" is already running` },
      });
    else {
      this.streams.set(req.id, stream);
      this.post({ t: 'generate', req });
    }
    return { [Symbol.asyncIterator]: () => stream.iterate(() => this.cancel(req.id)) };
  }

  cancel(id: string): void {
    if (this.streams.has(id) && !this.dead) this.post({ t: 'cancel', id });
  }

  score(variants: ScoreVariant[], options?: ScoreOptions): Promise<ScoreResult[]> {
    return this.call('score', { variants, options });
  }

  registerAdapters(adapters: AdapterRegistration[]): Promise<void> {
    return this.call('register', adapters);
  }

  unregisterAdapter(id: string): Promise<void> {
    return this.call('unregister', id);
  }

  prefetch(ids: string[]): void {
    if (!this.dead) this.post({ t: 'prefetch', ids });
  }

  stats(): EngineStats {
    return this.lastStats;
  }

  onNotice(listener: (n: EngineNotice) => void): void {
    this.listeners.push(listener);
  }

  onExit(listener: (error: SerializedError) => void): void {
    this.exitListeners.push(listener);
  }

  injectFault(fault: EngineFault): void {
    this.post({ t: 'fault', fault });
  }

  async close(): Promise<void> {
    if (!this.dead) {
      this.post({ t: 'close' });
      await this.channel.close(10_000); // the worker shuts down and exits; terminated if it has not in 10 s
    }
    this.fail({ code: 'shutting_down', message: 'the engine is shut down' });
  }

  /** A worker call; once the engine is dead (crash or shutdown) it rejects with that error. */
  private async call<M extends keyof EngineCalls>(
    method: M,
    args: EngineCalls[M]['args'],
  ): Promise<EngineCalls[M]['result']> {
    if (this.dead) throw deserializeError(this.dead);
    try {
      return await this.channel.call(method, args);
    } catch (err) {
      if (err instanceof WorkerExitError)
        throw deserializeError(this.dead ?? { code: 'engine_failed', message: err.message });
      throw err;
    }
  }

  private post(m: EngineCommand): void {
    this.channel.post(m);
  }

  private onMessage(m: EngineWorkerNotice): void {
    switch (m.t) {
      case 'events':
        for (const [id, e] of m.items) {
          const s = this.streams.get(id);
          if (!s) continue;
          s.push(e);
          if (e.type !== 'token') this.streams.delete(id);
        }
        for (const n of m.notices ?? []) for (const l of this.listeners) l(n);
        if (m.stats) this.lastStats = m.stats;
        return;
      case 'notice':
        for (const l of this.listeners) l(m.notice);
        return;
      case 'stats':
        this.lastStats = m.stats;
        return;
      case 'closed':
        this.dead = { code: 'shutting_down', message: 'the engine is shut down' };
        return;
      default:
        return;
    }
  }

  /** Ends every pending request with `error`; later requests and calls fail with it too. */
  private fail(error: SerializedError): void {
    this.dead ??= error;
    for (const [, s] of this.streams) s.push({ type: 'error', error: this.dead });
    this.streams.clear();
  }
}

/**
 * Spawns the engine worker, waits until the model is loaded and the graph session is ready.
 * Rejects with the worker's start-up error (e.g. ModelError model_folder_invalid).
 * `log` receives the worker's log lines (default stderrLogger).
 */
export async function startEngine(
  options: EngineOptions & { adapters?: AdapterRegistration[]; log?: Logger },
): Promise<EngineClient> {
  const { adapters = [], log = stderrLogger, ...engine } = options;
  const workerData: EngineWorkerData = { options: engine, adapters };
  return attachEngine(
    spawnWorker(new URL('./engineWorker.ts', import.meta.url), { name: 'engine worker', workerData, log }),
  );
}

/** Waits for a spawned engine worker's `ready` (or start-up failure) and wraps it in an EngineClient. */
export function attachEngineWorker(worker: Worker, log: Logger = stderrLogger): Promise<EngineClient> {
  return attachEngine(new WorkerChannel(worker, { name: 'engine worker', log }));
}

function attachEngine(channel: EngineChannel): Promise<EngineClient> {
  return new Promise((resolve, reject) => {
    const offNotice = channel.onNotice((m) => {
      // The client subscribes within this dispatch, so it misses no notice sent after `ready`.
      if (m.t === 'ready') {
        cleanup();
        resolve(new WorkerEngineClient(channel, m));
      }
      if (m.t === 'fatal') {
        cleanup();
        void channel.close();
        reject(deserializeError(m.error));
      }
    });
    const offExit = channel.onExit((err) => {
      cleanup();
      reject(
        err.exitCode === null
          ? new EngineError('engine_failed', `engine worker failed to start: ${(err.cause as Error).message}`, {
              cause: err.cause,
            })
          : new EngineError('engine_failed', `engine worker exited during start-up (code ${err.exitCode})`),
      );
    });
    const cleanup = (): void => {
      offNotice();
      offExit();
    };
  });
}
