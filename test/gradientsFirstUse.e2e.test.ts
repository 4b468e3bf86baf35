// The gradients.bin first-use race (issue 19): four copies of one factory-trained adapter
// (stories260K, a real job on the real training thread) with their influence/gradients.bin
// removed, so the first request to each computes it, and two of them registered under a second id
// too (the scorer loads per id: two loads, one file). 36 streamed inline RAG requests go at once,
// round-robin over the six ids. Every request's record must carry training-data influence (method
// `...+datainf-v1`), with no fallback to spans, no `training-data influence unavailable` warning
// and no temporary left beside the adapters. Before the fixes, 3 runs in 4 of the four-copy burst
// had requests fail with ENOENT on the rename of `gradients.bin.tmp` (two writers, one temporary
// name) and fall back; once the scorer stopped evicting loads in flight (d5319c4) the aliases
// still did, in 1 run of 3. factory/train/trainingThread.test.ts shows the single write and the
// two-thread case deterministically.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { influenceFiles, readGradientHeader } from '../adapters/index.ts';
import { bracketIds, COMPLETION, PROMPTS } from './support/memoriseData.ts';
import { startFineTuningServer } from './support/fineTuningServer.ts';

const KEY = 'first-use-admin';
const OWNER = '0x00000000000000000000000000000000000000aa';
const COPIES = ['race-a', 'race-b', 'race-c', 'race-d'];
/** Second ids on two of the folders (an alias, as an operator may register): two scorer loads, one file. */
const ALIASES = [
  ['race-a-alias', 'race-a'],
  ['race-b-alias', 'race-b'],
];
const IDS = [...COPIES, ...ALIASES.map(([id]) => id!)];
const admin = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-first-use-'));
const logLines: string[] = [];
let app: FastifyInstance;
let base: string;

before(async () => {
  ({ app, base } = await startFineTuningServer({
    dir: tmp,
    adminKey: KEY,
    logger: { level: 'warn', stream: { write: (s: string) => logLines.push(s) } },
  }));
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: admin,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json()) as any;
  assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

/** One streamed chat request; returns the attribution its last events carry. */
async function streamed(model: string, i: number): Promise<any> {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: bracketIds(PROMPTS[i % PROMPTS.length]!) }],
      max_tokens: 4,
      temperature: 0,
      stream: true,
      rag: { datanets: ['memo'], top_k: 2 },
      attribution: 'inline',
    }),
  });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  const events = body
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)));
  assert.ok(body.trimEnd().endsWith('data: [DONE]'), body);
  const a = events.find((e) => e.attribution)?.attribution;
  assert.ok(a, `request ${i} to ${model}: no attribution in ${body}`);
  return a;
}

test('concurrent first-use requests over four adapters all get training-data influence', async () => {
  await call('POST', '/v1/datanets', { id: 'memo' });
  for (const p of PROMPTS.slice(0, 4))
    await call('POST', '/v1/datanets/memo/documents', {
      text: `${bracketIds(p)} ${bracketIds(COMPLETION)}`,
      contributor: OWNER,
    });
  let job = await call('POST', '/v1/fine_tuning/jobs', {
    model: 'stories260K',
    training_data: { datanets: ['memo'] },
    hyperparameters: { n_epochs: 2, batch_size: 2, lora_r: 4, lora_alpha: 8 },
    owner: OWNER,
  });
  const deadline = Date.now() + 240_000;
  const stored = (events: any) => events.data.some((e: any) => /^Influence gradients/.test(e.message));
  while (job.status !== 'succeeded' || !stored(await call('GET', `/v1/fine_tuning/jobs/${job.id}/events?limit=100`))) {
    assert.ok(!['failed', 'cancelled'].includes(job.status), JSON.stringify(job.error));
    assert.ok(Date.now() < deadline, `job still ${job.status}`);
    await new Promise((r) => setTimeout(r, 200));
    job = await call('GET', `/v1/fine_tuning/jobs/${job.id}`);
  }
  const trained = app.loraledger.adapters.get(job.fine_tuned_model)!.path;
  // copies beside it (inside the trained adapters' root), without their stored gradients
  for (const id of COPIES) {
    const dir = join(dirname(trained), id);
    cpSync(trained, dir, { recursive: true });
    rmSync(influenceFiles(dir).gradients);
    await call('POST', '/v1/adapters', { id, path: dir });
  }
  for (const [id, folder] of ALIASES) await call('POST', '/v1/adapters', { id, path: join(dirname(trained), folder!) });

  const records = await Promise.all(Array.from({ length: 36 }, (_, i) => streamed(IDS[i % IDS.length]!, i)));
  const fellBack = records.filter((a) => a.status !== 'signed' || !/\+datainf-v1$/.test(a.method));
  assert.deepEqual(
    fellBack.map((a) => `${a.status} ${a.method}`),
    [],
    `${fellBack.length} of 36 requests without training-data influence; the log:\n${logLines.slice(0, 5).join('')}`,
  );
  for (const a of records) assert.ok(a.training_sources.length > 0, JSON.stringify(a));
  const warnings = logLines.filter((l) => /training-data influence unavailable|gradients/i.test(l));
  assert.deepEqual(warnings, []);
  const manifestHash = (await readGradientHeader(influenceFiles(trained).gradients)).manifestHash;
  for (const id of COPIES) {
    const dir = dirname(influenceFiles(join(dirname(trained), id)).gradients);
    assert.equal((await readGradientHeader(join(dir, 'gradients.bin'))).manifestHash, manifestHash);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      `${id}: no temporary gradient files left behind`,
    );
  }
  assert.ok(existsSync(influenceFiles(trained).gradients));
});
