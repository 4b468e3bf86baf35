// The main thread's handle on the engine worker (kernels/engineWorker.ts): implements EngineClient
// by message passing. It owns no model state: the worker owns the batch, KV cache and adapters.
//
// generate(): events are buffered per request until the consumer pulls them (at most the
// request's max_tokens + 1 events). Breaking out of the iteration cancels the request.
// A worker crash ends every pending request with `engine_failed`; close() ends them with
// `shutting_down` and stops the worker.
import { Worker } from 'node:worker_threads';
import { EngineError, deserializeError, type SerializedError } from '../../common/index.ts';
import type { EngineWorkerData, FromWorker, ToWorker } from './engineProtocol.ts';
import type { AdapterRegistration, EngineClient, EngineNotice, EngineOptions, EngineStats, GenerateEvent, GenerateRequest, ScoreResult, ScoreVariant } from './engineContract.ts';
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
        await new Promise<void>((resolve) => { this.wake = resolve; });
      }
    } finally {
      if (!finished) onAbandon();
    }
  }
}

interface Pending { resolve(v: unknown): void; reject(e: Error): void }

class WorkerEngineClient implements EngineClient {
  readonly spec: ModelSpec;
  private lastStats: EngineStats;
  private readonly streams = new Map<string, EventStream>();
  private readonly calls = new Map<number, Pending>();
  private readonly listeners: Array<(n: EngineNotice) => void> = [];
  private nextCall = 1;
  private dead: SerializedError | null = null;
  private exited: Promise<void>;

  constructor(private readonly worker: Worker, ready: Extract<FromWorker, { t: 'ready' }>) {
    this.spec = ready.spec;
    this.lastStats = ready.stats;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.fail({ code: 'engine_failed', message: `engine worker crashed: ${err.message}` }));
    this.exited = new Promise((resolve) => worker.once('exit', (code) => {
      this.fail({ code: 'engine_failed', message: `engine worker exited (code ${code})` });
      resolve();
    }));
  }

  generate(req: GenerateRequest): AsyncIterable<GenerateEvent> {
    const stream = new EventStream();
    if (this.dead) stream.push({ type: 'error', error: this.dead });
    else if (this.streams.has(req.id)) stream.push({ type: 'error', error: { code: 'invalid_request', message: `request id "${req.id}" is already running` } });
    else {
      this.streams.set(req.id, stream);
      this.post({ t: 'generate', req });
    }
    return { [Symbol.asyncIterator]: () => stream.iterate(() => this.cancel(req.id)) };
  }

  cancel(id: string): void {
    if (this.streams.has(id) && !this.dead) this.post({ t: 'cancel', id });
  }

  score(variants: ScoreVariant[]): Promise<ScoreResult[]> {
    return this.call((callId) => ({ t: 'score', callId, variants })) as Promise<ScoreResult[]>;
  }

  async registerAdapters(adapters: AdapterRegistration[]): Promise<void> {
    await this.call((callId) => ({ t: 'register', callId, adapters }));
  }

  async unregisterAdapter(id: string): Promise<void> {
    await this.call((callId) => ({ t: 'unregister', callId, id }));
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

  async close(): Promise<void> {
    if (!this.dead) {
      this.post({ t: 'close' });
      const timer = setTimeout(() => { void this.worker.terminate(); }, 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    this.fail({ code: 'shutting_down', message: 'the engine is shut down' });
  }

  private call(make: (callId: number) => ToWorker): Promise<unknown> {
    if (this.dead) return Promise.reject(deserializeError(this.dead));
    const callId = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(callId, { resolve, reject });
      this.post(make(callId));
    });
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'events':
        for (const [id, e] of m.items) {
          const s = this.streams.get(id);
          if (!s) continue;
          s.push(e);
          if (e.type !== 'token') this.streams.delete(id);
        }
        return;
      case 'reply': {
        const p = this.calls.get(m.callId);
        this.calls.delete(m.callId);
        if (m.error) p?.reject(deserializeError(m.error));
        else p?.resolve(m.result);
        return;
      }
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

  /** Ends every pending request and call with `error`; later calls fail with it too. */
  private fail(error: SerializedError): void {
    this.dead ??= error;
    for (const [, s] of this.streams) s.push({ type: 'error', error: this.dead });
    this.streams.clear();
    for (const [, p] of this.calls) p.reject(deserializeError(this.dead));
    this.calls.clear();
  }
}

/**
 * Spawns the engine worker, waits until the model is loaded and the graph session is ready.
 * Rejects with the worker's start-up error (e.g. ModelError model_folder_invalid).
 */
export async function startEngine(options: EngineOptions & { adapters?: AdapterRegistration[] }): Promise<EngineClient> {
  const { adapters = [], ...engine } = options;
  const data: EngineWorkerData = { options: engine, adapters };
  // engineWorkerBoot.mjs registers tsx inside the worker, then imports engineWorker.ts.
  return attachEngineWorker(new Worker(new URL('./engineWorkerBoot.mjs', import.meta.url), { workerData: data }));
}

/** Waits for a spawned engine worker's `ready` (or start-up failure) and wraps it in an EngineClient. */
export async function attachEngineWorker(worker: Worker): Promise<EngineClient> {
  const ready = await new Promise<Extract<FromWorker, { t: 'ready' }>>((resolve, reject) => {
    const onMessage = (m: FromWorker): void => {
      if (m.t === 'ready') { cleanup(); resolve(m); }
      if (m.t === 'fatal') { cleanup(); void worker.terminate(); reject(deserializeError(m.error)); }
    };
    const onError = (err: Error): void => { cleanup(); reject(new EngineError('engine_failed', `engine worker failed to start: ${err.message}`, { cause: err })); };
    const onExit = (code: number): void => { cleanup(); reject(new EngineError('engine_failed', `engine worker exited during start-up (code ${code})`)); };
    const cleanup = (): void => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  return new WorkerEngineClient(worker, ready);
}
