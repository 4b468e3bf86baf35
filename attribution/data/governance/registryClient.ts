// DataNetRegistry behind a small interface (the viem edge for DataNet governance). One client per
// acting key: the operator's poster key for rounds, tallies, publishing and relayed challenges; a
// validator's own key for stake / requestUnstake / withdraw; an owner's key for createDataNet.
//
//   deploy(poster?)                                  -> registry address
//   createDataNet(name, metadataHash, params)        DataNetCreated
//   stake(name, wei) / requestUnstake(name, wei) / withdraw(name)
//   openRound(name, docsRoot, n) -> round            RoundOpened (deadline = now + votingPeriod)
//   submitTally(name, round, votesRoot, approved, rejected, ballots)   one tx per round
//   publishVersion(name, version, root, n)           VersionPublished
//   challenge(name, doc, approvers, voteProofs)      ChallengeUpheld + Slashed per approver
//   challengeByQuorum(name, doc, approvers, voteProofs, signatures)   + ChallengedByQuorum(challengers)
//   reads: dataNet, stakeOf, roundOf, versionOf, ballotOf, challenged
// Reverts map to the catalogue by the contract's error name (REVERT_CODES), with the name and its
// arguments in details; unreachable chains become chain_unavailable (settlement's chainError).

import { getAddress, parseEventLogs, type Abi, type TransactionReceipt } from 'viem';
import { AttributionError, LoraledgerError, type ErrorCode } from '../../../common/index.ts';
import { chainError } from '../../settlement/chainClient.ts';
import { contractSession, revertOf } from '../../settlement/contractSession.ts';
import {
  DataNetRegistryAbi as abi,
  DataNetRegistryBytecode as bytecode,
} from '../../settlement/contracts/generated/DataNetRegistry.ts';
import type { Address, Hex } from '../../records/recordTypes.ts';
import { datanetKey } from './governanceTrees.ts';

export type PolicyName = 'owner' | 'validators';

export interface RegistryParams {
  policy: PolicyName;
  quorum: number;
  slashPpm: number;
  /** seconds */
  votingPeriod: number;
  challengeWindow: number;
  unbondingDelay: number;
  /** wei */
  minStake: bigint;
}

export interface OnChainDataNet {
  owner: Address;
  metadataHash: Hex;
  params: RegistryParams;
  rounds: number;
  version: number;
  treasury: bigint;
}

export interface OnChainStake {
  active: bigint;
  unbonding: bigint;
  unbondAt: number;
}

export interface BallotArg {
  voter: Address;
  votesRoot: Hex;
  signature: Hex;
}

export interface ChallengedDocArg {
  docId: Hex;
  contentHash: Hex;
  contributor: Address;
  version: number;
  round: number;
  proof: Hex[];
}

/** A validator's EIP-712 Challenge signature; a quorum challenge lists them in ascending validator order. */
export interface ChallengeSignatureArg {
  validator: Address;
  signature: Hex;
}

export interface RegistryClient {
  readonly account: Address;
  readonly registry: Address | undefined;
  readonly chainId: number;
  deploy(poster?: Address): Promise<Address>;
  hasCode(address: Address): Promise<boolean>;
  createDataNet(name: string, owner: Address, metadataHash: Hex, params: RegistryParams): Promise<TransactionReceipt>;
  stake(name: string, wei: bigint): Promise<TransactionReceipt>;
  requestUnstake(name: string, wei: bigint): Promise<TransactionReceipt>;
  withdraw(name: string): Promise<TransactionReceipt>;
  openRound(
    name: string,
    docsRoot: Hex,
    docCount: number,
  ): Promise<{ round: number; deadline: number; receipt: TransactionReceipt }>;
  submitTally(
    name: string,
    round: number,
    votesRoot: Hex,
    counts: { approved: number; rejected: number },
    ballots: BallotArg[],
  ): Promise<TransactionReceipt>;
  publishVersion(name: string, version: number, root: Hex, docCount: number): Promise<TransactionReceipt>;
  challenge(
    name: string,
    doc: ChallengedDocArg,
    approvers: Address[],
    voteProofs: Hex[][],
  ): Promise<TransactionReceipt>;
  challengeByQuorum(
    name: string,
    doc: ChallengedDocArg,
    approvers: Address[],
    voteProofs: Hex[][],
    signatures: ChallengeSignatureArg[],
  ): Promise<TransactionReceipt>;
  withdrawTreasury(name: string, to: Address): Promise<TransactionReceipt>;
  dataNet(name: string): Promise<OnChainDataNet>;
  stakeOf(name: string, validator: Address): Promise<OnChainStake>;
  roundOf(
    name: string,
    round: number,
  ): Promise<{ docsRoot: Hex; docCount: number; deadline: number; tallied: boolean }>;
  versionOf(name: string, version: number): Promise<{ root: Hex; docCount: number; publishedAt: number }>;
  ballotOf(name: string, round: number, voter: Address): Promise<Hex>;
  challenged(name: string, docId: Hex): Promise<boolean>;
  /** Latest block timestamp (the contract's clock), seconds. */
  now(): Promise<number>;
}

/** The contract's custom errors -> catalogue codes (unlisted: invalid_request). */
export const REVERT_CODES: Record<string, ErrorCode> = {
  UnknownDataNet: 'datanet_not_found',
  NotValidator: 'not_validator',
  StakeBelowMinimum: 'not_validator',
  NotDataNetOwner: 'not_validator',
  NotOwnerOrPoster: 'not_validator',
  ForgedSignature: 'signature_invalid',
  ECDSAInvalidSignature: 'signature_invalid',
  ECDSAInvalidSignatureLength: 'signature_invalid',
  ECDSAInvalidSignatureS: 'signature_invalid',
  DoubleVote: 'governance_rejected',
  VotingClosed: 'governance_rejected',
  AlreadyTallied: 'governance_rejected',
  UnbondingNotOver: 'governance_rejected',
  NothingToWithdraw: 'governance_rejected',
  InsufficientStake: 'governance_rejected',
  ChallengeWindowClosed: 'governance_rejected',
  AlreadyChallenged: 'governance_rejected',
  DuplicateChallenger: 'governance_rejected',
  QuorumNotReached: 'governance_rejected',
  QuorumChallengeUnsupported: 'governance_rejected',
  NotInVersion: 'not_found',
  StaleVersion: 'governance_rejected',
  DataNetExists: 'conflict',
};

const POLICY: Record<PolicyName, number> = { owner: 0, validators: 1 };

const docArg = (doc: ChallengedDocArg) => ({
  ...doc,
  contributor: getAddress(doc.contributor),
  version: BigInt(doc.version),
  round: BigInt(doc.round),
});

/** A revert named by the registry becomes its catalogue code; the rest goes through chainError. */
export function registryError(err: unknown, what: string): LoraledgerError {
  if (err instanceof LoraledgerError) return err;
  const revert = revertOf(err);
  if (revert !== null) {
    const args = revert.args.map((a) => (typeof a === 'bigint' ? a.toString() : a));
    return new AttributionError(
      REVERT_CODES[revert.name] ?? 'invalid_request',
      `${what} was refused by the DataNet registry: ${revert.name}${args.length > 0 ? `(${args.join(', ')})` : ''}`,
      { details: { reason: revert.name, revert: revert.name, args } },
    );
  }
  return chainError(err, what);
}

export function createRegistryClient(opts: {
  rpcUrl: string;
  chainId: number;
  privateKey: Hex;
  registry?: Address;
  timeoutMs?: number;
}): RegistryClient {
  const {
    account,
    address: registry,
    pub,
    guard,
    read,
    write,
    deploy,
    hasCode,
    now,
  } = contractSession({
    rpcUrl: opts.rpcUrl,
    chainId: opts.chainId,
    privateKey: opts.privateKey,
    address: opts.registry,
    timeoutMs: opts.timeoutMs,
    abi: abi as Abi,
    bytecode,
    label: 'DataNet registry',
    revertCode: 'chain_unavailable',
    toError: registryError,
  });
  const key = datanetKey;

  return {
    account: account.address.toLowerCase() as Address,
    registry,
    chainId: opts.chainId,
    deploy: (poster) => deploy([poster ?? account.address]),
    hasCode,
    createDataNet: (name, owner, metadataHash, p) =>
      write(`creating DataNet ${name}`, 'createDataNet', [
        name,
        getAddress(owner),
        metadataHash,
        {
          policy: POLICY[p.policy],
          quorum: p.quorum,
          slashPpm: p.slashPpm,
          votingPeriod: BigInt(p.votingPeriod),
          challengeWindow: BigInt(p.challengeWindow),
          unbondingDelay: BigInt(p.unbondingDelay),
          minStake: p.minStake,
        },
      ]),
    stake: (name, wei) => write(`staking on ${name}`, 'stake', [key(name)], wei),
    requestUnstake: (name, wei) => write(`unstaking from ${name}`, 'requestUnstake', [key(name), wei]),
    withdraw: (name) => write(`withdrawing stake from ${name}`, 'withdraw', [key(name)]),
    openRound: async (name, docsRoot, n) => {
      const receipt = await write(`opening a vote on ${name}`, 'openRound', [key(name), docsRoot, n]);
      const [ev] = parseEventLogs({ abi, eventName: 'RoundOpened', logs: receipt.logs });
      if (!ev) throw new AttributionError('chain_unavailable', `openRound on ${name} emitted no RoundOpened`);
      return { round: Number(ev.args.round), deadline: Number(ev.args.deadline), receipt };
    },
    submitTally: (name, round, root, counts, ballots) =>
      write(`submitting the tally of round ${round} of ${name}`, 'submitTally', [
        key(name),
        BigInt(round),
        root,
        counts.approved,
        counts.rejected,
        ballots.map((b) => ({ voter: getAddress(b.voter), votesRoot: b.votesRoot, signature: b.signature })),
      ]),
    publishVersion: (name, version, root, n) =>
      write(`publishing version ${version} of ${name}`, 'publishVersion', [key(name), BigInt(version), root, n]),
    challenge: (name, doc, approvers, proofs) =>
      write(`challenging document ${doc.docId} of ${name}`, 'challenge', [
        key(name),
        docArg(doc),
        approvers.map((a) => getAddress(a)),
        proofs,
      ]),
    challengeByQuorum: (name, doc, approvers, proofs, signatures) =>
      write(`challenging document ${doc.docId} of ${name} by a quorum`, 'challengeByQuorum', [
        key(name),
        docArg(doc),
        approvers.map((a) => getAddress(a)),
        proofs,
        signatures.map((s) => ({ validator: getAddress(s.validator), signature: s.signature })),
      ]),
    withdrawTreasury: (name, to) =>
      write(`withdrawing the treasury of ${name}`, 'withdrawTreasury', [key(name), getAddress(to)]),
    dataNet: async (name) => {
      const d = await read<{
        owner: Address;
        metadataHash: Hex;
        params: {
          policy: number;
          quorum: number;
          slashPpm: number;
          votingPeriod: bigint;
          challengeWindow: bigint;
          unbondingDelay: bigint;
          minStake: bigint;
        };
        rounds: bigint;
        version: bigint;
        treasury: bigint;
      }>('dataNet', [key(name)]);
      return {
        owner: d.owner.toLowerCase() as Address,
        metadataHash: d.metadataHash,
        params: {
          policy: d.params.policy === 0 ? 'owner' : 'validators',
          quorum: d.params.quorum,
          slashPpm: d.params.slashPpm,
          votingPeriod: Number(d.params.votingPeriod),
          challengeWindow: Number(d.params.challengeWindow),
          unbondingDelay: Number(d.params.unbondingDelay),
          minStake: d.params.minStake,
        },
        rounds: Number(d.rounds),
        version: Number(d.version),
        treasury: d.treasury,
      };
    },
    stakeOf: async (name, v) => {
      const s = await read<{ active: bigint; unbonding: bigint; unbondAt: bigint }>('stakeOf', [
        key(name),
        getAddress(v),
      ]);
      return { active: s.active, unbonding: s.unbonding, unbondAt: Number(s.unbondAt) };
    },
    roundOf: async (name, round) => {
      const r = await read<{ docsRoot: Hex; docCount: number; deadline: bigint; tallied: boolean }>('roundOf', [
        key(name),
        BigInt(round),
      ]);
      return { docsRoot: r.docsRoot, docCount: r.docCount, deadline: Number(r.deadline), tallied: r.tallied };
    },
    versionOf: async (name, version) => {
      const v = await read<{ root: Hex; docCount: number; publishedAt: bigint }>('versionOf', [
        key(name),
        BigInt(version),
      ]);
      return { root: v.root, docCount: v.docCount, publishedAt: Number(v.publishedAt) };
    },
    ballotOf: (name, round, voter) => read<Hex>('ballotOf', [key(name), BigInt(round), getAddress(voter)]),
    challenged: (name, docId) => read<boolean>('challenged', [key(name), docId]),
    now,
  };
}
