// Merkle trees of a settlement epoch (pure: @openzeppelin/merkle-tree, no viem, no I/O).
//
// Records tree   leaf_encoding ['bytes32','bytes32'] = [recordId, EIP-712 digest of the record]
// Payout tree    leaf_encoding ['address','uint256'] = [account, CUMULATIVE amount owed up to and
//                including this epoch] (1inch CumulativeMerkleDrop: a claim pays cumulative - claimed)
//
// StandardMerkleTree leaf = keccak256(keccak256(abi.encode(values))) and inner nodes hash the
// sorted pair, which is what the contract's OpenZeppelin MerkleProof.verify recomputes.
// An empty tree has root 0x00..00 (no leaves: nothing to prove, nothing to claim).

import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AttributionError } from '../../common/index.ts';
import { PAYOUT_LEAF_ENCODING, RECORD_LEAF_ENCODING, ZERO_ADDRESS } from '../records/recordTypes.ts';
import type { AttributionRecord, Hex } from '../records/recordTypes.ts';

export const ZERO_ROOT: Hex = `0x${'0'.repeat(64)}`;

/** [recordId, digest] */
export type RecordLeaf = [Hex, Hex];
/** [account (lowercase), cumulative amount (decimal string)] */
export type PayoutLeaf = [string, string];

/** JSON dump of a StandardMerkleTree (stored in the outbox per epoch). */
export type TreeDump = ReturnType<StandardMerkleTree<any[]>['dump']>;

export interface BuiltTree {
  root: Hex;
  /** null for an empty tree */
  dump: TreeDump | null;
}

function build(values: unknown[][], encoding: readonly string[]): BuiltTree {
  if (values.length === 0) return { root: ZERO_ROOT, dump: null };
  const tree = StandardMerkleTree.of(values, [...encoding]);
  return { root: tree.root as Hex, dump: tree.dump() };
}

/** Records tree of one epoch. */
export function buildRecordsTree(leaves: RecordLeaf[]): BuiltTree {
  return build(
    leaves.map((l) => [l[0].toLowerCase(), l[1].toLowerCase()]),
    RECORD_LEAF_ENCODING,
  );
}

/** A tree loaded from its dump (hash lookups are O(1) after the O(n) load). */
export type LoadedTree = StandardMerkleTree<unknown[]>;

export function loadTree(dump: TreeDump): LoadedTree {
  return StandardMerkleTree.load(dump as never);
}

/** Proof of `leaf` (exact values, addresses/hex lowercase); throws record_not_found when absent. */
export function proofOf(tree: LoadedTree, leaf: unknown[], what: string): Hex[] {
  try {
    return tree.getProof(leaf) as Hex[];
  } catch (cause) {
    throw new AttributionError('record_not_found', `${what} is not in the epoch's Merkle tree`, { cause });
  }
}

/** StandardMerkleTree.verify with the library's own rules (what an outsider runs). */
export function verifyLeaf(root: Hex, encoding: readonly string[], leaf: unknown[], proof: Hex[]): boolean {
  return StandardMerkleTree.verify(root, [...encoding], leaf, proof);
}

/** Cumulative amounts per lowercase account, from a payout tree dump (empty map for null). */
export function payoutsFromDump(dump: TreeDump | null): Map<string, bigint> {
  const out = new Map<string, bigint>();
  if (dump === null) return out;
  for (const { value } of dump.values) out.set(String(value[0]).toLowerCase(), BigInt(String(value[1])));
  return out;
}

/**
 * What each record pays: sources[i].amount to contributor, trainingSources[i].amount to its
 * contributor (version 2: training contributors are payout leaves like data contributors), and
 * adapterAmount to adapterOwner.
 */
export function addRecordPayouts(into: Map<string, bigint>, record: AttributionRecord): bigint {
  let total = 0n;
  const add = (account: string, amount: bigint): void => {
    if (amount === 0n) return;
    const a = account.toLowerCase();
    if (a === ZERO_ADDRESS) {
      throw new AttributionError('record_invalid', `record ${record.recordId} pays ${amount} to the zero address`);
    }
    into.set(a, (into.get(a) ?? 0n) + amount);
    total += amount;
  };
  for (const s of record.sources) add(s.contributor, BigInt(s.amount));
  for (const t of record.trainingSources ?? []) add(t.contributor, BigInt(t.amount));
  for (const v of record.validators ?? []) add(v.validator, BigInt(v.amount)); // version 3: DataNet validators
  add(record.adapterOwner, BigInt(record.adapterAmount));
  return total;
}

export interface EpochPayouts {
  /** cumulative per account after this epoch */
  cumulative: Map<string, bigint>;
  /** new money this epoch = sum(cumulative) - sum(previous cumulative) */
  total: bigint;
  tree: BuiltTree;
}

/** Previous cumulative amounts + this epoch's records -> the new cumulative payout tree. */
export function buildPayouts(previous: Map<string, bigint>, records: AttributionRecord[]): EpochPayouts {
  const cumulative = new Map(previous);
  let total = 0n;
  for (const r of records) total += addRecordPayouts(cumulative, r);
  const leaves = [...cumulative.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, v]) => [a, v.toString()]);
  return { cumulative, total, tree: build(leaves, PAYOUT_LEAF_ENCODING) };
}
