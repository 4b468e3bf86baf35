import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256 as viemKeccak, toBytes } from 'viem';
import { buildRecord, promptContext, recordIdOf } from './buildRecord.ts';
import { validateRecord } from './validateRecord.ts';
import { documentId } from '../data/datanetStore.ts';
import { ZERO_HASH } from './recordTypes.ts';
import { AttributionError } from '../../common/index.ts';

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
    fee: { fee: 100n, model: 70n, adapter: 5n, sources: [0n, 25n], training: [] },
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
    fee: { fee: 9n, model: 9n, adapter: 0n, sources: [], training: [] as bigint[] },
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

test('buildRecord with training: a version 2 record, training sources by share desc with their amounts, spans longest first', () => {
  const d1 = documentId('skin', 'case one');
  const t = (exampleId: string, docId: `0x${string}`, sharePpm: number, contributor: `0x${string}` = alice) => ({
    exampleId,
    docId,
    datanet: docId === ZERO_HASH ? '' : 'skin',
    contributor,
    influence: '0.5',
    reputationPpm: 1_000_000,
    spanTokens: 0,
    sharePpm,
  });
  const r = buildRecord({
    requestId: 'cmpl-t',
    model: 'm',
    adapter: { id: 'derm', owner: bob, sharePpm: 800_000 },
    promptContext: 'q',
    outputText: 'a',
    sources: [],
    fee: { fee: 1000n, model: 880n, adapter: 60n, sources: [], training: [20n, 40n] },
    training: {
      sources: [t('row-7', ZERO_HASH, 333_333, bob), t(d1, d1, 666_667)],
      spans: [
        { docId: d1, answerStart: 4, docStart: 0, length: 9 },
        { docId: d1, answerStart: 0, docStart: 3, length: 12 },
      ],
    },
    timestamp: 5,
    method: 'adapter-logprob-v1',
  });
  assert.deepEqual(
    r.trainingSources!.map((s) => [s.exampleId, s.sharePpm, s.amount, s.contributor]),
    [
      [d1, 666_667, '40', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
      ['row-7', 333_333, '20', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'],
    ],
  );
  assert.deepEqual(
    r.spans!.map((s) => [s.answerStart, s.length]),
    [
      [0, 12],
      [4, 9],
    ],
  );
  assert.doesNotThrow(() => validateRecord(r));
  const v1 = buildRecord({
    requestId: 'cmpl-t',
    model: 'm',
    adapter: null,
    promptContext: 'q',
    outputText: 'a',
    sources: [],
    fee: { fee: 1n, model: 1n, adapter: 0n, sources: [], training: [] },
    timestamp: 5,
    method: 'x',
  });
  assert.equal('trainingSources' in v1 || 'spans' in v1, false); // no training given: version 1
});

test('validateRecord: version 2 fields are checked and training amounts count against the fee', () => {
  const d1 = documentId('skin', 'case one');
  const base = buildRecord({
    requestId: 'cmpl-v',
    model: 'm',
    adapter: null,
    promptContext: 'q',
    outputText: 'a',
    sources: [],
    fee: { fee: 10n, model: 0n, adapter: 0n, sources: [], training: [10n] },
    training: {
      sources: [
        {
          exampleId: 'e',
          docId: d1,
          datanet: 'skin',
          contributor: alice,
          influence: '1.5e-7',
          reputationPpm: 1_000_000,
          spanTokens: 8,
          sharePpm: 1_000_000,
        },
      ],
      spans: [{ docId: d1, answerStart: 0, docStart: 0, length: 8 }],
    },
    timestamp: 5,
    method: 'x',
  });
  assert.doesNotThrow(() => validateRecord(base));
  const bad = (patch: (r: any) => void, param: string): void => {
    const r = structuredClone(base) as any;
    patch(r);
    assert.throws(
      () => validateRecord(r),
      (e: unknown) => e instanceof AttributionError && e.code === 'record_invalid' && e.param === param,
      param,
    );
  };
  bad((r) => (r.fee = '9'), 'fee');
  bad((r) => (r.trainingSources[0].influence = 'NaN'), 'trainingSources[0].influence');
  bad((r) => (r.trainingSources[0].influence = '1e999'), 'trainingSources[0].influence');
  bad((r) => (r.trainingSources[0].contributor = '0x' + '0'.repeat(40)), 'trainingSources[0].contributor');
  bad((r) => (r.trainingSources[0].docId = '0x12'), 'trainingSources[0].docId');
  bad((r) => (r.spans[0].length = -1), 'spans[0].length');
  bad((r) => delete r.spans, 'spans');
});

test('a replica id goes into the record id: keccak256(utf8(replica + "/" + requestId)), distinct per replica', () => {
  const input = {
    requestId: 'chatcmpl-7',
    model: 'stories260K',
    adapter: null,
    promptContext: 'p',
    outputText: 'o',
    sources: [],
    fee: { fee: 1n, model: 1n, adapter: 0n, sources: [], training: [] },
    timestamp: 1_700_000_000,
    method: 'loo-logprob-v1',
  };
  const r1 = buildRecord({ ...input, replicaId: 'r1' });
  const r2 = buildRecord({ ...input, replicaId: 'r2' });
  assert.equal(r1.recordId, viemKeccak(toBytes('r1/chatcmpl-7')));
  assert.equal(r2.recordId, viemKeccak(toBytes('r2/chatcmpl-7')));
  assert.notEqual(r1.recordId, r2.recordId);
  assert.equal(r1.requestId, 'chatcmpl-7', 'the signed request id is the response id as the client saw it');
  assert.equal(buildRecord(input).recordId, viemKeccak(toBytes('chatcmpl-7')), 'no replica id: as before');
});
