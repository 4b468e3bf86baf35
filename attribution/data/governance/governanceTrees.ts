// Merkle trees and EIP-712 typed data of DataNet governance (the viem edge for governance
// signatures; trees with @openzeppelin/merkle-tree, the same leaves DataNetRegistry.sol checks).
//
//   datanet key    = keccak256(utf8(name))                                        (bytes32, the contract's id)
//   version tree   leaf ['bytes32','bytes32','address'] = [doc_id, content_hash, contributor]   every approved doc
//   ballot tree    leaf ['bytes32','bool']              = [doc_id, approve]        one voter's votes in a round
//   votes tree     leaf ['address','bytes32','bool']    = [voter, doc_id, approve] every vote of a round (the tally's root)
//   Ballot         EIP-712 Ballot(bytes32 datanet,uint64 round,bytes32 votesRoot) under
//                  {name: 'loraledger-datanets', version: '1', chainId, verifyingContract: registry}
//   Challenge      EIP-712 Challenge(bytes32 datanet,bytes32 docId,uint64 version): a validator's part of a
//                  challenge by a quorum (same domain)
//   DataNetRequest EIP-712 DataNetRequest(address actor,string action,string datanet,bytes32 body,uint64 expires):
//                  a role's signed API request (owner, contributor, validator); body = keccak256(utf8(canonical JSON))
// Leaf values are lowercase hex, so a proof built here is found by value and verifies on chain.

import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { getAddress, hashTypedData, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { RequestError } from '../../../common/index.ts';
import { keccak256 } from '../../records/keccak256.ts';
import type { Address, Hex } from '../../records/recordTypes.ts';

export const VERSION_LEAF_ENCODING = ['bytes32', 'bytes32', 'address'] as const;
export const BALLOT_LEAF_ENCODING = ['bytes32', 'bool'] as const;
export const VOTES_LEAF_ENCODING = ['address', 'bytes32', 'bool'] as const;

export interface RegistryDomain {
  name: 'loraledger-datanets';
  version: '1';
  chainId: number;
  verifyingContract: Address;
}

export const BALLOT_TYPES = {
  Ballot: [
    { name: 'datanet', type: 'bytes32' },
    { name: 'round', type: 'uint64' },
    { name: 'votesRoot', type: 'bytes32' },
  ],
} as const;

export const CHALLENGE_TYPES = {
  Challenge: [
    { name: 'datanet', type: 'bytes32' },
    { name: 'docId', type: 'bytes32' },
    { name: 'version', type: 'uint64' },
  ],
} as const;

export const REQUEST_TYPES = {
  DataNetRequest: [
    { name: 'actor', type: 'address' },
    { name: 'action', type: 'string' },
    { name: 'datanet', type: 'string' },
    { name: 'body', type: 'bytes32' },
    { name: 'expires', type: 'uint64' },
  ],
} as const;

export function registryDomain(chainId: number, registry: Address): RegistryDomain {
  return { name: 'loraledger-datanets', version: '1', chainId, verifyingContract: getAddress(registry) };
}

/** The contract's id of DataNet `name`. */
export function datanetKey(name: string): Hex {
  return keccak256(name);
}

export interface VersionDoc {
  docId: Hex;
  contentHash: Hex;
  contributor: Address;
}
export interface Vote {
  docId: Hex;
  approve: boolean;
}

const lower = (h: string): Hex => h.toLowerCase() as Hex;
export const versionLeaf = (d: VersionDoc): [Hex, Hex, Hex] => [
  lower(d.docId),
  lower(d.contentHash),
  lower(d.contributor),
];
export const ballotLeaf = (v: Vote): [Hex, boolean] => [lower(v.docId), v.approve];

/** Tree over the given documents (sorted by doc_id, so the same set gives the same root). */
export function versionTree(docs: readonly VersionDoc[]): StandardMerkleTree<[Hex, Hex, Hex]> {
  const leaves = docs.map(versionLeaf).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return StandardMerkleTree.of(leaves, [...VERSION_LEAF_ENCODING]);
}

/** One voter's ballot tree (its root is what the voter signs). */
export function ballotTree(votes: readonly Vote[]): StandardMerkleTree<[Hex, boolean]> {
  return StandardMerkleTree.of(
    votes.map(ballotLeaf).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    [...BALLOT_LEAF_ENCODING],
  );
}

/** Every vote of a round: the root the tally posts. */
export function votesRoot(votes: ReadonlyArray<Vote & { voter: Address }>): Hex {
  const leaves = votes
    .map((v): [Hex, Hex, boolean] => [lower(v.voter), lower(v.docId), v.approve])
    .sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
  return StandardMerkleTree.of(leaves, [...VOTES_LEAF_ENCODING]).root as Hex;
}

export interface BallotMessage {
  datanet: Hex;
  round: number;
  votesRoot: Hex;
}

const ballotTyped = (domain: RegistryDomain, m: BallotMessage) => ({
  domain,
  types: BALLOT_TYPES,
  primaryType: 'Ballot' as const,
  message: { datanet: m.datanet, round: BigInt(m.round), votesRoot: m.votesRoot },
});

export function ballotDigest(domain: RegistryDomain, m: BallotMessage): Hex {
  return hashTypedData(ballotTyped(domain, m));
}

/** A voter signs its ballot with its own key (CLI / tests; the server never holds it). */
export function signBallot(privateKey: Hex, domain: RegistryDomain, m: BallotMessage): Promise<Hex> {
  return privateKeyToAccount(privateKey).signTypedData(ballotTyped(domain, m));
}

/** The (lowercase) address that signed typed data; signature_invalid naming `what` when the signature is malformed. */
async function recoverSigner(
  typed: Parameters<typeof recoverTypedDataAddress>[0],
  what: string,
  param = 'signature',
): Promise<Address> {
  try {
    return (await recoverTypedDataAddress(typed)).toLowerCase() as Address;
  } catch (cause) {
    throw new RequestError('signature_invalid', `the ${what} signature is malformed`, { param, cause });
  }
}

/** The address that signed the ballot; signature_invalid when the signature is malformed. */
export function recoverBallotSigner(domain: RegistryDomain, m: BallotMessage, signature: Hex): Promise<Address> {
  return recoverSigner({ ...ballotTyped(domain, m), signature }, 'ballot');
}

/** What a validator signs to join a challenge by a quorum of document `docId` in `version`. */
export interface ChallengeMessage {
  datanet: Hex;
  docId: Hex;
  version: number;
}

const challengeTyped = (domain: RegistryDomain, m: ChallengeMessage) => ({
  domain,
  types: CHALLENGE_TYPES,
  primaryType: 'Challenge' as const,
  message: { datanet: m.datanet, docId: m.docId, version: BigInt(m.version) },
});

export function challengeDigest(domain: RegistryDomain, m: ChallengeMessage): Hex {
  return hashTypedData(challengeTyped(domain, m));
}

/** A validator signs its part of a quorum challenge with its own key (CLI / tests; the server never holds it). */
export function signChallenge(privateKey: Hex, domain: RegistryDomain, m: ChallengeMessage): Promise<Hex> {
  return privateKeyToAccount(privateKey).signTypedData(challengeTyped(domain, m));
}

export function recoverChallengeSigner(
  domain: RegistryDomain,
  m: ChallengeMessage,
  signature: Hex,
  param?: string,
): Promise<Address> {
  return recoverSigner({ ...challengeTyped(domain, m), signature }, 'challenge', param);
}

export interface RequestMessage {
  actor: Address;
  action: string;
  datanet: string;
  /** keccak256 of the canonical JSON of the request's payload */
  body: Hex;
  /** Unix seconds after which the signature is refused. */
  expires: number;
}

const requestTyped = (domain: RegistryDomain, m: RequestMessage) => ({
  domain,
  types: REQUEST_TYPES,
  primaryType: 'DataNetRequest' as const,
  message: { ...m, actor: getAddress(m.actor), expires: BigInt(m.expires) },
});

/** keccak256(utf8(JSON with sorted keys)) of a request payload. */
export function bodyHash(payload: unknown): Hex {
  return keccak256(canonicalJson(payload));
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function signRequest(privateKey: Hex, domain: RegistryDomain, m: RequestMessage): Promise<Hex> {
  return privateKeyToAccount(privateKey).signTypedData(requestTyped(domain, m));
}

export function requestDigest(domain: RegistryDomain, m: RequestMessage): Hex {
  return hashTypedData(requestTyped(domain, m));
}

export function recoverRequestSigner(domain: RegistryDomain, m: RequestMessage, signature: Hex): Promise<Address> {
  return recoverSigner({ ...requestTyped(domain, m), signature }, 'request');
}
