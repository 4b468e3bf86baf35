// From a RAG request to money on chain: buildApp with the real attribution factory on a local
// anvil, stories260K on the real engine; a completion with rag produces a signed record whose
// contributor amounts are settled in an epoch and show up as claimable cumulative payouts.
// Retrieval here re-ranks with base-model embeddings (--rag-rerank embeddings).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startAttributedApp } from './support/attributedApp.ts';
import { runVerifyRecord } from '../attribution/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const KEY = 'settle-admin-key-1';
const auth = { authorization: `Bearer ${KEY}` };
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-ragsettle-'));
const contributors = [
  '0x00000000000000000000000000000000000000c1',
  '0x00000000000000000000000000000000000000c2',
  '0x00000000000000000000000000000000000000c3',
];
let app: FastifyInstance;

before(async () => {
  app = await startAttributedApp([
    '--model',
    MODEL,
    '--cache-dir',
    join(tmp, 'cache'),
    '--data-dir',
    join(tmp, 'data'),
    '--admin-key',
    KEY,
    '--log-level',
    'silent',
    '--chain',
    'anvil',
    '--epoch-seconds',
    '0',
    '--rag-rerank',
    'embeddings',
    '--threads',
    '1',
    '--max-batch-size',
    '8',
    '--max-batch-tokens',
    '512',
  ]);
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test("rag request -> signed record -> settled epoch -> each contributor's cumulative payout equals its amounts", async () => {
  assert.equal(
    (await app.inject({ method: 'POST', url: '/v1/datanets', headers: auth, payload: { id: 'tales' } })).statusCode,
    200,
  );
  const texts = [
    '[461] [461] [401] [401] [401] [461] [378] [455]',
    '[473] [456] [435] [461] [299] [362]',
    '[409] [283] [264] [461] [283] [452]',
  ];
  for (const [i, text] of texts.entries()) {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/datanets/tales/documents',
      payload: { text, contributor: contributors[i] },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
  const paid = new Map<string, bigint>();
  const recordIds: string[] = [];
  for (const prompt of ['[461] [401]', '[461] [283]', '[461]']) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: 'stories260K', prompt, max_tokens: 6, temperature: 0, rag: { datanets: ['tales'], top_k: 3 } },
    });
    assert.equal(res.statusCode, 200, res.body);
    for (const s of res.json().attribution.sources)
      paid.set(s.contributor, (paid.get(s.contributor) ?? 0n) + BigInt(s.amount));
    recordIds.push(res.json().attribution.record_id);
  }
  const total = [...paid.values()].reduce((a, b) => a + b, 0n);
  assert.ok(total > 0n, 'at least one contributor earned something in these requests');
  const settled = await app.inject({ method: 'POST', url: '/v1/attribution/settle', headers: auth });
  assert.equal(settled.statusCode, 200, settled.body);
  assert.equal(settled.json().status, 'settled');
  for (const c of contributors) {
    const p = (await app.inject(`/v1/attribution/payouts/${c}`)).json();
    assert.equal(p.cumulative, (paid.get(c) ?? 0n).toString(), `contributor ${c}`);
  }
  // `npm run verify-record` as an outsider runs it: over HTTP, reading the root from anvil.
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const lines: string[] = [];
  const check = await runVerifyRecord(['--server', url, '--record', recordIds[0]!], (l) => lines.push(l));
  assert.equal(check.ok, true, lines.join('\n'));
  assert.equal(lines.at(-1), 'VERIFIED');
  assert.match(lines.join('\n'), /root {7}ok \(on chain, contract 0x[0-9a-fA-F]{40}\)/);
});
