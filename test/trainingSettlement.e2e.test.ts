// Training-data attribution end to end on a real anvil: DataNet documents from three contributors
// -> a factory fine-tuning job on stories260K (the factory stores each example's LoRA gradients)
// -> a request to the adapter carries training_sources (DataInf through the server's own scorer)
// -> the record is settled -> the top training contributor's `claim` pays exactly what the record
// says, recomputed here from the record and the fee rules -> an outsider verifies the record.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createPublicClient, http } from 'viem';
import { buildApp, engineStarted, loadConfig } from '../server/index.ts';
import { ANVIL_DEV_KEYS, runClaim, runVerifyRecord, type AttributionRecord } from '../attribution/index.ts';
import { bracketIds, COMPLETION, PROMPTS } from './support/memoriseData.ts';
import { STORIES260K } from './support/fineTuningServer.ts';

const KEY = 'training-settle-admin';
const OWNER = '0x00000000000000000000000000000000000000aa';
const CONTRIBUTORS = [
  '0x00000000000000000000000000000000000000c1',
  '0x00000000000000000000000000000000000000c2',
  '0x00000000000000000000000000000000000000c3',
];
const admin = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-trainsettle-'));
let app: FastifyInstance;
let base: string;

before(async () => {
  const config = loadConfig({
    argv: [
      ...['--model', STORIES260K, '--cache-dir', join(tmp, 'cache'), '--data-dir', join(tmp, 'data')],
      ...['--admin-key', KEY, '--log-level', 'silent', '--chain', 'anvil', '--epoch-seconds', '0'],
      ...['--threads', '1', '--training-threads', '1', '--max-lora-rank', '8'],
    ],
    env: {},
  });
  app = await buildApp(config);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  await engineStarted(app);
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const post = async (path: string, body: unknown) => {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
  const json = (await r.json()) as any;
  assert.equal(r.status, 200, JSON.stringify(json));
  return json;
};
const get = async (path: string) => (await (await fetch(`${base}${path}`, { headers: admin })).json()) as any;

/** Independent recomputation of the training amounts from the signed record and the fee rules (defaults). */
function expectedTrainingAmounts(r: AttributionRecord): bigint[] {
  const earned = (((BigInt(r.fee) * 200_000n) / 1_000_000n) * BigInt(r.adapterSharePpm)) / 1_000_000n;
  const pool = (earned * 500_000n) / 1_000_000n;
  const shares = r.trainingSources!.map((t) => BigInt(t.sharePpm));
  const amounts = shares.map((s) => (pool * s) / 1_000_000n);
  let left = pool - amounts.reduce((a, b) => a + b, 0n);
  const byRemainder = shares
    .map((s, i) => ({ i, rem: (pool * s) % 1_000_000n }))
    .filter((x) => shares[x.i]! > 0n)
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (let j = 0; left > 0n; j++, left--) amounts[byRemainder[j % byRemainder.length]!.i]! += 1n;
  return amounts;
}

test('a request to a factory-trained adapter pays its top training contributor on chain, exactly', async () => {
  await post('/v1/datanets', { id: 'memo' });
  for (const [i, p] of PROMPTS.slice(0, 6).entries())
    await post('/v1/datanets/memo/documents', {
      text: `${bracketIds(p)} ${bracketIds(COMPLETION)}`,
      contributor: CONTRIBUTORS[Math.floor(i / 2)],
    });
  const job = await post('/v1/fine_tuning/jobs', {
    model: 'stories260K',
    training_data: { datanets: ['memo'] },
    hyperparameters: { n_epochs: 8, batch_size: 3, learning_rate_multiplier: 10 },
    owner: OWNER,
  });
  const deadline = Date.now() + 240_000;
  let done = job;
  while (!['succeeded', 'failed', 'cancelled'].includes(done.status)) {
    assert.ok(Date.now() < deadline, `job still ${done.status}`);
    await new Promise((r) => setTimeout(r, 250));
    done = await get(`/v1/fine_tuning/jobs/${job.id}`);
  }
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));

  const res = await post('/v1/completions', {
    model: done.fine_tuned_model,
    prompt: bracketIds(PROMPTS[0]!),
    max_tokens: 4,
    temperature: 0,
    attribution: 'inline',
  });
  const a = res.attribution;
  assert.equal(a.status, 'signed');
  assert.match(a.method, /\+datainf-v1$/, 'influence came from the server scorer (DataInf), not spans alone');
  assert.ok(a.training_sources.length > 0, JSON.stringify(a));
  assert.ok(a.adapter.share_ppm > 0, 'the adapter made the answer more likely');
  const top = a.training_sources[0];
  assert.ok(CONTRIBUTORS.includes(top.contributor), JSON.stringify(top));
  assert.deepEqual(
    a.training.by_contributor.map((c: { contributor: string }) => c.contributor).sort(),
    [...new Set(a.training_sources.map((t: { contributor: string }) => t.contributor))].sort(),
  );

  const settled = await post('/v1/attribution/settle', {});
  assert.equal(settled.status, 'settled');
  const view = await get(`/v1/attribution/records/${a.record_id}`);
  assert.equal(view.primary_type, 'AttributionRecordV2');
  assert.deepEqual(view.training.by_contributor, a.training.by_contributor);
  const record = view.record as AttributionRecord;
  const expected = expectedTrainingAmounts(record);
  assert.deepEqual(
    record.trainingSources!.map((t) => BigInt(t.amount)),
    expected,
  );
  const owed = record
    .trainingSources!.filter((t) => t.contributor.toLowerCase() === top.contributor)
    .reduce((n, t) => n + BigInt(t.amount), 0n);
  assert.ok(owed > 0n);
  assert.equal((await get(`/v1/attribution/payouts/${top.contributor}`)).cumulative, owed.toString());

  const contract = await get('/v1/attribution/contract');
  const chain = createPublicClient({ transport: http(contract.rpc_url) });
  const before = await chain.getBalance({ address: top.contributor });
  const claim = await runClaim(['--key', ANVIL_DEV_KEYS[3]!, '--server', base, '--account', top.contributor], () => {});
  assert.equal(claim.paid, owed);
  assert.equal((await chain.getBalance({ address: top.contributor })) - before, owed);

  const lines: string[] = [];
  const check = await runVerifyRecord(['--server', base, '--record', a.record_id], (l) => lines.push(l));
  assert.equal(check.ok, true, lines.join('\n'));
  assert.equal(lines.at(-1), 'VERIFIED');
  assert.ok(
    lines.includes(`type       AttributionRecordV2 (${record.trainingSources!.length} training sources)`),
    lines.join('\n'),
  );
});
