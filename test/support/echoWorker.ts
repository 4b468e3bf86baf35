// A tiny worker for common/workerRpc.test.ts: one call per feature of the worker channel.
import { LoraledgerError, connectParent, withTransfer, type SerializedError } from '../../common/index.ts';

export interface EchoCalls {
  echo: { args: unknown; result: unknown };
  /** Throws the error described. */
  fail: { args: SerializedError; result: never };
  /** Sums the array (sent with its buffer transferred). */
  sum: { args: Float64Array; result: number };
  /** Returns [0, 1, .., n-1], its buffer transferred. */
  make: { args: number; result: Float64Array };
  /** Whether the buffer of the last `make` is detached in the worker (byteLength 0). */
  madeDetached: { args: null; result: boolean };
  /** Sends `n` tick notices, then answers n. */
  ticks: { args: number; result: number };
  /** Never answers. */
  hang: { args: null; result: never };
  /** process.exit(code) on the next turn. */
  exit: { args: number; result: never };
  /** Throws `message` uncaught on the next turn. */
  crash: { args: string; result: never };
}
export type EchoNotice = { t: 'tick'; i: number } | { t: 'heard'; text: string };
/** The worker answers with a `heard` notice and logs the text at warn. */
export type EchoCommand = { t: 'say'; text: string };

const parent = connectParent<EchoCalls, EchoNotice, EchoCommand>();
let made: Float64Array | null = null;

parent.serve(
  {
    echo: (x) => x,
    fail: (e) => {
      throw new LoraledgerError(e.code, e.message, { param: e.param, details: e.details });
    },
    sum: (xs) => xs.reduce((a, b) => a + b, 0),
    make: (n) => {
      made = Float64Array.from({ length: n }, (_, i) => i);
      return withTransfer(made, [made.buffer as ArrayBuffer]);
    },
    madeDetached: () => made !== null && made.buffer.byteLength === 0,
    ticks: (n) => {
      for (let i = 0; i < n; i++) parent.notify({ t: 'tick', i });
      return n;
    },
    hang: () => new Promise<never>(() => {}),
    exit: (code) =>
      new Promise<never>(() => {
        setImmediate(() => process.exit(code));
      }),
    crash: (message) =>
      new Promise<never>(() => {
        setImmediate(() => {
          throw new Error(message);
        });
      }),
  },
  (m) => {
    parent.notify({ t: 'heard', text: m.text });
    parent.log.warn({ text: m.text }, 'heard');
  },
);
