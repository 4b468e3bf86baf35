import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { buildPayouts, buildRecordsTree, loadTree, payoutsFromDump, proofOf, verifyLeaf, ZERO_ROOT } from './merkle.ts';
import { keccak256 } from '../records/keccak256.ts';
import { sampleRecord, sampleTrainingRecord, TEST_PAYEES, TEST_TRAINERS } from '../../test/support/recordFixtures.ts';
import { PAYOUT_LEAF_ENCODING, RECORD_LEAF_ENCODING, type Hex } from '../records/recordTypes.ts';
import { AttributionError } from '../../common/index.ts';

const bytes = (hex: string): Buffer => Buffer.from(hex.replace(/^0x/, ''), 'hex');
const word = (n: bigint | string): Buffer => bytes(BigInt(n).toString(16).padStart(64, '0'));
/** OpenZeppelin's leaf: keccak256(bytes.concat(keccak256(abi.encode(a, b)))), over static words. */
const ozLeaf = (a: string, b: string): Hex => keccak256(bytes(keccak256(Buffer.concat([word(a), word(b)]))));
/** The contract's fold: sorted-pair keccak256. */
function fold(leaf: Hex, proof: Hex[]): Hex {
  return proof.reduce<Hex>(
    (h, p) => (h < p ? keccak256(Buffer.concat([bytes(h), bytes(p)])) : keccak256(Buffer.concat([bytes(p), bytes(h)]))),
    leaf,
  );
}

test('records tree: every leaf proves against the root, by the library and by the contract fold', () => {
  const leaves = Array.from({ length: 7 }, (_, i) => [keccak256(`id ${i}`), keccak256(`digest ${i}`)] as [Hex, Hex]);
  const built = buildRecordsTree(leaves);
  const tree = loadTree(built.dump!);
  for (const leaf of leaves) {
    const proof = proofOf(tree, leaf, 'leaf');
    assert.ok(verifyLeaf(built.root, RECORD_LEAF_ENCODING, leaf, proof));
    assert.ok(StandardMerkleTree.verify(built.root, [...RECORD_LEAF_ENCODING], leaf, proof));
    assert.equal(fold(ozLeaf(leaf[0], leaf[1]), proof), built.root);
    assert.ok(
      !verifyLeaf(built.root, RECORD_LEAF_ENCODING, [leaf[0], keccak256('other')], proof),
      'wrong digest fails',
    );
  }
  assert.throws(
    () => proofOf(tree, [keccak256('absent'), keccak256('x')], 'absent'),
    (e: unknown) => e instanceof AttributionError && e.code === 'record_not_found',
  );
});

test('empty trees have the zero root', () => {
  assert.equal(buildRecordsTree([]).root, ZERO_ROOT);
  const p = buildPayouts(new Map(), [{ ...sampleRecord(0), sources: [] }]);
  assert.equal(p.tree.root, ZERO_ROOT);
  assert.equal(p.total, 0n);
});

test('payout tree is cumulative across epochs and matches an independent sum', () => {
  const epoch1 = [0, 1, 2, 3].map((i) =>
    sampleRecord(i, { adapterOwner: '0x00000000000000000000000000000000000000AA' }),
  );
  const epoch2 = [4, 5].map((i) => sampleRecord(i));
  const expected = new Map<string, bigint>();
  const add = (a: string, v: bigint) => expected.set(a.toLowerCase(), (expected.get(a.toLowerCase()) ?? 0n) + v);
  for (const [n, recs] of [
    [1, epoch1],
    [2, epoch2],
  ] as const) {
    for (const r of recs) {
      const k = BigInt(Number(r.timestamp) - 1_764_000_000 + 1);
      add(TEST_PAYEES[(Number(k) - 1) % 3]!, 1000n * k);
      add(TEST_PAYEES[Number(k) % 3]!, 10n * k);
      if (n === 1) add('0x00000000000000000000000000000000000000aa', 7n * k);
    }
  }
  const p1 = buildPayouts(new Map(), epoch1);
  const p2 = buildPayouts(payoutsFromDump(p1.tree.dump), epoch2);
  assert.deepEqual(p2.cumulative, expected);
  assert.equal(
    p1.total + p2.total,
    [...expected.values()].reduce((a, b) => a + b, 0n),
  );
  const tree = loadTree(p2.tree.dump!);
  for (const [account, cumulative] of expected) {
    const leaf = [account, cumulative.toString()];
    const proof = proofOf(tree, leaf, account);
    assert.ok(verifyLeaf(p2.tree.root, PAYOUT_LEAF_ENCODING, leaf, proof));
    assert.equal(fold(ozLeaf(account, cumulative.toString()), proof), p2.tree.root);
    assert.ok(
      !verifyLeaf(p2.tree.root, PAYOUT_LEAF_ENCODING, [account, (cumulative + 1n).toString()], proof),
      'inflated amount fails',
    );
  }
});

test('training contributors of version 2 records are payout leaves, summed with everything else they earn', () => {
  const records = [sampleRecord(0), sampleTrainingRecord(1), sampleTrainingRecord(2)];
  const p = buildPayouts(new Map(), records);
  // independent: record i (k = i + 1) pays trainers 70k and 30k, the owner 7k, payees 1000k and 10k
  assert.equal(p.cumulative.get(TEST_TRAINERS[0]!), 70n * 2n + 70n * 3n);
  assert.equal(p.cumulative.get(TEST_TRAINERS[1]!), 30n * 2n + 30n * 3n);
  assert.equal(p.cumulative.get('0x00000000000000000000000000000000000000aa'), 7n * 2n + 7n * 3n);
  assert.equal(p.total, 1010n * 6n + 100n * 5n + 7n * 5n);
  const tree = loadTree(p.tree.dump!);
  const leaf = [TEST_TRAINERS[0]!, (70n * 5n).toString()];
  assert.equal(fold(ozLeaf(leaf[0]!, leaf[1]!), proofOf(tree, leaf, 'trainer')), p.tree.root);
  const zero = sampleTrainingRecord(3);
  zero.trainingSources![0]!.contributor = `0x${'0'.repeat(40)}`;
  assert.throws(() => buildPayouts(new Map(), [zero]), /zero address/);
});

test('version 3: validators are payout leaves like contributors, summed with what they are owed otherwise', () => {
  const v = '0x00000000000000000000000000000000000000b7';
  const r = {
    ...sampleTrainingRecord(0),
    validators: [
      { datanet: 'facts', validator: v as Hex, amount: '40' },
      { datanet: 'other', validator: v as Hex, amount: '2' },
    ],
  };
  const without = buildPayouts(new Map(), [sampleTrainingRecord(0)]);
  const p = buildPayouts(new Map([[v, 100n]]), [r]);
  assert.equal(p.cumulative.get(v), 142n);
  assert.equal(p.total, without.total + 42n);
  const leaf = [v, '142'];
  assert.ok(verifyLeaf(p.tree.root, PAYOUT_LEAF_ENCODING, leaf, proofOf(loadTree(p.tree.dump!), leaf, 'validator')));
});
