// DataNet governance: the roles' actions, checked off chain first (a refused action changes
// nothing, here or on chain) and then carried to DataNetRegistry by the operator's poster key.
//
//   create(owner-signed)    registry.createDataNet(name, owner, ...) ; store.createDatanet(governed)
//   submit(contributor-signed)  store.addDocument -> pending
//   openRound(owner-signed | operator)   pending docs not yet voted -> docsRoot -> registry.openRound
//   vote(ballot signed by the voter)     votes [{doc_id, approve}] of one round; ballot root signed (EIP-712)
//   tally(owner-signed | operator)       approve count >= quorum -> approved, else rejected;
//                                        registry.submitTally(every ballot, one tx); states; publish
//   publish(owner-signed | operator)     version = latest + 1: root over every approved document
//   challenge(owner-signed)              proofs of the doc in its version and of each approval
//                                        -> registry.challenge (slashes) ; doc rejected ; republish
//   challengeByQuorum(validator-signed)  >= quorum staked validators' EIP-712 Challenge signatures
//                                        -> registry.challengeByQuorum ; the same effects (challenges.ts)
//   proof / contributors / validators    reads
// Signed requests: EIP-712 DataNetRequest by the acting address (governanceTrees.ts); each is
// used once (its digest is stored) and refused after `expires`.

import { AttributionError, RequestError } from '../../../common/index.ts';
import { normaliseAddress } from '../../records/address.ts';
import { loadTree } from '../../settlement/merkle.ts';
import type { Address, Hex } from '../../records/recordTypes.ts';
import type { DataDocument, DatanetStore, DocumentFormat } from '../datanetStore.ts';
import type { ContributorReputation } from '../../scoring/trainingShares.ts';
import type { ChallengeRow, GovernanceStore, GovernedDatanet, VersionRow } from './governanceStore.ts';
import { ownerChallenge, quorumChallenge, type ChallengeResult, type QuorumSignature } from './challenges.ts';
import type { PolicyName, RegistryClient } from './registryClient.ts';
import {
  ballotTree,
  bodyHash,
  datanetKey,
  recoverBallotSigner,
  recoverRequestSigner,
  requestDigest,
  versionLeaf,
  versionTree,
  votesRoot,
  type RegistryDomain,
} from './governanceTrees.ts';
import { contributorReputationPpm, validatorReputationPpm } from './reputation.ts';
import { keccak256 } from '../../records/keccak256.ts';

/** The signature fields of a role's request. */
export interface SignedRequest {
  actor: string;
  /** Unix seconds. */
  expires: number;
  signature: string;
}

export interface CreateInput {
  id: string;
  title?: string;
  owner: string;
  policy: PolicyName;
  quorum?: number;
  slashPpm?: number;
  votingPeriod?: number;
  challengeWindow?: number;
  unbondingDelay?: number;
  /** wei, decimal string */
  minStake?: string;
  format?: DocumentFormat;
  /** purpose, format and standards: hashed into metadataHash */
  metadata?: Record<string, unknown>;
}

export interface BallotInput {
  round: number;
  voter: string;
  votes: Array<{ doc_id: string; approve: boolean }>;
  signature: string;
}

export const DEFAULTS = {
  votingPeriod: 86_400,
  challengeWindow: 7 * 86_400,
  unbondingDelay: 7 * 86_400,
  slashPpm: 100_000,
};
/** Longest a signed request may stay valid, seconds. */
export const MAX_REQUEST_LIFETIME = 3600;

const rejected = (reason: string, message: string, param?: string): never => {
  throw new AttributionError('governance_rejected', message, { param, details: { reason } });
};

export class DataNetGovernance implements ContributorReputation {
  constructor(
    private readonly o: {
      store: DatanetStore;
      state: GovernanceStore;
      registry: RegistryClient;
      domain: RegistryDomain;
    },
  ) {}

  get domain(): RegistryDomain {
    return this.o.domain;
  }

  /** The chain's clock (latest block timestamp), seconds: what `expires` and deadlines are measured by. */
  now(): Promise<number> {
    return this.o.registry.now();
  }

  /** The governed DataNet's rules; datanet_not_found / invalid_request for an open DataNet. */
  rules(datanet: string): GovernedDatanet {
    this.o.store.getDatanet(datanet);
    const g = this.o.state.governed(datanet);
    if (g === null)
      throw new RequestError(
        'invalid_request',
        `DataNet ${datanet} is open (no owner or validators): it has no governance`,
        {
          param: 'datanet',
        },
      );
    return g;
  }

  /** Checks a role's signed request and returns the acting address (lowercase). */
  async authorize(
    action: string,
    datanet: string,
    payload: unknown,
    sig: SignedRequest | undefined,
    expected?: { address: string; role: string },
  ): Promise<Address> {
    if (
      sig === undefined ||
      typeof sig !== 'object' ||
      typeof sig.signature !== 'string' ||
      !/^0x[0-9a-fA-F]{130}$/.test(sig.signature)
    )
      throw new RequestError(
        'signature_invalid',
        `${action} needs an EIP-712 signed request: actor, expires and signature (65 bytes hex)`,
        {
          param: 'signature',
        },
      );
    const actor = normaliseAddress(sig.actor, 'actor');
    const now = await this.o.registry.now();
    if (!Number.isSafeInteger(sig.expires) || sig.expires < now || sig.expires > now + MAX_REQUEST_LIFETIME)
      throw new RequestError(
        'signature_invalid',
        `the signed request expires at ${sig.expires}; it must lie within ${MAX_REQUEST_LIFETIME} s after now (${now})`,
        {
          param: 'expires',
        },
      );
    const message = { actor, action, datanet, body: bodyHash(payload), expires: sig.expires };
    const signer = await recoverRequestSigner(this.o.domain, message, sig.signature as Hex);
    if (signer !== actor)
      throw new RequestError(
        'signature_invalid',
        `the request signature recovers to ${signer}, not to the actor ${actor}`,
        {
          param: 'signature',
        },
      );
    if (expected !== undefined && actor !== expected.address.toLowerCase())
      throw new AttributionError(
        'not_validator',
        `${action} on DataNet ${datanet} is for its ${expected.role} ${expected.address}, not ${actor}`,
        {
          param: 'actor',
          details: { reason: `not_${expected.role}` },
        },
      );
    if (!this.o.state.useRequest(requestDigest(this.o.domain, message), sig.expires))
      throw new RequestError('signature_invalid', 'this signed request was already used', { param: 'signature' });
    return actor;
  }

  /** `signed`: the payload the owner signed (the HTTP body without its signature fields); default `input`. */
  async create(input: CreateInput, sig: SignedRequest | undefined, signed: unknown = input): Promise<GovernedDatanet> {
    const owner = normaliseAddress(input.owner, 'owner');
    const policy = input.policy;
    if (policy !== 'owner' && policy !== 'validators')
      throw new RequestError('invalid_request', 'policy must be "owner" or "validators"', { param: 'policy' });
    const int = (v: unknown, name: string, min: number, max: number, def: number): number => {
      const x = v ?? def;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max)
        throw new RequestError('invalid_request', `${name} must be an integer in [${min}, ${max}]`, { param: name });
      return x;
    };
    const minStake = input.minStake ?? '0';
    if (typeof minStake !== 'string' || !/^(0|[1-9]\d{0,40})$/.test(minStake))
      throw new RequestError('invalid_request', 'min_stake must be a decimal string of wei', { param: 'min_stake' });
    const g: GovernedDatanet = {
      datanet: input.id,
      owner,
      policy,
      quorum: policy === 'owner' ? int(input.quorum, 'quorum', 1, 1, 1) : int(input.quorum, 'quorum', 1, 1000, 2),
      slashPpm: int(input.slashPpm, 'slash_ppm', 0, 1_000_000, DEFAULTS.slashPpm),
      votingPeriod: int(input.votingPeriod, 'voting_period', 1, 365 * 86_400, DEFAULTS.votingPeriod),
      challengeWindow: int(input.challengeWindow, 'challenge_window', 0, 365 * 86_400, DEFAULTS.challengeWindow),
      unbondingDelay: int(input.unbondingDelay, 'unbonding_delay', 0, 365 * 86_400, DEFAULTS.unbondingDelay),
      minStake: BigInt(minStake),
      metadataHash: keccak256(JSON.stringify(input.metadata ?? {})),
    };
    await this.authorize('create', input.id, signed, sig, { address: owner, role: 'owner' });
    const title = input.title ?? input.id;
    // validate the off-chain half first, so a bad id or format changes nothing on chain
    this.o.store.checkNewDatanet({ id: input.id, title });
    await this.o.registry.createDataNet(input.id, owner, g.metadataHash, g);
    this.o.state.transaction(() => {
      this.o.store.createDatanet({ id: input.id, title, governed: true, format: input.format ?? null });
      this.o.state.putGoverned(g);
    });
    return g;
  }

  async submit(
    input: { datanet: string; text: unknown; contributor: unknown; metadata?: unknown },
    sig: SignedRequest | undefined,
  ): Promise<DataDocument> {
    this.rules(input.datanet);
    const contributor = normaliseAddress(input.contributor, 'contributor');
    const { datanet: _d, ...payload } = input;
    await this.authorize('submit', input.datanet, payload, sig, { address: contributor, role: 'contributor' });
    return this.o.store.addDocument(input);
  }

  /** Puts every pending document not yet voted on to a vote (one transaction). */
  async openRound(datanet: string): Promise<{ round: number; deadline: number; docIds: Hex[] }> {
    this.rules(datanet);
    const docs = this.o.store
      .documentsInState(datanet, 'pending')
      .filter((d) => this.o.state.roundOfDoc(d.docId) === null);
    if (docs.length === 0) rejected('nothing_pending', `DataNet ${datanet} has no pending document outside a round`);
    const tree = versionTree(docs);
    const { round, deadline } = await this.o.registry.openRound(datanet, tree.root as Hex, docs.length);
    const docIds = docs.map((d) => d.docId);
    this.o.state.putRound({ datanet, round, deadline, docIds, tallied: false });
    return { round, deadline, docIds };
  }

  /** Checks and stores one voter's signed ballot for a round. */
  async vote(datanet: string, b: BallotInput): Promise<{ round: number; voter: Address; votesRoot: Hex }> {
    const g = this.rules(datanet);
    if (typeof b !== 'object' || b === null)
      throw new RequestError('invalid_request', 'the ballot must be an object', { param: 'body' });
    const voter = normaliseAddress(b.voter, 'voter');
    const round = this.o.state.round(datanet, b.round);
    if (round === null)
      throw new RequestError('invalid_request', `DataNet ${datanet} has no round ${String(b.round)}`, {
        param: 'round',
      });
    if (round.tallied) rejected('voting_closed', `round ${round.round} of ${datanet} is already tallied`, 'round');
    const now = await this.o.registry.now();
    if (now > round.deadline)
      rejected(
        'voting_closed',
        `round ${round.round} of ${datanet} closed at ${round.deadline} (now ${now}): the vote is too late`,
        'round',
      );
    if (!Array.isArray(b.votes) || b.votes.length === 0)
      throw new RequestError('invalid_request', 'votes must be a non-empty list of {doc_id, approve}', {
        param: 'votes',
      });
    const inRound = new Set(round.docIds);
    const seen = new Set<string>();
    const votes = b.votes.map((v, i) => {
      const docId = typeof v?.doc_id === 'string' ? v.doc_id.toLowerCase() : '';
      if (!inRound.has(docId as Hex))
        throw new RequestError('invalid_request', `votes[${i}].doc_id is not a document of round ${round.round}`, {
          param: `votes[${i}].doc_id`,
        });
      if (seen.has(docId))
        rejected('double_vote', `votes[${i}] votes twice on document ${docId}`, `votes[${i}].doc_id`);
      seen.add(docId);
      if (typeof v.approve !== 'boolean')
        throw new RequestError('invalid_request', `votes[${i}].approve must be true or false`, {
          param: `votes[${i}].approve`,
        });
      return { docId: docId as Hex, approve: v.approve };
    });
    const root = ballotTree(votes).root as Hex;
    const signer = await recoverBallotSigner(
      this.o.domain,
      { datanet: datanetKey(datanet), round: round.round, votesRoot: root },
      b.signature as Hex,
    );
    if (signer !== voter)
      throw new RequestError(
        'signature_invalid',
        `the ballot signature recovers to ${signer}, not to the voter ${voter}`,
        { param: 'signature' },
      );
    if (g.policy === 'owner') {
      if (voter !== g.owner)
        throw new AttributionError(
          'not_validator',
          `DataNet ${datanet} is approved by its owner ${g.owner} alone; ${voter} cannot vote`,
          {
            param: 'voter',
            details: { reason: 'not_owner' },
          },
        );
    } else await this.requireValidator(g, voter, 'voter');
    if (this.o.state.ballots(datanet, round.round).some((x) => x.voter === voter))
      rejected('double_vote', `${voter} already voted in round ${round.round} of ${datanet}`, 'voter');
    this.o.state.putBallot(datanet, round.round, { voter, votesRoot: root, signature: b.signature as Hex, votes });
    return { round: round.round, voter, votesRoot: root };
  }

  /** Counts a round (one transaction), applies the decisions, and publishes the next version. */
  async tally(
    datanet: string,
    roundNo: number,
  ): Promise<{ round: number; approved: Hex[]; rejected: Hex[]; version: VersionRow }> {
    const g = this.rules(datanet);
    const round = this.o.state.round(datanet, roundNo);
    if (round === null)
      throw new RequestError('invalid_request', `DataNet ${datanet} has no round ${roundNo}`, { param: 'round' });
    if (round.tallied) rejected('already_tallied', `round ${roundNo} of ${datanet} is already tallied`, 'round');
    const ballots = this.o.state.ballots(datanet, roundNo);
    if (ballots.length === 0) rejected('no_ballots', `round ${roundNo} of ${datanet} has no ballot yet`, 'round');
    const approvals = new Map<string, number>();
    for (const b of ballots)
      for (const v of b.votes) if (v.approve) approvals.set(v.docId, (approvals.get(v.docId) ?? 0) + 1);
    const approved = round.docIds.filter((d) => (approvals.get(d) ?? 0) >= g.quorum);
    const rejectedDocs = round.docIds.filter((d) => (approvals.get(d) ?? 0) < g.quorum);
    const allVotes = ballots.flatMap((b) => b.votes.map((v) => ({ ...v, voter: b.voter })));
    await this.o.registry.submitTally(
      datanet,
      roundNo,
      votesRoot(allVotes),
      { approved: approved.length, rejected: rejectedDocs.length },
      ballots,
    );
    this.o.state.markTallied(datanet, roundNo);
    this.o.store.setStates(datanet, [
      ...approved.map((docId) => ({ docId, state: 'approved' as const })),
      ...rejectedDocs.map((docId) => ({ docId, state: 'rejected' as const })),
    ]);
    const version = await this.publish(datanet, (this.o.state.version(datanet)?.version ?? 0) + 1);
    return { round: roundNo, approved, rejected: rejectedDocs, version };
  }

  /** Publishes `version` (must be the latest + 1) over every approved document. */
  async publish(datanet: string, version: number): Promise<VersionRow> {
    this.rules(datanet);
    const latest = this.o.state.version(datanet)?.version ?? 0;
    if (version !== latest + 1)
      rejected(
        'stale_version',
        `DataNet ${datanet} is at version ${latest}; the next version is ${latest + 1}, not ${version}`,
        'version',
      );
    const docs = this.o.store.allDocuments(datanet);
    if (docs.length === 0) rejected('nothing_approved', `DataNet ${datanet} has no approved document to publish`);
    const tree = versionTree(docs);
    await this.o.registry.publishVersion(datanet, version, tree.root as Hex, docs.length);
    const row: VersionRow = {
      datanet,
      version,
      root: tree.root as Hex,
      docCount: docs.length,
      dump: tree.dump(),
      published: await this.o.registry.now(),
    };
    this.o.state.putVersion(row);
    return row;
  }

  /** {version, root, leaf, proof} of an approved document in a version (default: the latest). */
  proof(
    datanet: string,
    docId: string,
    version?: number,
  ): { version: number; root: Hex; leaf: [Hex, Hex, Hex]; proof: Hex[] } {
    this.rules(datanet);
    const doc = this.o.store.getDocument(docId);
    if (doc.datanet !== datanet)
      throw new RequestError('not_found', `document ${docId} is not in DataNet ${datanet}`, { param: 'doc_id' });
    const v = this.o.state.version(datanet, version);
    if (v === null)
      throw new RequestError(
        'not_found',
        `DataNet ${datanet} has no published version${version === undefined ? '' : ` ${version}`}`,
        { param: 'version' },
      );
    const leaf = versionLeaf(doc);
    try {
      return { version: v.version, root: v.root, leaf, proof: loadTree(v.dump).getProof(leaf) as Hex[] };
    } catch {
      throw new RequestError(
        'not_found',
        `document ${docId} (${doc.state}) is not in version ${v.version} of ${datanet}`,
        { param: 'doc_id' },
      );
    }
  }

  /** The owner's challenge of an approved document; slashes every validator that approved it (challenges.ts). */
  challenge(datanet: string, docId: string): Promise<ChallengeResult> {
    return ownerChallenge({ ...this.o, gov: this }, datanet, docId);
  }

  /** A challenge by a quorum of staked validators, each signing EIP-712 Challenge(datanet, docId, version). */
  challengeByQuorum(
    datanet: string,
    docId: string,
    input: { version: number; signatures: readonly QuorumSignature[] },
  ): Promise<ChallengeResult> {
    return quorumChallenge({ ...this.o, gov: this }, datanet, docId, input);
  }

  /** Upheld challenges of a DataNet, oldest first. */
  challenges(datanet: string): ChallengeRow[] {
    this.rules(datanet);
    return this.o.state.challenges(datanet);
  }

  /**
   * Refuses (not_validator) an address that may not vote under the validators policy: no active
   * stake on the DataNet (read from the chain), or less than min_stake. The rule a ballot and a
   * quorum challenge's signer are counted by.
   */
  async requireValidator(g: GovernedDatanet, address: Address, param: string): Promise<void> {
    const stake = await this.o.registry.stakeOf(g.datanet, address);
    if (stake.active === 0n)
      throw new AttributionError(
        'not_validator',
        `${address} has no active stake on DataNet ${g.datanet}: not a validator`,
        {
          param,
          details: { reason: 'not_staked' },
        },
      );
    if (stake.active < g.minStake)
      throw new AttributionError(
        'not_validator',
        `${address} stakes ${stake.active} wei on ${g.datanet}, below the minimum ${g.minStake} to vote`,
        {
          param,
          details: { reason: 'stake_below_minimum' },
        },
      );
  }

  /** Per contributor: document counts by state and reputation (docs/datanets.md#reputation; 1e6 in open DataNets). */
  contributors(datanet: string): Array<{
    contributor: Address;
    approved: number;
    rejected: number;
    pending: number;
    overturned: number;
    reputationPpm: number;
  }> {
    this.o.store.getDatanet(datanet);
    const open = this.o.state.governed(datanet) === null; // reputation 1 in open DataNets, as attribution uses it
    const overturned = new Set(this.o.state.challenges(datanet).map((c) => c.docId));
    const by = new Map<Address, { approved: number; rejected: number; pending: number; overturned: number }>();
    for (const state of ['approved', 'rejected', 'pending'] as const)
      for (const d of this.o.store.documentsInState(datanet, state)) {
        const t = by.get(d.contributor) ?? { approved: 0, rejected: 0, pending: 0, overturned: 0 };
        if (state === 'rejected' && overturned.has(d.docId)) t.overturned++;
        else t[state]++;
        by.set(d.contributor, t);
      }
    return [...by.entries()]
      .map(([contributor, t]) => ({ contributor, ...t, reputationPpm: open ? 1_000_000 : contributorReputationPpm(t) }))
      .sort((a, b) => (a.contributor < b.contributor ? -1 : 1));
  }

  /** Per voter: votes that agreed with the final outcome, against it, approvals overturned, and reputation. */
  validators(datanet: string): Array<{
    validator: Address;
    votes: number;
    agreed: number;
    disagreed: number;
    overturned: number;
    reputationPpm: number;
  }> {
    this.rules(datanet);
    const overturned = new Set(this.o.state.challenges(datanet).map((c) => c.docId));
    const by = new Map<Address, { votes: number; agreed: number; disagreed: number; overturned: number }>();
    for (const b of this.o.state.ballots(datanet)) {
      const t = by.get(b.voter) ?? { votes: 0, agreed: 0, disagreed: 0, overturned: 0 };
      for (const v of b.votes) {
        const state = this.o.store.getDocument(v.docId).state;
        if (state === 'pending') continue;
        t.votes++;
        if (overturned.has(v.docId)) v.approve ? t.overturned++ : t.agreed++;
        else if (v.approve === (state === 'approved')) t.agreed++;
        else t.disagreed++;
      }
      by.set(b.voter, t);
    }
    return [...by.entries()]
      .map(([validator, t]) => ({ validator, ...t, reputationPpm: validatorReputationPpm(t) }))
      .sort((a, b) => (a.validator < b.validator ? -1 : 1));
  }

  /**
   * The documents of a published version that are still approved (an overturned one is never
   * trained on), in the version's leaf order; not_found for an unpublished version, invalid_request
   * for an open DataNet (both naming training_data.versions).
   */
  versionDocuments(datanet: string, version: number): DataDocument[] {
    this.o.store.getDatanet(datanet); // datanet_not_found
    if (this.o.state.governed(datanet) === null)
      throw new RequestError(
        'invalid_request',
        `DataNet ${datanet} is open (no owner or validators), so it has no published versions: train on it without training_data.versions`,
        { param: 'training_data.versions' },
      );
    const v = this.o.state.version(datanet, version);
    if (v === null)
      throw new RequestError('not_found', `DataNet ${datanet} has no published version ${version}`, {
        param: 'training_data.versions',
      });
    return v.dump.values
      .map(({ value }) => this.o.store.getDocument(String(value[0])))
      .filter((d) => d.state === 'approved');
  }

  /**
   * Active stakes (read from the chain) of each governed DataNet's validators: every address whose
   * ballot was counted there. Open DataNets have none. Feeds the validators' fee pool.
   */
  async validatorStakes(datanets: string[]): Promise<Map<string, Array<{ validator: string; stake: bigint }>>> {
    const out = new Map<string, Array<{ validator: string; stake: bigint }>>();
    for (const d of datanets) {
      const g = this.o.state.governed(d);
      if (g === null || g.policy !== 'validators') continue;
      const voters = [...new Set(this.o.state.ballots(d).map((b) => b.voter))].sort();
      const stakes = await Promise.all(voters.map((v) => this.o.registry.stakeOf(d, v)));
      out.set(
        d,
        voters.map((validator, i) => ({ validator, stake: stakes[i]!.active })),
      );
    }
    return out;
  }

  /** The latest published version (null: none yet). */
  latestVersion(datanet: string): { version: number; root: Hex; documents: number; published: number } | null {
    const v = this.o.state.version(datanet);
    return v === null ? null : { version: v.version, root: v.root, documents: v.docCount, published: v.published };
  }

  /** validators() with each voter's stake read from the chain. */
  async validatorsWithStake(datanet: string) {
    const list = this.validators(datanet);
    const stakes = await Promise.all(list.map((v) => this.o.registry.stakeOf(datanet, v.validator)));
    return list.map((v, i) => ({ ...v, stake: stakes[i]! }));
  }

  /** ContributorReputation: governed DataNets' formula; 1 in open DataNets and outside DataNets. */
  reputationPpm(contributor: string, datanet: string | null): number {
    if (datanet === null || this.o.state.governed(datanet) === null) return 1_000_000;
    const c = contributor.toLowerCase();
    return (
      this.contributors(datanet).find((x) => x.contributor === c)?.reputationPpm ??
      contributorReputationPpm({ approved: 0, rejected: 0, overturned: 0 })
    );
  }
}
