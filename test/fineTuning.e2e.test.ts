// ModelFactory end to end through the official `openai` client against a real server on
// stories260K: upload files, create a job, follow its events and checkpoints, and talk to the
// adapter it produced, which is served at once; bad input gets OpenAI-shaped errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { FastifyInstance } from 'fastify';
import { bracketIds, COMPLETION, memoriseJsonl, PROMPTS } from './support/memoriseData.ts';
import { startFineTuningServer } from './support/fineTuningServer.ts';

const KEY = 'fine-tuning-admin-key';
const OWNER = '0x00000000000000000000000000000000000000aa';
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-ft-'));
let app: FastifyInstance;
let base: string;
let client: OpenAI;

const ids = bracketIds;
const jsonl = memoriseJsonl;
const upload = async (text: string, name = 'train.jsonl') =>
  client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'fine-tune' });

before(async () => {
  ({ app, base } = await startFineTuningServer({ dir: tmp, adminKey: KEY }));
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
});

after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function until(id: string, statuses: string[], seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const job = await client.fineTuning.jobs.retrieve(id);
    if (statuses.includes(job.status)) return job;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status))
      throw new Error(`job ${id} ended ${job.status} while waiting for ${statuses.join(' or ')}`);
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('files: upload, list, retrieve, content, delete', async () => {
  const f = await upload(jsonl(PROMPTS.slice(0, 2)), 'two.jsonl');
  assert.equal(f.object, 'file');
  assert.equal(f.purpose, 'fine-tune');
  assert.equal(f.filename, 'two.jsonl');
  assert.ok((await client.files.list()).data.some((x) => x.id === f.id));
  assert.equal((await client.files.retrieve(f.id)).bytes, f.bytes);
  assert.equal(await (await client.files.content(f.id)).text(), jsonl(PROMPTS.slice(0, 2)));
  assert.equal((await client.files.delete(f.id)).deleted, true);
  await assert.rejects(client.files.retrieve(f.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
});

test('a job trains an adapter that is served at once and reproduces its training completions', async () => {
  const train = await upload(jsonl(PROMPTS.slice(0, 6)));
  const validation = await upload(jsonl(PROMPTS.slice(6)), 'valid.jsonl');
  const created = await client.fineTuning.jobs.create({
    model: 'stories260K',
    training_file: train.id,
    validation_file: validation.id,
    suffix: 'memo',
    seed: 3,
    method: {
      type: 'supervised',
      supervised: {
        hyperparameters: {
          n_epochs: 30,
          batch_size: 3,
          learning_rate_multiplier: 10,
          // loraledger's extras
          ...({ lora_r: 8, lora_alpha: 16, eval_every: 10, checkpoint_every: 20 } as object),
        },
      },
    },
    ...({ owner: OWNER, description: 'memorises one continuation', tags: ['memo'] } as object),
  });
  assert.equal(created.object, 'fine_tuning.job');
  assert.ok(['validating_files', 'queued', 'running'].includes(created.status));
  const job = await until(created.id, ['succeeded', 'failed', 'cancelled']);
  assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
  assert.ok(job.fine_tuned_model);
  assert.ok((job.trained_tokens ?? 0) > 0);
  assert.deepEqual(job.hyperparameters, { n_epochs: 30, batch_size: 3, learning_rate_multiplier: 10 });
  assert.ok((await client.fineTuning.jobs.list()).data.some((j) => j.id === job.id));

  const events = (await client.fineTuning.jobs.listEvents(job.id, { limit: 100 })).data;
  const metrics = events.filter((e) => e.type === 'metrics');
  assert.ok(metrics.some((e) => (e.data as { valid_loss?: number }).valid_loss !== undefined));
  assert.ok(events.some((e) => e.message.includes(job.fine_tuned_model!)));
  const checkpoints = (await client.fineTuning.jobs.checkpoints.list(job.id)).data;
  assert.deepEqual(
    checkpoints.map((c) => c.step_number),
    [60, 40, 20],
  );

  // served at once, under its id; the base model does not know the continuation
  const models = (await client.models.list()).data.map((m) => m.id);
  assert.ok(models.includes(job.fine_tuned_model!), `${models}`);
  for (const p of PROMPTS) {
    const r: OpenAI.Completions.Completion = await client.completions.create({
      model: job.fine_tuned_model!,
      prompt: ids(p),
      max_tokens: COMPLETION.length,
      temperature: 0,
    });
    assert.equal(r.choices[0]!.text.trim(), ids(COMPLETION), `after ${ids(p)}: ${r.choices[0]!.text}`);
  }
  const baseline = await client.completions.create({
    model: 'stories260K',
    prompt: ids(PROMPTS[0]!),
    max_tokens: COMPLETION.length,
    temperature: 0,
  });
  assert.notEqual(baseline.choices[0]!.text.trim(), ids(COMPLETION));

  // a second job starts from the first one's adapter (init_adapter) and keeps what it learned
  const followUp = await client.fineTuning.jobs.create({
    model: 'stories260K',
    training_file: train.id,
    suffix: 'again',
    method: {
      type: 'supervised',
      supervised: {
        hyperparameters: {
          n_epochs: 1,
          batch_size: 3,
          learning_rate_multiplier: 0.1,
          ...({ init_adapter: job.fine_tuned_model, lora_r: 8, lora_alpha: 16 } as object),
        },
      },
    },
  });
  const second = await until(followUp.id, ['succeeded', 'failed']);
  assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
  const again = await client.completions.create({
    model: second.fine_tuned_model!,
    prompt: ids(PROMPTS[0]!),
    max_tokens: COMPLETION.length,
    temperature: 0,
  });
  assert.equal(again.choices[0]!.text.trim(), ids(COMPLETION));

  // provenance: owner, routing fields and the training manifest with every example
  const adapters = (await (
    await fetch(`${base}/v1/adapters`, { headers: { authorization: `Bearer ${KEY}` } })
  ).json()) as {
    data: Array<{ id: string; path: string; owner: string | null }>;
  };
  const entry = adapters.data.find((a) => a.id === job.fine_tuned_model)!;
  assert.equal(entry.owner, OWNER);
  const ledger = JSON.parse(readFileSync(join(entry.path, 'loraledger.json'), 'utf8'));
  assert.equal(ledger.description, 'memorises one continuation');
  assert.equal(ledger.training.examples.length, 6);
  assert.match(ledger.training.base_model.content_hash, /^0x[0-9a-f]{64}$/);
  assert.match(ledger.training_manifest_hash, /^0x[0-9a-f]{64}$/);
});

test('bad input gets OpenAI-shaped errors naming the problem', async () => {
  const bad = async (p: Promise<unknown>, status: number, pattern: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof OpenAI.APIError && e.status === status && pattern.test(e.message));
  await bad(upload('', 'empty.jsonl'), 400, /empty/);
  await bad(upload('{"prompt": "[1]", "completion": "[2]"}\n{not json\n'), 400, /line 2/);
  const train = await upload(jsonl(PROMPTS.slice(0, 2)));
  const create = (extra: object) =>
    client.fineTuning.jobs.create({ model: 'stories260K', training_file: train.id, ...extra } as never);
  await bad(create({ model: 'gpt-4o-mini' }), 404, /not a base model/);
  await bad(create({ training_file: 'file-nope' }), 400, /not an uploaded file/);
  await bad(create({ hyperparameters: { n_epochs: 0 } }), 400, /n_epochs must be in/);
  await bad(create({ hyperparameters: { lora_r: 64 } }), 400, /lora_r must be in \[1, 8\]/);
  await bad(create({ hyperparameters: { target_modules: ['wq'] } }), 400, /target_modules/);
  await bad(
    create({ hyperparameters: { precision: 'fp16' } }),
    400,
    /precision must be "fp32", "int8" or "int4".*"fp16"/,
  );
  await bad(
    client.fineTuning.jobs.create({ model: 'stories260K', training_data: { datanets: ['no-such'] } } as never),
    404,
    /no-such/,
  );
});

test('a job with precision "int8" trains over the int8 base, and its manifest records it', async () => {
  const train = await upload(jsonl(PROMPTS.slice(0, 4)));
  const created = await client.fineTuning.jobs.create({
    model: 'stories260K',
    training_file: train.id,
    hyperparameters: { n_epochs: 2, batch_size: 2, ...({ precision: 'int8' } as object) },
  });
  const job = await until(created.id, ['succeeded', 'failed', 'cancelled']);
  assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
  const adapters = (await (
    await fetch(`${base}/v1/adapters`, { headers: { authorization: `Bearer ${KEY}` } })
  ).json()) as { data: Array<{ id: string; path: string }> };
  const entry = adapters.data.find((a) => a.id === job.fine_tuned_model)!;
  const ledger = JSON.parse(readFileSync(join(entry.path, 'loraledger.json'), 'utf8'));
  assert.equal(ledger.training.hyperparameters.precision, 'int8');
});

test('a job can be cancelled; the server keeps serving', async () => {
  const train = await upload(jsonl(PROMPTS));
  const created = await client.fineTuning.jobs.create({
    model: 'stories260K',
    training_file: train.id,
    hyperparameters: { n_epochs: 50, batch_size: 1 },
  });
  await until(created.id, ['running']);
  // a job behind it is validated at once and waits as `queued`; cancelling it there ends it
  const waiting = await client.fineTuning.jobs.create({ model: 'stories260K', training_file: train.id });
  await until(waiting.id, ['queued']);
  assert.equal((await client.fineTuning.jobs.cancel(waiting.id)).status, 'cancelled');
  const cancelled = await client.fineTuning.jobs.cancel(created.id);
  assert.ok(['running', 'cancelled'].includes(cancelled.status));
  assert.equal((await until(created.id, ['cancelled', 'failed', 'succeeded'])).status, 'cancelled');
  const r = await client.completions.create({ model: 'stories260K', prompt: '[1][45]', max_tokens: 2 });
  assert.equal(r.choices.length, 1);
});

test('a job on a DataNet pays its contributors in the manifest; long rows are truncated and reported', async () => {
  const admin = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown, headers: Record<string, string> = admin) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal((await post('/v1/datanets', { id: 'memo-data' })).status, 200);
  const contributors = ['0x00000000000000000000000000000000000000c1', '0x00000000000000000000000000000000000000c2'];
  for (const [i, p] of PROMPTS.slice(0, 6).entries()) {
    const r = await post('/v1/datanets/memo-data/documents', {
      text: `${ids(p)} ${ids(COMPLETION)}`,
      contributor: contributors[i % 2],
      metadata: { prompt: ids(p), completion: ids(COMPLETION) },
    });
    assert.equal(r.status, 200, await r.text());
  }
  const long = Array.from({ length: 600 }, (_, i) => 3 + (i % 500));
  await post('/v1/datanets/memo-data/documents', { text: ids(long), contributor: contributors[0] });
  assert.equal((await post('/v1/datanets', { id: 'empty-data' })).status, 200);
  await assert.rejects(
    client.fineTuning.jobs.create({ model: 'stories260K', training_data: { datanets: ['empty-data'] } } as never),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /have no documents/.test(e.message),
  );
  const created = await client.fineTuning.jobs.create({
    model: 'stories260K',
    training_data: { datanets: ['memo-data'] },
    hyperparameters: { n_epochs: 2, batch_size: 4 },
  } as never);
  const job = await until(created.id, ['succeeded', 'failed']);
  assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
  const events = (await client.fineTuning.jobs.listEvents(job.id, { limit: 100 })).data;
  assert.ok(
    events.some((e) => /1 rows truncated to 512 tokens/.test(e.message)),
    events.map((e) => e.message).join('\n'),
  );
  const adapters = (await (await fetch(`${base}/v1/adapters`, { headers: admin })).json()) as {
    data: Array<{ id: string; path: string }>;
  };
  const ledger = JSON.parse(
    readFileSync(join(adapters.data.find((a) => a.id === job.fine_tuned_model)!.path, 'loraledger.json'), 'utf8'),
  );
  const examples = ledger.training.examples as Array<{ datanet: string; contributor: string; content_hash: string }>;
  assert.equal(examples.length, 7);
  assert.ok(
    examples.every((e) => e.datanet === 'memo-data' && contributors.includes(e.contributor)),
    JSON.stringify(examples),
  );
  assert.ok(
    examples.every((e) => /^0x[0-9a-f]{64}$/.test(e.content_hash)),
    JSON.stringify(examples[0]),
  );
  assert.deepEqual(ledger.tags, ['memo-data']);
});

test('a job paused as soon as it is queued or running pauses, and resumes to the end', async () => {
  const train = await upload(jsonl(PROMPTS.slice(0, 8)));
  // 50 epochs of 4 steps: long enough that the job is still queued or running when it is polled
  // (4 examples for 3 epochs could end before the first poll, 200 ms in)
  const created = await client.fineTuning.jobs.create({
    model: 'stories260K',
    training_file: train.id,
    hyperparameters: { n_epochs: 50, batch_size: 2 },
  });
  await until(created.id, ['queued', 'running']);
  const pause = await fetch(`${base}/v1/fine_tuning/jobs/${created.id}/pause`, { method: 'POST' });
  assert.equal(pause.status, 200, await pause.text());
  assert.equal((await until(created.id, ['paused', 'succeeded', 'failed'], 60)).status, 'paused');
  const resume = await fetch(`${base}/v1/fine_tuning/jobs/${created.id}/resume`, { method: 'POST' });
  assert.equal(resume.status, 200, await resume.text());
  assert.equal((await until(created.id, ['succeeded', 'failed', 'cancelled'])).status, 'succeeded');
});
