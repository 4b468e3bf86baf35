// Closing the training thread while gradient calls run in it (issue 19: the server aborted at
// shutdown). worker.terminate() under a running onnxruntime call ended the whole process with
// "terminate called after throwing an instance of 'Napi::Error'" (exit 134: this test file's own
// process would die). close() now lets running calls return first. A real adapter trained on
// stories260K by the factory's loop (the skills harness) and real answerGradients calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingThread } from './trainingThread.ts';
import { influenceWorkspace, skillRows, trainedGradientArgs } from '../../test/support/influenceSkills.ts';

const { dir } = influenceWorkspace('ll-thread-close-');

test('close() with gradient calls running: they all return, then the thread ends (no native abort)', async () => {
  const { adapter: a, model } = await trainedGradientArgs(
    dir,
    'close',
    skillRows({ skills: 2, perSkill: 2, len: 3, seed: 9 }),
  );
  const args = { ...model, rows: a.examples, projection: null };
  const thread = new TrainingThread();
  const calls = Array.from({ length: 6 }, () => thread.answerGradients(args));
  await calls[0]; // the session is open and the other calls are queued or running in the thread
  await thread.close();
  const results = await Promise.allSettled(calls);
  assert.deepEqual(
    results.map((r) => r.status),
    Array(6).fill('fulfilled'),
    'no call was cut off by close()',
  );
  for (const r of results) assert.equal((r as PromiseFulfilledResult<{ losses: number[] }>).value.losses.length, 4);
});
