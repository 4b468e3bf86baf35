// Owns the engine's life on the HTTP side: starting (GET /health 503, generation 503
// engine_not_ready), ready, failed (the start error is logged and kept), draining for shutdown
// (new work 503 shutting_down), closed. Routes ask `get()` for the engine and never start it.
import type { EngineClient } from '../kernels/index.ts';
import { EngineError, LoraledgerError } from '../common/index.ts';

export type EngineState = 'starting' | 'ready' | 'failed' | 'closed';

export class EngineHolder {
  state: EngineState = 'starting';
  draining = false;
  failure: LoraledgerError | null = null;
  private engine: EngineClient | null = null;
  /** Settles when the start attempt finishes (never rejects: failures land in `failure`). */
  readonly started: Promise<void>;
  private readonly drain = new AbortController();

  constructor(
    start: () => Promise<EngineClient>,
    onReady: (e: EngineClient) => Promise<void> | void,
    onFailure: (err: unknown) => void,
  ) {
    this.started = start()
      .then(async (e) => {
        this.engine = e;
        await onReady(e);
        if (this.state === 'starting') this.state = 'ready';
      })
      .catch((err: unknown) => {
        this.state = 'failed';
        this.failure =
          err instanceof LoraledgerError
            ? err
            : new EngineError(
                'engine_failed',
                `The engine failed to start: ${(err as Error)?.message ?? String(err)}`,
                { cause: err },
              );
        onFailure(err);
      });
  }

  /** The engine, or a 503 error saying why not. */
  get(): EngineClient {
    if (this.draining)
      throw new EngineError('shutting_down', 'The server is shutting down and accepts no new requests.');
    if (this.state === 'ready' && this.engine) return this.engine;
    if (this.state === 'failed')
      throw new EngineError(
        'engine_not_ready',
        `The model failed to load: ${this.failure?.message ?? 'unknown error'}`,
      );
    throw new EngineError(
      'engine_not_ready',
      'The model is still loading; retry shortly (GET /health says when it is ready).',
    );
  }

  /** The engine if it started (for stats/metrics), without the readiness checks. */
  peek(): EngineClient | null {
    return this.engine;
  }

  /** Aborted when the shutdown deadline passes: in-flight generations cancel. */
  get shutdownSignal(): AbortSignal {
    return this.drain.signal;
  }

  /** Stop taking new work; after `deadlineSeconds`, cancel what is still running. */
  beginDrain(deadlineSeconds: number): void {
    if (this.draining) return;
    this.draining = true;
    setTimeout(() => this.drain.abort(), deadlineSeconds * 1000).unref();
  }

  private active = 0;
  private idleWaiters: Array<() => void> = [];

  /** Counts one in-flight generation; call the returned function when it ends. */
  track(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
  }

  get inFlight(): number {
    return this.active;
  }

  /** Resolves when no generation is in flight. */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    this.draining = true;
    this.drain.abort();
    await this.started;
    const e = this.engine;
    this.engine = null;
    this.state = 'closed';
    if (e) await e.close();
  }
}
