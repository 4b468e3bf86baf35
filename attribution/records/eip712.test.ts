import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyToAccount } from 'viem/accounts';
import { recoverTypedDataAddress } from 'viem';
import {
  createRecordSigner,
  signRecord,
  eip712Description,
  eip712Domain,
  recordDigest,
  recoverRecordSigner,
  verifyRecord,
} from './eip712.ts';
import { keccak256 } from './keccak256.ts';
import { sampleRecord, sampleTrainingRecord } from '../../test/support/recordFixtures.ts';
import type { AttributionRecord, Hex } from './recordTypes.ts';
import { AttributionError } from '../../common/index.ts';

const KEY: Hex = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OTHER: Hex = '0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f';
const CONTRACT = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = eip712Domain(31337, CONTRACT);

// --- independent EIP-712 reference: hand-rolled encoding over the folder's own keccak256 ---
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
const word = (n: bigint | number | string): Uint8Array => bytes(BigInt(n).toString(16).padStart(64, '0'));
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const h = (x: Uint8Array | string): Uint8Array => bytes(keccak256(x));
const SOURCE_T = 'Source(bytes32 docId,string datanet,address contributor,uint32 sharePpm,uint256 amount)';
const RECORD_T =
  'AttributionRecord(bytes32 recordId,string requestId,string model,string adapter,bytes32 promptHash,bytes32 outputHash,Source[] sources,address adapterOwner,uint32 adapterSharePpm,uint256 adapterAmount,uint256 fee,uint64 timestamp,string method)' +
  SOURCE_T;

const sourceHashes = (r: AttributionRecord): Uint8Array[] =>
  r.sources.map((s) =>
    h(cat(h(SOURCE_T), bytes(s.docId), h(s.datanet), word(s.contributor), word(s.sharePpm), word(s.amount))),
  );
const domainHash = (chainId: number, contract: string): Uint8Array =>
  h(
    cat(
      h('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
      h('loraledger'),
      h('1'),
      word(chainId),
      word(contract),
    ),
  );

/** The encoded version 1 fields, in order (after the type hash). */
const v1Fields = (r: AttributionRecord): Uint8Array[] => [
  bytes(r.recordId),
  h(r.requestId),
  h(r.model),
  h(r.adapter),
  bytes(r.promptHash),
  bytes(r.outputHash),
  h(cat(...sourceHashes(r))),
  word(r.adapterOwner),
  word(r.adapterSharePpm),
  word(r.adapterAmount),
  word(r.fee),
  word(r.timestamp),
  h(r.method),
];

function referenceDigest(r: AttributionRecord, chainId: number, contract: string): Hex {
  const struct = h(cat(h(RECORD_T), ...v1Fields(r)));
  const dom = domainHash(chainId, contract);
  return keccak256(cat(bytes('1901'), dom, struct));
}

test('record digest equals an independent hand-rolled EIP-712 encoding', () => {
  for (const r of [
    sampleRecord(0),
    sampleRecord(5, { adapterOwner: '0x00000000000000000000000000000000000000aa' }),
    { ...sampleRecord(1), sources: [] },
  ]) {
    assert.equal(recordDigest(r, domain), referenceDigest(r, 31337, CONTRACT));
  }
});

test('sign then recover gives the signer; verifyRecord accepts', async () => {
  const signer = createRecordSigner(KEY, domain);
  const signed = await signer.sign(sampleRecord(3));
  assert.equal(signed.signer, privateKeyToAccount(KEY).address);
  assert.equal(signed.digest, referenceDigest(signed.record, 31337, CONTRACT));
  assert.equal(await recoverRecordSigner(signed, domain), signer.address);
  assert.equal(await verifyRecord(signed, domain), true);
  assert.deepEqual(await signRecord(signed.record, KEY, domain), signed, 'RFC 6979: deterministic');
  // an outsider with only viem and the published description recovers the same address
  const d = eip712Description(domain);
  const { EIP712Domain: _, ...types } = d.types;
  const message = JSON.parse(JSON.stringify(signed.record));
  const outsider = await recoverTypedDataAddress({
    domain: d.domain,
    types,
    primaryType: d.primaryTypes['1'], // a record without training sources is version 1
    message,
    signature: signed.signature,
  } as never);
  assert.equal(outsider, signer.address);
});

test('altered records, foreign signatures and other domains fail verification', async () => {
  const signed = await createRecordSigner(KEY, domain).sign(sampleRecord(2));
  const altered = structuredClone(signed);
  altered.record.sources[0]!.amount = (BigInt(altered.record.sources[0]!.amount) + 1n).toString();
  assert.equal(await verifyRecord(altered, domain), false, 'amount changed');
  assert.equal(
    await verifyRecord({ ...altered, digest: recordDigest(altered.record, domain) }, domain),
    false,
    'digest recomputed, signature stale',
  );
  const forged = await createRecordSigner(OTHER, domain).sign(signed.record);
  assert.equal(await verifyRecord(forged, domain, signed.signer), false, 'signed by another key');
  assert.equal(await verifyRecord(signed, eip712Domain(10, CONTRACT)), false, 'other chain id');
  assert.equal(
    await verifyRecord(signed, eip712Domain(31337, '0x0000000000000000000000000000000000000001')),
    false,
    'other contract',
  );
  assert.equal(await verifyRecord({ ...signed, signature: '0x1234' }, domain), false, 'malformed signature');
});

test('invalid records are refused before signing with record_invalid naming the field', async () => {
  const signer = createRecordSigner(KEY, domain);
  const cases: Array<[string, (r: AttributionRecord) => void]> = [
    [
      'recordId',
      (r) => {
        r.recordId = '0x12';
      },
    ],
    [
      'sources[0].contributor',
      (r) => {
        r.sources[0]!.contributor = '0xnothex';
      },
    ],
    [
      'sources[1].amount',
      (r) => {
        r.sources[1]!.amount = '-5';
      },
    ],
    [
      'sources[0].sharePpm',
      (r) => {
        r.sources[0]!.sharePpm = 1.5;
      },
    ],
    [
      'fee',
      (r) => {
        r.fee = '1';
      },
    ],
    [
      'adapterOwner',
      (r) => {
        r.adapterAmount = '3';
      },
    ],
    [
      'timestamp',
      (r) => {
        r.timestamp = -1;
      },
    ],
  ];
  for (const [param, mutate] of cases) {
    const r = sampleRecord(1);
    mutate(r);
    await assert.rejects(
      signer.sign(r),
      (e: unknown) => e instanceof AttributionError && e.code === 'record_invalid' && e.param === param,
      param,
    );
  }
});

test("eip712Description has domain, both versions' types with EIP712Domain, and the primary types", () => {
  const d = eip712Description(domain);
  assert.deepEqual(d.domain, { name: 'loraledger', version: '1', chainId: 31337, verifyingContract: CONTRACT });
  assert.equal(d.primaryType, 'AttributionRecordV2');
  assert.deepEqual(d.primaryTypes, {
    '1': 'AttributionRecord',
    '2': 'AttributionRecordV2',
    '3': 'AttributionRecordV3',
  });
  assert.deepEqual(Object.keys(d.types).sort(), [
    'AttributionRecord',
    'AttributionRecordV2',
    'AttributionRecordV3',
    'EIP712Domain',
    'Source',
    'Span',
    'TrainingSource',
    'Validator',
  ]);
});

// --- version 2: the same hand-rolled encoding, extended by the two arrays ---
const TRAINING_T =
  'TrainingSource(string exampleId,bytes32 docId,string datanet,address contributor,string influence,uint32 reputationPpm,uint32 spanTokens,uint32 sharePpm,uint256 amount)';
const SPAN_T = 'Span(bytes32 docId,uint32 answerStart,uint32 docStart,uint32 length)';
const RECORD_V2_T =
  'AttributionRecordV2(bytes32 recordId,string requestId,string model,string adapter,bytes32 promptHash,bytes32 outputHash,Source[] sources,address adapterOwner,uint32 adapterSharePpm,uint256 adapterAmount,uint256 fee,uint64 timestamp,string method,TrainingSource[] trainingSources,Span[] spans)' +
  SOURCE_T +
  SPAN_T +
  TRAINING_T; // referenced types sorted by name after the primary type

/** The hand-rolled struct hashes of a record's training sources and spans (versions 2 and 3). */
function trainingHashes(r: AttributionRecord): Uint8Array[] {
  return r.trainingSources!.map((t) =>
    h(
      cat(
        h(TRAINING_T),
        h(t.exampleId),
        bytes(t.docId),
        h(t.datanet),
        word(t.contributor),
        h(t.influence),
        word(t.reputationPpm),
        word(t.spanTokens),
        word(t.sharePpm),
        word(t.amount),
      ),
    ),
  );
}

function spanHashes(r: AttributionRecord): Uint8Array[] {
  return r.spans!.map((s) => h(cat(h(SPAN_T), bytes(s.docId), word(s.answerStart), word(s.docStart), word(s.length))));
}

function referenceDigestV2(r: AttributionRecord): Hex {
  const training = trainingHashes(r);
  const spans = spanHashes(r);
  const struct = h(cat(h(RECORD_V2_T), ...v1Fields(r), h(cat(...training)), h(cat(...spans))));
  const dom = domainHash(31337, CONTRACT);
  return keccak256(cat(bytes('1901'), dom, struct));
}

test('version 2 digest equals the hand-rolled encoding; sign, recover and verify', async () => {
  for (const r of [sampleTrainingRecord(0), { ...sampleTrainingRecord(1), trainingSources: [], spans: [] }]) {
    assert.equal(recordDigest(r, domain), referenceDigestV2(r));
    assert.notEqual(recordDigest(r, domain), referenceDigest(r, 31337, CONTRACT), 'not the version 1 digest');
  }
  const signed = await createRecordSigner(KEY, domain).sign(sampleTrainingRecord(4));
  assert.equal(await verifyRecord(signed, domain), true);
  const d = eip712Description(domain);
  const { EIP712Domain: _, ...types } = d.types;
  const outsider = await recoverTypedDataAddress({
    domain: d.domain,
    types,
    primaryType: d.primaryType,
    message: JSON.parse(JSON.stringify(signed.record)),
    signature: signed.signature,
  } as never);
  assert.equal(outsider, signed.signer);
  const altered = structuredClone(signed);
  altered.record.trainingSources![0]!.amount = '71';
  assert.equal(await verifyRecord(altered, domain), false, 'a training amount changed');
  const dropped = structuredClone(signed);
  delete dropped.record.trainingSources;
  delete dropped.record.spans;
  assert.equal(await verifyRecord(dropped, domain), false, 'training sources stripped (downgraded to version 1)');
});

test('a record signed by the version 1 code (before training sources existed) still verifies', async () => {
  // Fixture produced by the signer at commit 6f9a172 (RFC 6979 deterministic): sampleRecord(3) with an adapter owner.
  const record = sampleRecord(3, { adapterOwner: '0x00000000000000000000000000000000000000aa' });
  const signed = {
    record,
    signer: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23' as const,
    signature:
      '0x50473506e4934ff4921b7c4167e092b116f6fe1768d46d55d03d885180509637465d53a45144ee9893e086f7012c6ca2aebd4bbcd93f28bbb2f33afcd80376001b' as const,
    digest: '0xb04018f8e96265de6d7010712d2a47503ded279e680e2620a3b7ef4837e6f78c' as const,
  };
  assert.equal(recordDigest(record, domain), signed.digest);
  assert.equal(await verifyRecord(signed, domain, privateKeyToAccount(KEY).address), true);
});

// --- version 3: version 2's encoding, extended by the validators paid ---
const VALIDATOR_T = 'Validator(string datanet,address validator,uint256 amount)';
const RECORD_V3_T =
  'AttributionRecordV3(bytes32 recordId,string requestId,string model,string adapter,bytes32 promptHash,bytes32 outputHash,Source[] sources,address adapterOwner,uint32 adapterSharePpm,uint256 adapterAmount,uint256 fee,uint64 timestamp,string method,TrainingSource[] trainingSources,Span[] spans,Validator[] validators)' +
  SOURCE_T +
  SPAN_T +
  TRAINING_T +
  VALIDATOR_T;

test('version 3 (validators paid) digest equals the hand-rolled encoding; sign, verify; altering or stripping validators fails', async () => {
  const base = sampleTrainingRecord(2);
  const r: AttributionRecord = {
    ...base,
    fee: (BigInt(base.fee) + 30n).toString(),
    validators: [
      { datanet: 'facts', validator: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', amount: '20' },
      { datanet: 'facts', validator: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', amount: '10' },
    ],
  };
  const v2 = recordDigest(base, domain);
  const spans = spanHashes(r);
  const validators = r.validators!.map((v) => h(cat(h(VALIDATOR_T), h(v.datanet), word(v.validator), word(v.amount))));
  const struct = h(
    cat(h(RECORD_V3_T), ...v1Fields(r), h(cat(...trainingHashes(r))), h(cat(...spans)), h(cat(...validators))),
  );
  assert.equal(recordDigest(r, domain), keccak256(cat(bytes('1901'), domainHash(31337, CONTRACT), struct)));
  assert.notEqual(recordDigest(r, domain), v2);
  const signed = await createRecordSigner(KEY, domain).sign(r);
  assert.equal(await verifyRecord(signed, domain), true);
  const altered = structuredClone(signed);
  altered.record.validators![1]!.amount = '11';
  assert.equal(await verifyRecord(altered, domain), false, 'a validator amount changed');
  const dropped = structuredClone(signed);
  delete dropped.record.validators;
  assert.equal(await verifyRecord(dropped, domain), false, 'validators stripped (downgraded to version 2)');
  // paying validators more than the fee leaves is refused
  const paidBefore = [...base.sources, ...base.trainingSources!].reduce(
    (t, x) => t + BigInt(x.amount),
    BigInt(base.adapterAmount),
  );
  await assert.rejects(
    createRecordSigner(KEY, domain).sign({ ...r, fee: (paidBefore + 29n).toString() }), // validators get 30
    (e: unknown) => e instanceof AttributionError && e.code === 'record_invalid' && e.param === 'fee',
  );
});
