// nextTurn spreads a burst over turns of the event loop: between two waiters' continuations an I/O
// callback (a timer here, due before the burst started) gets to run, which bare `await setImmediate`
// does not allow; waiters resume in FIFO order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextTurn } from './nextTurn.ts';

async function burst(wait: () => Promise<void>): Promise<string[]> {
  const log: string[] = [];
  await new Promise<void>((resolve) => {
    setTimeout(() => log.push('timer'), 0);
    const start = Date.now();
    while (Date.now() - start < 5); // the timer is due before anyone waits
    const tasks = [0, 1, 2, 3].map(async (i) => {
      await wait();
      log.push(`task ${i}`);
      const t = Date.now();
      while (Date.now() - t < 2); // each task holds the thread a little
    });
    void Promise.all(tasks).then(() => setTimeout(resolve, 5));
  });
  return log;
}

test('a burst of nextTurn waiters lets a due timer run between them, in FIFO order', async () => {
  const log = await burst(nextTurn);
  assert.deepEqual(
    log.filter((l) => l !== 'timer'),
    ['task 0', 'task 1', 'task 2', 'task 3'],
  );
  process.stdout.write(`# ${log.join(', ')}\n`);
  const timerAt = log.indexOf('timer');
  assert.ok(timerAt > 0 && timerAt < log.length - 1, `the timer ran inside the burst: ${log}`);
});

test('the reference: bare setImmediate runs the whole burst in one check phase', async () => {
  const log = await burst(() => new Promise<void>((r) => setImmediate(r)));
  process.stdout.write(`# ${log.join(', ')}\n`);
  const timerAt = log.indexOf('timer');
  assert.ok(timerAt === 0 || timerAt === log.length - 1, `the timer ran before or after the burst: ${log}`);
});
