// The one worker RPC (house style §1): a typed call / command / notice channel between the main
// thread and a worker thread. The engine worker and the adapter loader thread speak it; a worker
// module is started through workerBoot.mjs, so it may be TypeScript.
//
// Wire protocol: structured-clone messages on the worker's port, told apart by their tag `t`.
//
//   parent -> worker   { t: 'call', id, method, args }        answered by exactly one reply
//                      { t: <any other tag>, ... }             a one-way command (post)
//   worker -> parent   { t: 'reply', id, result }              the handler's result (its transfer list moves)
//                      { t: 'reply', id, error }               the handler's error, serializeError'd
//                      { t: 'log', level, context, message }   a log line for the parent's Logger
//                      { t: <any other tag>, ... }             a notice, to every onNotice listener, in order
//
//   parent  call(method, args)  ->  id = nextId++; pending[id] = promise; post { t: 'call', ... }
//           on reply            ->  pending[id].resolve(result) or .reject(reviveError(error))
//           on thread error|exit ->  death = WorkerExitError; reject every pending call; tell onExit
//                                   listeners once; later calls reject with death, posts are dropped
//   worker  on call             ->  r = await handlers[method](args); post { t: 'reply', id, r }
//                                   (r = withTransfer(value, buffers) moves the buffers, no copy)
//           on any other tag    ->  onCommand(message)
//
// Commands and notices travel as they are, without an envelope, so a worker that posts one message
// per step pays nothing for the channel. Their types may not use the channel's tags: `Own<M>` turns
// such a type into `never`, so it fails to type-check.
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { deserializeError, serializeError, type SerializedError } from './errors.ts';
import { stderrLogger, type Logger } from './logger.ts';

/** A command or notice: any structured-clone-safe object tagged by `t`. */
export interface Tagged {
  t: string;
}
type ChannelTag = 'call' | 'reply' | 'log';
/** M itself, or `never` if one of its members uses a tag the channel reserves. */
export type Own<M extends Tagged> = [Extract<M, { t: ChannelTag }>] extends [never] ? M : never;

/** What a call sends and what it answers. */
export interface CallSpec {
  args: unknown;
  result: unknown;
}
/** A worker's calls: method name -> { args, result }, e.g. `{ load: { args: LoaderRequest; result: AdapterWeights } }`. */
export type CallMap<C> = { [M in keyof C]: CallSpec };

type Wire =
  | { t: 'call'; id: number; method: string; args: unknown }
  | { t: 'reply'; id: number; result?: unknown; error?: SerializedError }
  | { t: 'log'; level: keyof Logger; context: Record<string, unknown>; message: string };

/** Thrown into every call still pending when the thread dies (uncaught error, exit, close()). */
export class WorkerExitError extends Error {
  /** The thread's exit code, or null when it died of an uncaught error (`cause`). */
  readonly exitCode: number | null;

  constructor(thread: string, exitCode: number | null, cause?: Error) {
    super(
      cause ? `${thread} crashed: ${cause.message}` : `${thread} exited (code ${exitCode})`,
      cause ? { cause } : undefined,
    );
    this.name = 'WorkerExitError';
    this.exitCode = exitCode;
  }
}

export interface ChannelOptions {
  /** Names the thread in WorkerExitError messages, e.g. 'engine worker'. */
  name: string;
  /** Where the worker's log lines go; default stderrLogger. */
  log?: Logger;
  /** Turns an error reply back into an error; default deserializeError (a LoraledgerError, code, param and details kept). */
  reviveError?: (e: SerializedError) => Error;
}

/** The parent's end: C = calls, N = notices the worker sends, P = one-way commands the parent posts. */
export class WorkerChannel<C extends CallMap<C>, N extends Tagged = never, P extends Tagged = never> {
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly noticeListeners = new Set<(n: N) => void>();
  private readonly exitListeners = new Set<(e: WorkerExitError) => void>();
  private settledWaiters: Array<() => void> = [];
  private readonly log: Logger;
  private readonly exited: Promise<void>;
  private nextId = 1;
  private death: WorkerExitError | null = null;

  constructor(
    private readonly worker: Worker,
    private readonly options: ChannelOptions,
  ) {
    this.log = options.log ?? stderrLogger;
    worker.on('message', (m: Wire | N) => this.receive(m));
    worker.on('error', (err: unknown) =>
      this.die(new WorkerExitError(options.name, null, err instanceof Error ? err : new Error(String(err)))),
    );
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code: number) => {
        this.die(new WorkerExitError(options.name, code));
        resolve();
      }),
    );
  }

  /** Calls `method` in the worker; `transfer` moves those buffers there (they detach here). */
  call<M extends keyof C & string>(
    method: M,
    args: C[M]['args'],
    transfer?: readonly TransferListItem[],
  ): Promise<C[M]['result']> {
    if (this.death) return Promise.reject(this.death);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ t: 'call', id, method, args } satisfies Wire, transfer);
      } catch (err) {
        // args that structured clone refuses
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /** Sends a one-way command; dropped once the thread is dead. */
  post(message: Own<P>, transfer?: readonly TransferListItem[]): void {
    if (!this.death) this.worker.postMessage(message, transfer);
  }

  /** Calls `listener` with every notice, in the order the worker sent them. Returns an unsubscribe. */
  onNotice(listener: (n: N) => void): () => void {
    this.noticeListeners.add(listener);
    return () => {
      this.noticeListeners.delete(listener);
    };
  }

  /** Calls `listener` once when the thread dies (after pending calls were rejected). Returns an unsubscribe. */
  onExit(listener: (e: WorkerExitError) => void): () => void {
    const death = this.death;
    if (death) queueMicrotask(() => listener(death));
    else this.exitListeners.add(listener);
    return () => {
      this.exitListeners.delete(listener);
    };
  }

  /** Calls sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves true once no call is pending (at once if none is, or the thread is dead), false after `timeoutMs`. */
  settled(timeoutMs: number): Promise<boolean> {
    if (this.pending.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.settledWaiters = this.settledWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.settledWaiters.push(done);
    });
  }

  private wakeSettled(): void {
    if (this.pending.size === 0) for (const w of this.settledWaiters.splice(0)) w();
  }

  /**
   * Ends the thread: waits up to `graceMs` for it to exit by itself (a command may have asked it
   * to), then terminates it. Resolves once it has exited.
   */
  async close(graceMs = 0): Promise<void> {
    const timer = setTimeout(() => {
      this.worker
        .terminate()
        .catch((err: unknown) => this.log.error({ err, thread: this.options.name }, 'worker terminate failed'));
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private receive(m: Wire | N): void {
    if (m.t === 'reply') {
      const { id, result, error } = m as Extract<Wire, { t: 'reply' }>;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (error) p.reject((this.options.reviveError ?? deserializeError)(error));
      else p.resolve(result);
      this.wakeSettled();
    } else if (m.t === 'log') {
      const { level, context, message } = m as Extract<Wire, { t: 'log' }>;
      this.log[level](context, message);
    } else {
      for (const listener of this.noticeListeners) listener(m as N);
    }
  }

  private die(error: WorkerExitError): void {
    if (this.death) return;
    this.death = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.wakeSettled();
    for (const listener of this.exitListeners) listener(error);
    this.exitListeners.clear();
  }
}

export interface SpawnOptions extends ChannelOptions {
  /** The thread's `workerData` (structured-clone safe). */
  workerData?: unknown;
}

/** Starts the worker module at `entry` (a .ts or .js file URL) through workerBoot.mjs and returns its channel. */
export function spawnWorker<C extends CallMap<C>, N extends Tagged = never, P extends Tagged = never>(
  entry: URL,
  options: SpawnOptions,
): WorkerChannel<C, N, P> {
  const { workerData, ...channel } = options;
  const worker = new Worker(new URL('./workerBoot.mjs', import.meta.url), { workerData, argv: [entry.href] });
  return new WorkerChannel<C, N, P>(worker, channel);
}

/** A handler's result together with the buffers to move (not copy) to the parent. */
export class Transferring<R> {
  constructor(
    readonly value: R,
    readonly transfer: readonly TransferListItem[],
  ) {}
}
export function withTransfer<R>(value: R, transfer: readonly TransferListItem[]): Transferring<R> {
  return new Transferring(value, transfer);
}

type Reply<R> = R | Transferring<R>;
/** The worker's implementation of C; a handler may return its result or a promise of it. */
export type Handlers<C extends CallMap<C>> = {
  [M in keyof C]: (args: C[M]['args']) => Reply<C[M]['result']> | Promise<Reply<C[M]['result']>>;
};
export type Notify<N extends Tagged> = (notice: Own<N>, transfer?: readonly TransferListItem[]) => void;

/** The worker's end of the channel (connectParent). */
export interface ParentLink<C extends CallMap<C>, N extends Tagged, P extends Tagged> {
  /** Sends a notice to the parent. Usable before serve(). */
  notify: Notify<N>;
  /** Log lines that the parent's channel hands to its Logger. */
  log: Logger;
  /** Starts answering calls with `handlers` and handing commands to `onCommand`; until then they wait in the port. */
  serve(handlers: Handlers<C>, onCommand?: (message: P) => void): void;
  /** Closes the port: the thread exits once nothing else keeps it alive. */
  close(): void;
}

/** Worker side: the link to the parent's WorkerChannel<C, N, P>. Call it once, in the worker module. */
export function connectParent<C extends CallMap<C>, N extends Tagged = never, P extends Tagged = never>(): ParentLink<
  C,
  N,
  P
> {
  const port = parentPort;
  if (!port) throw new Error('connectParent: not running in a worker thread');
  const line =
    (level: keyof Logger) =>
    (context: Record<string, unknown>, message: string): void => {
      try {
        port.postMessage({ t: 'log', level, context, message } satisfies Wire);
      } catch (err) {
        // a context value structured clone refuses (a function, a socket)
        port.postMessage({
          t: 'log',
          level,
          context: { fields: Object.keys(context), cloneError: String(err) },
          message,
        } satisfies Wire);
      }
    };
  return {
    notify: (notice, transfer) => port.postMessage(notice, transfer),
    log: { error: line('error'), warn: line('warn'), info: line('info') },
    serve(handlers, onCommand) {
      port.on('message', (m: Wire | P) => {
        if (m.t !== 'call') {
          onCommand?.(m as P);
          return;
        }
        const { id, method, args } = m as Extract<Wire, { t: 'call' }>;
        new Promise<unknown>((resolve) => {
          const handler = handlers[method as keyof C];
          if (typeof handler !== 'function') throw new Error(`the worker has no method ${method}`);
          resolve(handler(args));
        })
          .then((r) => {
            if (r instanceof Transferring)
              port.postMessage({ t: 'reply', id, result: r.value } satisfies Wire, r.transfer);
            else port.postMessage({ t: 'reply', id, result: r } satisfies Wire);
          })
          .catch((err: unknown) => port.postMessage({ t: 'reply', id, error: serializeError(err) } satisfies Wire));
      });
    },
    close: () => port.close(),
  };
}
