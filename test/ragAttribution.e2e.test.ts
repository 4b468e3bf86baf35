// RAG + Proof of Attribution over HTTP: buildApp serving stories260K on the real engine with the
// real attribution factory (server/createAttribution: settlement half with chain off + data half:
// DataNets, BM25, AttributionService), DataNet and attribution routes; records are EIP-712 signed
// into the real SQLite outbox and read back through GET /v1/attribution/records/:id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startAttributedApp } from './support/attributedApp.ts';
import { generateAdapter } from '../factory/index.ts';
import { loadModelSpec } from '../kernels/model/index.ts';
import { keccak256, verifyRecord, type Eip712Domain, type SignedRecord } from '../attribution/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const KEY = 'rag-admin-key-123';
const OWNER = '0x00000000000000000000000000000000000000a1';
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-rag-'));
let app: FastifyInstance;
let domain: Eip712Domain;
const auth = { authorization: `Bearer ${KEY}` };
const spell = (ids: number[]) => ids.map((t) => `[${t}]`).join(' ');
/** The stored record through the attribution route (404 until it is in the outbox). */
async function stored(recordId: string): Promise<SignedRecord & { status: string }> {
  const r = await app.inject(`/v1/attribution/records/${recordId}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

before(async () => {
  const spec = await loadModelSpec(MODEL);
  mkdirSync(join(tmp, 'adapters'));
  await generateAdapter({
    dir: join(tmp, 'adapters', 'ad-owned'),
    spec,
    seed: 5,
    rank: 4,
    bStd: 0.4,
    owner: OWNER,
    description: 'owned',
    tags: ['x'],
  });
  app = await startAttributedApp([
    '--model',
    MODEL,
    '--adapters',
    join(tmp, 'adapters'),
    '--cache-dir',
    join(tmp, 'cache'),
    '--data-dir',
    join(tmp, 'data'),
    '--admin-key',
    KEY,
    '--log-level',
    'silent',
    '--chain',
    'off',
    '--threads',
    '1',
    '--max-batch-size',
    '8',
    '--max-batch-tokens',
    '512',
    '--max-lora-rank',
    '8',
  ]);
  domain = (await app.inject('/v1/attribution/eip712')).json().domain;
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/v1/datanets',
        headers: auth,
        payload: { id: 'stories', title: 'Stories' },
      })
    ).statusCode,
    200,
  );
  const docs = [
    [300, 301, 302, 303, 304, 305],
    [310, 311, 312, 313],
    [320, 321, 322, 300],
  ];
  for (const [i, ids] of docs.entries()) {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/datanets/stories/documents',
      payload: { text: spell(ids), contributor: `0x${String(i + 1).padStart(40, '0')}` },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('completion with rag: passages retrieved into the prompt, attribution inline, record signed in the outbox', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: {
      model: 'stories260K',
      prompt: '[300] [301]',
      max_tokens: 4,
      temperature: 0,
      return_token_ids: true,
      rag: { datanets: ['stories'], top_k: 3 },
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  const a = body.attribution;
  assert.equal(a.status, 'signed');
  assert.equal(a.method, 'shapley-exact-v1');
  // The record id binds the replica that served it (--replica-id, echoed in x-loraledger-replica).
  assert.equal(a.record_id, keccak256(`${res.headers['x-loraledger-replica']}/${body.id}`));
  // "[300] [301]" matches documents 1 and 3 only (BM25 > 0); the prompt grew by their text.
  assert.equal(a.sources.length, 2);
  assert.ok(body.usage.prompt_tokens > 2 + 6 + 4);
  const total = a.sources.reduce((s: number, x: { share_ppm: number }) => s + x.share_ppm, 0);
  assert.ok(total === 0 || total === 1_000_000, `shares sum to ${total}`);
  assert.equal(BigInt(a.fee.model) + BigInt(a.fee.adapter) + BigInt(a.fee.data), BigInt(a.fee.total));
  assert.equal(a.adapter, null);
  const view = await stored(a.record_id); // durable before the response went out
  assert.equal(view.status, 'pending');
  assert.equal(view.signature, a.signature);
  assert.ok(
    await verifyRecord(
      { record: view.record, signer: view.signer, signature: view.signature, digest: a.digest },
      domain,
    ),
  );
  assert.deepEqual(
    view.record.sources.map((x) => x.docId).sort(),
    a.sources.map((x: { doc_id: string }) => x.doc_id).sort(),
  );
});

test('chat with rag on an owned adapter scores the adapter against the base', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    payload: {
      model: 'ad-owned',
      messages: [{ role: 'user', content: '[310] [311]' }],
      max_tokens: 3,
      temperature: 0,
      rag: { datanets: ['stories'], top_k: 2 },
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const a = res.json().attribution;
  assert.equal(a.adapter.id, 'ad-owned');
  assert.equal(a.adapter.owner, OWNER);
  assert.ok(Number.isFinite(a.adapter.score));
  assert.equal(
    a.adapter.share_ppm,
    a.adapter.score > 0 ? Math.min(1_000_000, Math.round(1e6 * -Math.expm1(-a.adapter.score))) : 0,
  );
  const rec = (await stored(a.record_id)).record;
  assert.equal(rec.adapter, 'ad-owned');
  assert.equal(rec.adapterOwner.toLowerCase(), OWNER);
  // The scoring read the answer's keys/values, kept by the engine since the generation finished,
  // instead of feeding the served prompt again (the engine's stats reach /metrics a message later).
  let reused = 0;
  for (let i = 0; i < 100 && reused === 0; i++) {
    const m = (await app.inject('/metrics')).body.match(/^loraledger_score_reused_tokens (\d+)/m);
    reused = Number(m?.[1] ?? 0);
    if (reused === 0) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(reused >= res.json().usage.prompt_tokens - 1, `reused ${reused} tokens`);
});

test('stream defaults to async: the last event carries a pending record that lands in the outbox', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: {
      model: 'stories260K',
      prompt: '[320] [321]',
      max_tokens: 3,
      temperature: 0,
      stream: true,
      rag: { datanets: ['stories'], top_k: 2 },
    },
  });
  assert.equal(res.statusCode, 200);
  const events = res.body
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)));
  const pending = events.find((e) => e.attribution)?.attribution;
  assert.equal(pending?.status, 'pending');
  await app.loraledger.attribution!.drain!();
  assert.equal((await stored(pending.record_id)).record.recordId, pending.record_id);
});

test('bad rag requests: unknown DataNet 404, bad top_k 400, rag with token ids 400; plain requests carry no attribution', async () => {
  const post = (payload: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: 'stories260K', max_tokens: 2, ...payload },
    });
  const e1 = await post({ prompt: '[300]', rag: { datanets: ['ghost'] } });
  assert.equal(e1.statusCode, 404);
  assert.equal(e1.json().error.code, 'datanet_not_found');
  const e2 = await post({ prompt: '[300]', rag: { datanets: ['stories'], top_k: 99 } });
  assert.equal(e2.statusCode, 400);
  assert.equal(e2.json().error.param, 'rag.top_k');
  const e3 = await post({ prompt: [300, 301], rag: { datanets: ['stories'] } });
  assert.equal(e3.statusCode, 400);
  assert.equal(e3.json().error.param, 'rag');
  const plain = await post({ prompt: '[300]' });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.json().attribution, undefined);
});
