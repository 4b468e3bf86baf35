// Owns the engine's life on the HTTP side: starting (GET /health 503, generation 503
// engine_not_ready), ready, restarting (the worker crashed: GET /health 503 `restarting`, new work
// 503 engine_not_ready until it is back), failed (the first start failed: the error is logged and
// kept), draining for shutdown (new work 503 shutting_down), closed. Routes ask `get()` for the
// engine and never start it.
//
// Restart: when a ready engine's worker dies (EngineClient.onExit), the requests it was running
// have already ended with 503 engine_failed; the holder starts a fresh engine after a backoff
// (initialDelayMs, doubling up to maxDelayMs while restarts keep failing or the engine keeps
// crashing within stableMs of coming back), and calls onReady with `restart: true` so the owner can
// bring its adapters back.
import type { EngineClient } from '../kernels/index.ts';
import { EngineError, LoraledgerError, type SerializedError } from '../common/index.ts';

export type EngineState = 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

export interface RestartOptions {
  /** Called when a crash is seen and again before each restart attempt (`attempt` from 1). */
  onRestart?: (event: { error: SerializedError | Error; attempt: number; delayMs: number }) => void;
  /** First backoff; default 250 ms. */
  initialDelayMs?: number;
  /** Backoff cap; default 30 s. */
  maxDelayMs?: number;
  /** An engine that ran this long before crashing restarts after initialDelayMs again; default 60 s. */
  stableMs?: number;
}

export class EngineHolder {
  state: EngineState = 'starting';
  draining = false;
  failure: LoraledgerError | null = null;
  /** Restart attempts since the holder was made (loraledger_engine_restarts_total). */
  restarts = 0;
  private engine: EngineClient | null = null;
  /** Settles when the first start attempt finishes (never rejects: failures land in `failure`). */
  readonly started: Promise<void>;
  private readonly drain = new AbortController();
  private attempt: Promise<void>;
  private timer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private readyAt = 0;
  private readonly restart: Required<Omit<RestartOptions, 'onRestart'>> & Pick<RestartOptions, 'onRestart'>;

  constructor(
    private readonly start: () => Promise<EngineClient>,
    private readonly onReady: (e: EngineClient, info: { restart: boolean }) => Promise<void> | void,
    private readonly onFailure: (err: unknown) => void,
    restart: RestartOptions = {},
  ) {
    this.restart = { initialDelayMs: 250, maxDelayMs: 30_000, stableMs: 60_000, ...restart };
    this.delayMs = this.restart.initialDelayMs;
    this.started = this.attempt = this.launch(false);
  }

  private launch(restart: boolean): Promise<void> {
    return this.start()
      .then(async (e) => {
        if (this.state === 'closed') return void (await e.close());
        this.engine = e;
        e.onExit?.((error) => this.crashed(e, error));
        await this.onReady(e, { restart });
        if (this.state === 'starting' || this.state === 'restarting') {
          this.state = 'ready';
          this.failure = null;
          this.readyAt = Date.now();
        }
      })
      .catch((err: unknown) => {
        this.onFailure(err);
        if (restart && this.state === 'restarting') return this.schedule(err as Error);
        this.state = 'failed';
        this.failure =
          err instanceof LoraledgerError
            ? err
            : new EngineError(
                'engine_failed',
                `The engine failed to start: ${(err as Error)?.message ?? String(err)}`,
                { cause: err },
              );
      });
  }

  /** The worker of `e` died: its requests already ended with engine_failed; restart with backoff. */
  private crashed(e: EngineClient, error: SerializedError): void {
    if (this.engine !== e || this.state === 'closed' || this.draining) return;
    this.engine = null;
    this.state = 'restarting';
    this.failure = new EngineError('engine_failed', error.message);
    if (Date.now() - this.readyAt >= this.restart.stableMs) this.delayMs = this.restart.initialDelayMs;
    this.schedule(error);
  }

  private schedule(error: SerializedError | Error): void {
    const delayMs = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.restart.maxDelayMs);
    this.restarts++;
    this.restart.onRestart?.({ error, attempt: this.restarts, delayMs });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.state === 'restarting') this.attempt = this.launch(true);
    }, delayMs);
  }

  /** The engine for new work, or a 503 error saying why not (shutting_down once draining). */
  get(): EngineClient {
    if (this.draining)
      throw new EngineError('shutting_down', 'The server is shutting down and accepts no new requests.');
    return this.current();
  }

  /**
   * The engine for work admitted before the drain began, also while draining: the attribution of a
   * request already answered (an `async` record acknowledged as pending) or still running. Until
   * close(); a 503 error when there is no engine.
   */
  current(): EngineClient {
    if (this.state === 'ready' && this.engine) return this.engine;
    if (this.state === 'closed') throw new EngineError('shutting_down', 'The engine is shut down.');
    if (this.state === 'failed')
      throw new EngineError(
        'engine_not_ready',
        `The model failed to load: ${this.failure?.message ?? 'unknown error'}`,
      );
    if (this.state === 'restarting')
      throw new EngineError(
        'engine_not_ready',
        'The engine is restarting after a failure; retry shortly (GET /health says when it is ready).',
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.attempt;
    const e = this.engine;
    this.engine = null;
    this.state = 'closed';
    if (e) await e.close();
  }
}
