// The worker channel against a real worker thread (test/support/echoWorker.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterError, LoraledgerError } from './errors.ts';
import type { Logger } from './logger.ts';
import { WorkerExitError, spawnWorker, type WorkerChannel } from './workerRpc.ts';
import type { EchoCalls, EchoCommand, EchoNotice } from '../test/support/echoWorker.ts';

const ECHO = new URL('../test/support/echoWorker.ts', import.meta.url);
type Echo = WorkerChannel<EchoCalls, EchoNotice, EchoCommand>;
const echo = (
  options: { log?: Logger; reviveError?: (e: import('./errors.ts').SerializedError) => Error } = {},
): Echo => spawnWorker<EchoCalls, EchoNotice, EchoCommand>(ECHO, { name: 'echo worker', ...options });

test('a call round-trips; an error reply keeps code, param and details', async () => {
  const ch = echo();
  try {
    assert.deepEqual(await ch.call('echo', { a: [1, 2], b: 'x' }), { a: [1, 2], b: 'x' });
    await assert.rejects(
      ch.call('fail', { code: 'adapter_invalid', message: 'bad rank', param: 'r', details: { r: 9 } }),
      (e: unknown) => {
        assert.ok(e instanceof LoraledgerError);
        assert.deepEqual([e.code, e.message, e.param, e.details], ['adapter_invalid', 'bad rank', 'r', { r: 9 }]);
        return true;
      },
    );
    assert.equal(await ch.call('echo', 'still serving'), 'still serving');
    assert.equal(ch.inFlight, 0);
  } finally {
    await ch.close();
  }
});

test('reviveError chooses the class errors come back as', async () => {
  const ch = echo({ reviveError: (e) => new AdapterError(e.code, e.message, { param: e.param, details: e.details }) });
  try {
    await assert.rejects(
      ch.call('fail', { code: 'adapter_not_found', message: 'no such adapter' }),
      (e: unknown) => e instanceof AdapterError && e.code === 'adapter_not_found',
    );
  } finally {
    await ch.close();
  }
});

test('transferred buffers arrive and are detached on the sender, both ways', async () => {
  const ch = echo();
  try {
    const xs = new Float64Array([1, 2, 3.5]);
    assert.equal(await ch.call('sum', xs, [xs.buffer]), 6.5);
    assert.equal(xs.buffer.byteLength, 0, 'moved to the worker, not copied');
    const made = await ch.call('make', 4);
    assert.deepEqual([...made], [0, 1, 2, 3]);
    assert.equal(await ch.call('madeDetached', null), true, 'moved to the parent, not copied');
  } finally {
    await ch.close();
  }
});

test('notices arrive in order, before the reply sent after them; commands and log lines reach the parent', async () => {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const log: Logger = {
    error: (c, m) => lines.push(['error', c, m]),
    warn: (c, m) => lines.push(['warn', c, m]),
    info: (c, m) => lines.push(['info', c, m]),
  };
  const ch = echo({ log });
  try {
    const ticks: number[] = [];
    const heard = new Promise<string>((resolve) =>
      ch.onNotice((n) => {
        if (n.t === 'tick') ticks.push(n.i);
        else resolve(n.text);
      }),
    );
    assert.equal(await ch.call('ticks', 500), 500);
    assert.deepEqual(
      ticks,
      Array.from({ length: 500 }, (_, i) => i),
    );
    ch.post({ t: 'say', text: 'hello' });
    assert.equal(await heard, 'hello');
    await ch.call('echo', null); // the log line was posted before this reply
    assert.deepEqual(lines, [['warn', { text: 'hello' }, 'heard']]);
  } finally {
    await ch.close();
  }
});

test('a thread that exits rejects its pending calls and every later one with WorkerExitError', async () => {
  const ch = echo();
  const exits: WorkerExitError[] = [];
  ch.onExit((e) => exits.push(e));
  const hung = ch.call('hang', null);
  const ended = ch.call('exit', 3);
  for (const p of [hung, ended]) {
    await assert.rejects(
      p,
      (e: unknown) =>
        e instanceof WorkerExitError && e.exitCode === 3 && /^echo worker exited \(code 3\)$/.test(e.message),
    );
  }
  await assert.rejects(ch.call('echo', 'later'), WorkerExitError);
  assert.equal(ch.inFlight, 0);
  assert.equal(exits.length, 1);
  ch.post({ t: 'say', text: 'dropped' }); // a dead channel drops commands
  await ch.close(); // already exited: resolves at once
});

test('an uncaught error in the thread rejects pending calls with its message', async () => {
  const ch = echo();
  const hung = ch.call('hang', null);
  await assert.rejects(
    ch.call('crash', 'boom'),
    (e: unknown) => e instanceof WorkerExitError && e.exitCode === null && e.message === 'echo worker crashed: boom',
  );
  await assert.rejects(hung, /echo worker crashed: boom/);
  await ch.close();
});

test('close() terminates the thread and rejects what is pending', async () => {
  const ch = echo();
  const hung = ch.call('hang', null);
  await ch.call('echo', 1); // started
  await ch.close();
  await assert.rejects(hung, WorkerExitError);
});

// Type-level: a command or notice type may not use the channel's own tags.
export function reservedTagsDoNotTypeCheck(bad: WorkerChannel<EchoCalls, never, { t: 'reply' } | { t: 'go' }>): void {
  // @ts-expect-error `reply` belongs to the channel
  bad.post({ t: 'go' });
}

test('settled(): true once every pending call has returned, false when one is still running at the timeout', async () => {
  const ch = echo();
  try {
    assert.equal(await ch.settled(10), true, 'nothing pending');
    const answered: number[] = [];
    const calls = [1, 2, 3].map((i) => ch.call('echo', i).then((v) => answered.push(v as number)));
    assert.equal(ch.inFlight, 3);
    assert.equal(await ch.settled(10_000), true);
    assert.deepEqual(answered.sort(), [1, 2, 3], 'every call had returned when settled() resolved');
    await Promise.all(calls);
    const hung = ch.call('hang', null).catch((e: unknown) => e);
    assert.equal(await ch.settled(50), false, 'a call that never answers');
    await ch.close();
    assert.ok((await hung) instanceof WorkerExitError);
    assert.equal(await ch.settled(10), true, 'a dead thread has nothing pending');
  } finally {
    await ch.close();
  }
});
