// Jobs are durable: a server stopped while a job trains resumes it from its checkpoint on the next
// start, and the resumed job ends with the same adapter bytes as an uninterrupted run of the same
// job (same seed: the same batches, the optimizer state restored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted, loadConfig } from '../server/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-ft-restart-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const ROWS = [
  [45, 210, 33],
  [97, 400, 12],
  [301, 5, 88],
  [160, 71, 250],
]
  .map((p) => JSON.stringify({ prompt: p.map((x) => `[${x}]`).join(' '), completion: '[411] [300] [389]' }))
  .join('\n');

async function start(dataDir: string): Promise<{ app: FastifyInstance; base: string }> {
  const config = loadConfig({
    argv: [
      ...['--model', MODEL, '--cache-dir', join(tmp, 'cache'), '--data-dir', dataDir],
      ...['--log-level', 'silent', '--chain', 'off', '--threads', '1', '--training-threads', '1'],
    ],
    env: {},
  });
  const app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await engineStarted(app);
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

async function call(base: string, method: string, path: string, body?: unknown) {
  const init: RequestInit = { method };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const r = await fetch(`${base}${path}`, init);
  const json = (await r.json()) as Record<string, any>;
  assert.ok(r.ok, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

async function submit(base: string): Promise<string> {
  const form = new FormData();
  form.append('purpose', 'fine-tune');
  form.append('file', new Blob([ROWS]), 'train.jsonl');
  const file = await call(base, 'POST', '/v1/files', form);
  const job = await call(base, 'POST', '/v1/fine_tuning/jobs', {
    model: 'stories260K',
    training_file: file.id,
    seed: 9,
    hyperparameters: { n_epochs: 40, batch_size: 2, checkpoint_every: 10, lora_r: 4 },
  });
  return job.id as string;
}

async function until(base: string, id: string, done: (job: Record<string, any>) => boolean) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const job = await call(base, 'GET', `/v1/fine_tuning/jobs/${id}`);
    if (done(job)) return job;
    assert.ok(Date.now() < deadline, `job ${id} stuck at ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const adapterBytes = (dataDir: string, model: string) =>
  readFileSync(join(dataDir, 'adapters', model, 'adapter_model.safetensors'));

test('a job interrupted by a shutdown resumes from its checkpoint and ends with the uninterrupted bytes', async () => {
  // uninterrupted reference run
  const refDir = join(tmp, 'reference');
  const ref = await start(refDir);
  const refId = await submit(ref.base);
  const refJob = await until(ref.base, refId, (j) => j.status === 'succeeded' || j.status === 'failed');
  await ref.app.close();
  assert.equal(refJob.status, 'succeeded', JSON.stringify(refJob.error));

  // the same job, stopped after its first checkpoint
  const dataDir = join(tmp, 'interrupted');
  const first = await start(dataDir);
  const id = await submit(first.base);
  await until(first.base, id, (j) => j.step >= 12);
  await first.app.close();
  const second = await start(dataDir);
  const job = await until(second.base, id, (j) => j.status === 'succeeded' || j.status === 'failed');
  const events = (await call(second.base, 'GET', `/v1/fine_tuning/jobs/${id}/events?limit=100`)).data as Array<{
    message: string;
  }>;
  await second.app.close();
  assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
  assert.equal(job.step, refJob.step);
  assert.ok(
    events.some((e) => /resumed from step \d+/.test(e.message)),
    'the job says where it resumed',
  );
  assert.ok(adapterBytes(dataDir, job.fine_tuned_model).equals(adapterBytes(refDir, refJob.fine_tuned_model)));
});
