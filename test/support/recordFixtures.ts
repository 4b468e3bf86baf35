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
