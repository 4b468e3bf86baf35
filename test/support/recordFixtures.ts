// Deterministic attribution records for tests (generated in code, never checked in).
// sampleRecord(i, payees) pays source j of record i an amount derived from (i, j), so expected
// cumulative payouts can be recomputed independently by summing.

import { keccak256 } from '../../attribution/index.ts';
import { ZERO_ADDRESS, type Address, type AttributionRecord } from '../../attribution/index.ts';

export interface SampleOptions {
  /** Contributor addresses to pay (round robin); default: three fixed test addresses. */
  payees?: Address[];
  /** Adapter owner (default none). */
  adapterOwner?: Address;
  /** Prefix making record ids unique across test runs sharing an outbox. */
  tag?: string;
}

export const TEST_PAYEES: Address[] = [
  '0x1000000000000000000000000000000000000001',
  '0x2000000000000000000000000000000000000002',
  '0x3000000000000000000000000000000000000003',
];

/** Record i: two sources paid 1000*(i+1) and 10*(i+1) wei, adapter 7*(i+1) wei, fee 2000*(i+1). */
export function sampleRecord(i: number, opts: SampleOptions = {}): AttributionRecord {
  const payees = opts.payees ?? TEST_PAYEES;
  const k = BigInt(i + 1);
  const owner = opts.adapterOwner ?? ZERO_ADDRESS;
  return {
    recordId: keccak256(`${opts.tag ?? 'rec'}-${i}`),
    requestId: `chatcmpl-${opts.tag ?? 'rec'}-${i}`,
    model: 'stories260K',
    adapter: owner === ZERO_ADDRESS ? '' : 'adapter-a',
    promptHash: keccak256(`prompt ${i}`),
    outputHash: keccak256(`output ${i}`),
    sources: [
      {
        docId: keccak256(`doc ${i} a`),
        datanet: 'wiki',
        contributor: payees[i % payees.length]!,
        sharePpm: 990_099,
        amount: (1000n * k).toString(),
      },
      {
        docId: keccak256(`doc ${i} b`),
        datanet: 'wiki',
        contributor: payees[(i + 1) % payees.length]!,
        sharePpm: 9_901,
        amount: (10n * k).toString(),
      },
    ],
    adapterOwner: owner,
    adapterSharePpm: owner === ZERO_ADDRESS ? 0 : 500_000,
    adapterAmount: owner === ZERO_ADDRESS ? '0' : (7n * k).toString(),
    fee: (2000n * k).toString(),
    timestamp: 1_764_000_000 + i,
    method: 'loo-logprob-v1',
  };
}

export const TEST_TRAINERS: Address[] = [
  '0x00000000000000000000000000000000000000b1',
  '0x00000000000000000000000000000000000000b2',
];

/**
 * A version 2 record: sampleRecord(i) with an adapter owner, plus two training sources paid
 * 70*(i+1) and 30*(i+1) wei (one a DataNet document, one an uploaded row) and one span; the fee
 * grows by 100*(i+1).
 */
export function sampleTrainingRecord(i: number, opts: SampleOptions = {}): AttributionRecord {
  const r = sampleRecord(i, { adapterOwner: '0x00000000000000000000000000000000000000aa', ...opts });
  const k = BigInt(i + 1);
  const doc = keccak256(`${opts.tag ?? 'rec'} train ${i}`);
  r.fee = (BigInt(r.fee) + 100n * k).toString();
  r.trainingSources = [
    {
      exampleId: doc,
      docId: doc,
      datanet: 'skin',
      contributor: TEST_TRAINERS[0]!,
      influence: '0.0123',
      reputationPpm: 1_000_000,
      spanTokens: 9,
      sharePpm: 700_000,
      amount: (70n * k).toString(),
    },
    {
      exampleId: 'upload-row-3',
      docId: `0x${'0'.repeat(64)}`,
      datanet: '',
      contributor: TEST_TRAINERS[1]!,
      influence: '-1.5e-7',
      reputationPpm: 1_000_000,
      spanTokens: 0,
      sharePpm: 300_000,
      amount: (30n * k).toString(),
    },
  ];
  r.spans = [{ docId: doc, answerStart: 2, docStart: 17, length: 9 }];
  return r;
}
