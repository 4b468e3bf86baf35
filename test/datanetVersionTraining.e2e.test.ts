// A fine-tuning job trained on a governed DataNet's published version, end to end (issue 18): the
// real server (buildApp on stories260K, --chain anvil, governance and the factory), the owner
// policy with signed requests, and a job created through the official `openai` client with
// `training_data: {datanets, versions}`. The adapter's loraledger.json must name the version, and
// its examples must be exactly that version's documents that are still approved (docs/datanets.md
// "Training on a version"): hand-derived from which documents the test approved, rejected,
// overturned, or approved only in a later version; each example's content hash and contributor
// equal the version's Merkle leaf. Versions that cannot be trained on are refused at creation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import type { RegistryDomain } from '../attribution/index.ts';
import { startFineTuningServer } from './support/fineTuningServer.ts';
import { CONTRIBUTOR_KEY, OWNER_KEY, addressOf, roleSigner, type RoleSigner } from './support/governanceHarness.ts';

const KEY = 'version-training-admin-key';
const admin = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const owner = addressOf(OWNER_KEY);
const contributor = addressOf(CONTRIBUTOR_KEY);
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-version-training-'));
let app: FastifyInstance;
let base: string;
let client: OpenAI;
let roles: RoleSigner;

const call = async (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown> & { error?: { message: string } };
  assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(json)}`);
  return json;
};

before(async () => {
  ({ app, base } = await startFineTuningServer({ dir: tmp, adminKey: KEY, argv: ['--chain', 'anvil'] }));
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  const reg = await call('GET', '/v1/datanet-registry');
  roles = roleSigner(
    (reg.eip712 as { domain: RegistryDomain }).domain,
    async () => (await call('GET', '/v1/datanet-registry')).now as number,
  );
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** One round on `tales`: the owner's ballot approves or rejects each document, then the tally publishes. */
async function ownerRound(votes: Array<{ doc_id: string; approve: boolean }>): Promise<number> {
  const round = (await call('POST', '/v1/datanets/tales/rounds', {}, admin)).round as number;
  await call(
    'POST',
    `/v1/datanets/tales/rounds/${round}/ballots`,
    await roles.ballot(OWNER_KEY, 'tales', round, votes),
  );
  const tally = await call('POST', `/v1/datanets/tales/rounds/${round}/tally`, {}, admin);
  return (tally.version as { version: number }).version;
}

async function submit(text: string): Promise<Hex> {
  const doc = await call(
    'POST',
    '/v1/datanets/tales/documents',
    await roles.signed(CONTRIBUTOR_KEY, 'submit', 'tales', { text, contributor }),
  );
  assert.equal(doc.state, 'pending');
  return doc.doc_id as Hex;
}

async function until(id: string, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const job = await client.fineTuning.jobs.retrieve(id);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const TEXTS = [
  'Lily found a red ball in the park.',
  'Tom and his dog ran to the big tree.',
  'The little bird sang a happy song.',
  'Mom baked a warm cake for Ben.',
  'The cat sat on the mat all day.',
  'Sue saw a fish jump in the pond.',
];
const sorted = (xs: readonly string[]) => [...xs].sort();

test('a job on version 1 of a governed DataNet trains on exactly its still-approved documents, and its manifest names the version', async () => {
  await call(
    'POST',
    '/v1/datanets',
    await roles.signed(OWNER_KEY, 'create', 'tales', { id: 'tales', owner, policy: 'owner', challenge_window: 3600 }),
  );
  const ids: Hex[] = [];
  for (const t of TEXTS) ids.push(await submit(t));
  // version 1: the owner approves documents 0-3 and rejects 4 and 5
  assert.equal(await ownerRound(ids.map((doc_id, i) => ({ doc_id, approve: i < 4 }))), 1);
  // version 1's leaves, read now (document 1 is overturned below): [doc_id, content_hash, contributor]
  const leaves = new Map<string, [string, string, string]>();
  for (const d of ids.slice(0, 4)) {
    const p = await call('GET', `/v1/datanets/tales/documents/${d}/proof?version=1`);
    assert.equal(p.version, 1);
    leaves.set(d, p.leaf as [string, string, string]);
  }
  // version 2: the owner overturns document 1
  const ch = await call(
    'POST',
    `/v1/datanets/tales/documents/${ids[1]}/challenge`,
    await roles.signed(OWNER_KEY, 'challenge', 'tales', { doc_id: ids[1] }),
  );
  assert.equal((ch.republished as { version: number }).version, 2);
  // version 3: a late document, approved after version 1
  const late = await submit('A late story about a blue kite.');
  assert.equal(await ownerRound([{ doc_id: late, approve: true }]), 3);

  const created = await client.fineTuning.jobs.create({
    model: 'stories260K',
    suffix: 'tales-v1',
    seed: 5,
    hyperparameters: { n_epochs: 1, batch_size: 3, ...({ lora_r: 2, validation_split: 0 } as object) },
    ...({ training_data: { datanets: ['tales'], versions: { tales: 1 } } } as object),
  } as OpenAI.FineTuning.JobCreateParams);
  const job = await until(created.id);
  assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
  const events = (await client.fineTuning.jobs.listEvents(job.id, { limit: 100 })).data;
  assert.ok(!events.some((e) => e.level === 'warn'), JSON.stringify(events.filter((e) => e.level === 'warn')));

  const adapters = (await call('GET', '/v1/adapters', undefined, admin)).data as Array<{ id: string; path: string }>;
  const entry = adapters.find((a) => a.id === job.fine_tuned_model);
  assert.ok(entry, `${job.fine_tuned_model} is registered`);
  const ledger = JSON.parse(readFileSync(join(entry.path, 'loraledger.json'), 'utf8')) as {
    training: {
      datanet_versions?: Record<string, number>;
      examples: Array<{ id: string; content_hash: string; datanet: string; contributor: string }>;
    };
  };
  assert.deepEqual(ledger.training.datanet_versions, { tales: 1 });
  // version 1 held 0-3; 1 was overturned (never trained on), 4 and 5 were rejected, the late one is version 3's
  const expected = [ids[0]!, ids[2]!, ids[3]!];
  assert.deepEqual(sorted(ledger.training.examples.map((e) => e.id)), sorted(expected));
  for (const e of ledger.training.examples) {
    assert.equal(e.datanet, 'tales');
    assert.deepEqual([e.id, e.content_hash, e.contributor], leaves.get(e.id), `example ${e.id} is version 1's leaf`);
  }
});

test('versions that cannot be trained on are refused at creation, naming training_data.versions', async () => {
  // an open DataNet (admin key, no governance), with a document
  await call('POST', '/v1/datanets', { id: 'open-net' }, admin);
  await call('POST', '/v1/datanets/open-net/documents', { text: 'An open story about a hat.', contributor }, admin);
  const refused = async (trainingData: object, status: number, code: string, message: RegExp) => {
    const before = (await client.fineTuning.jobs.list()).data.length;
    await assert.rejects(
      client.fineTuning.jobs.create({ model: 'stories260K', ...({ training_data: trainingData } as object) } as never),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError, String(e));
        assert.equal(e.status, status, e.message);
        assert.equal(e.code, code, e.message);
        assert.equal(e.param, 'training_data.versions', e.message);
        assert.match(e.message, message);
        return true;
      },
    );
    assert.equal((await client.fineTuning.jobs.list()).data.length, before, 'no job was created');
  };
  // tales has versions 1-3 (the test above)
  await refused({ datanets: ['tales'], versions: { tales: 4 } }, 404, 'not_found', /tales has no published version 4/);
  await refused(
    { datanets: ['open-net'], versions: { 'open-net': 1 } },
    400,
    'invalid_request',
    /open-net is open .* no published versions/,
  );
  // also when another DataNet of the job has documents to train on
  await refused(
    { datanets: ['tales', 'open-net'], versions: { 'open-net': 1 } },
    400,
    'invalid_request',
    /open-net is open .* no published versions/,
  );
});
