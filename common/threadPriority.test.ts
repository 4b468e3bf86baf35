// lowerThreadPriority changes the calling thread only (a worker here; the main thread keeps its
// value), never raises a lowered thread, and threads started afterwards inherit it. Read back from
// the kernel (/proc/self/task/<tid>/stat, field 19), not from os.getPriority.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from './threadPriority.ts';

/** nice value per thread of this process, from the kernel. */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((t) => {
    const fields = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[16]); // field 19 of stat: nice (fields here start at field 3)
  });
}

if (!isMainThread) {
  // this file, booted as a worker (common/workerBoot.mjs): lower, ask for less, report, wait
  const first = lowerThreadPriority();
  const second = lowerThreadPriority(5);
  parentPort!.postMessage({ first, second });
  parentPort!.once('message', () => process.exit(0));
} else
  test('a worker lowers itself to nice 10 and only itself; asking for less does not raise it', async () => {
    const before = getPriority(0);
    const w = new Worker(new URL('./workerBoot.mjs', import.meta.url), { argv: [import.meta.url] });
    const got = await new Promise<{ first: number; second: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    assert.deepEqual(got, { first: 10, second: 10 });
    assert.equal(getPriority(0), before, 'the main thread keeps its priority');
    const nices = threadNices();
    assert.ok(nices.includes(10), `a thread at nice 10: ${nices}`);
    assert.ok(nices.includes(before), `threads at the main thread's ${before}: ${nices}`);
    w.postMessage('done');
    await new Promise((r) => w.once('exit', r));
  });
