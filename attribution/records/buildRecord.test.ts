import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256 as viemKeccak, toBytes } from 'viem';
import { buildRecord, promptContext, recordIdOf } from './buildRecord.ts';
import { validateRecord } from './validateRecord.ts';
import { documentId } from '../data/datanetStore.ts';

const alice = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
const bob = '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359';

test('buildRecord: hashes, checksummed addresses, sources by share desc, amounts as decimal strings', () => {
  const d1 = documentId('net', 'one');
  const d2 = documentId('net', 'two');
  const r = buildRecord({
    requestId: 'cmpl-123',
    model: 'stories260K',
    adapter: { id: 'sql', owner: bob, sharePpm: 250_000 },
    promptContext: promptContext({ kind: 'completion', prompt: 'ctx + question' }),
    outputText: 'answer',
    sources: [
      { docId: d1, datanet: 'net', contributor: alice, sharePpm: 0 },
      { docId: d2, datanet: 'net', contributor: bob, sharePpm: 1_000_000 },
    ],
    fee: { fee: 100n, model: 70n, adapter: 5n, sources: [0n, 25n] },
    timestamp: 1_700_000_000,
    method: 'shapley-exact-v1',
  });
  assert.equal(r.recordId, viemKeccak(toBytes('cmpl-123')));
  assert.equal(r.recordId, recordIdOf('cmpl-123'));
  assert.equal(r.promptHash, viemKeccak(toBytes('ctx + question')));
  assert.equal(r.outputHash, viemKeccak(toBytes('answer')));
  assert.deepEqual(
    r.sources.map((s) => [s.docId, s.sharePpm, s.amount]),
    [
      [d2, 1_000_000, '25'],
      [d1, 0, '0'],
    ],
  );
  assert.equal(r.sources[1]!.contributor, '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  assert.equal(r.adapter, 'sql');
  assert.equal(r.adapterAmount, '5');
  assert.equal(r.fee, '100');
  assert.doesNotThrow(() => validateRecord(r));
});

test('buildRecord without adapter or owner: zero address, zero share and amount', () => {
  const chat = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: 'hi' }] };
  const base = {
    requestId: 'r',
    model: 'm',
    promptContext: promptContext(chat),
    outputText: '',
    sources: [],
    fee: { fee: 9n, model: 9n, adapter: 0n, sources: [] },
    timestamp: 1,
    method: 'loo-logprob-v1',
  };
  const r = buildRecord({ ...base, adapter: null });
  assert.equal(r.adapter, '');
  assert.equal(r.adapterOwner, '0x0000000000000000000000000000000000000000');
  assert.equal(r.adapterAmount, '0');
  assert.equal(r.promptHash, viemKeccak(toBytes('[{"role":"user","content":"hi"}]')));

  const unowned = buildRecord({ ...base, adapter: { id: 'x', owner: null, sharePpm: 500_000 } });
  assert.equal(unowned.adapter, 'x');
  assert.equal(unowned.adapterSharePpm, 0);
  assert.doesNotThrow(() => validateRecord(unowned));
  assert.throws(
    () =>
      buildRecord({
        ...base,
        adapter: null,
        sources: [{ docId: '0x00', datanet: 'n', contributor: alice, sharePpm: 1 }],
      }),
    /1 sources but 0 source amounts/,
  );
});
