// Issue 19, the training worker: a training thread that exits or throws in the middle of a job
// (test-only fault injection) is replaced, and the job resumes from its last checkpoint on the
// fresh thread and succeeds (stories260K, a real job on the real training thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoriseJsonl, PROMPTS } from '../../test/support/memoriseData.ts';
import { FineTuner } from './fineTuner.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a training thread that exits, then throws, mid-job: the job resumes from its checkpoint and succeeds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-restart-'));
  const ft = new FineTuner({
    dir: join(dir, 'ft'),
    adaptersRoot: join(dir, 'adapters'),
    modelDir: STORIES,
    baseModelId: 'stories260K',
    cacheDir: join(dir, 'cache'),
    maxLoraRank: 8,
    threads: 1,
    contextLength: 64,
    adapterPath: () => null,
    deploy: async () => {},
    influence: false,
    faultInjection: true,
    log: { info() {}, warn() {}, error() {} },
  });
  t.after(async () => {
    await ft.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = await ft.uploadFile({
    filename: 'train.jsonl',
    purpose: 'fine-tune',
    content: Buffer.from(memoriseJsonl(PROMPTS.slice(0, 8))),
  });
  const job = ft.createJob({
    model: 'stories260K',
    training_file: file.id,
    // 12 epochs (48 steps): still running after the second checkpoint, when the throw is armed
    // (with 4, the job could finish between two polls of the checkpoints), and its events (about
    // 80) within the 200 read below
    hyperparameters: { n_epochs: 12, batch_size: 2, lora_r: 4, lora_alpha: 8, checkpoint_every: 2 },
  });
  const status = () => ft.job(job.id).status;
  for (const [kind, afterCheckpoints] of [
    ['exit', 1],
    ['throw', 2],
  ] as const) {
    for (let i = 0; i < 1200 && ft.store.checkpoints(job.id).length < afterCheckpoints; i++) await sleep(50);
    assert.equal(status(), 'running', `still running before the ${kind}`);
    ft.injectFault(kind);
    const restarts = () =>
      ft.events(job.id, { limit: 200 }).data.filter((e) => e.message.startsWith('The training thread stopped')).length;
    for (let i = 0; i < 1200 && restarts() < (kind === 'exit' ? 1 : 2) && status() === 'running'; i++) await sleep(50);
  }
  for (let i = 0; i < 1200 && !['succeeded', 'failed', 'cancelled'].includes(status()); i++) await sleep(100);
  const row = ft.job(job.id);
  assert.equal(row.status, 'succeeded', JSON.stringify(row.result.error));
  const messages = ft.events(job.id, { limit: 200 }).data.map((e) => e.message);
  const stops = messages.filter((m) => m.startsWith('The training thread stopped'));
  assert.equal(stops.length, 2, messages.join('\n'));
  assert.match(stops.join('\n'), /exited \(code 72\)/);
  assert.match(stops.join('\n'), /crashed: injected training thread fault/);
  assert.ok(
    stops.every((m) => /resumes from step \d+/.test(m)),
    stops.join('\n'),
  );
});
