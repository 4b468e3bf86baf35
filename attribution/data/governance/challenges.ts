// Challenges of approved documents (docs/datanets.md#challenges), by the DataNet's owner or by a
// quorum of its staked validators. Both share one upheld path, as on chain (DataNetRegistry._uphold):
//
//   target(datanet, doc_id, version?)   an approved document of the DataNet, not overturned before, in
//                                       `version` (default: the latest), inside that version's window
//   quorum(signatures)                  (quorum only) each EIP-712 Challenge(datanet, docId, version)
//                                       recovers to its validator; no validator twice; each has active
//                                       stake >= min_stake; at least `quorum` of them; policy validators
//   uphold                              approvers = ballots of the doc's round approving it (ascending
//                                       voter), each with its ballot-tree proof; ONE transaction
//                                       (challenge | challengeByQuorum); stakes read before / after
//                                       -> slashed amounts; doc -> rejected; ChallengeRow {by, challengers};
//                                       the next version published without the document
// Every check runs here before the transaction, so a refused challenge changes nothing; the contract
// checks the same rules again.

import { AttributionError, RequestError } from '../../../common/index.ts';
import { normaliseAddress } from '../../records/address.ts';
import type { Address, Hex } from '../../records/recordTypes.ts';
import type { DatanetStore } from '../datanetStore.ts';
import type { DataNetGovernance } from './governance.ts';
import type { GovernanceStore, GovernedDatanet, VersionRow } from './governanceStore.ts';
import { ballotTree, datanetKey, recoverChallengeSigner, type RegistryDomain } from './governanceTrees.ts';
import type { ChallengedDocArg, ChallengeSignatureArg, RegistryClient } from './registryClient.ts';

export interface ChallengeDeps {
  store: DatanetStore;
  state: GovernanceStore;
  registry: RegistryClient;
  domain: RegistryDomain;
  gov: DataNetGovernance;
}

/** A validator's part of a challenge by a quorum: its EIP-712 Challenge signature. */
export interface QuorumSignature {
  validator: string;
  signature: string;
}

export interface ChallengeResult {
  docId: Hex;
  version: number;
  by: 'owner' | 'quorum';
  challengers: Address[];
  slashed: Array<{ validator: Address; amount: string }>;
  republished: VersionRow | null;
}

/** Most signatures a quorum challenge carries (the largest quorum a DataNet may set). */
export const MAX_SIGNATURES = 1000;

const rejected = (reason: string, message: string, param?: string): never => {
  throw new AttributionError('governance_rejected', message, { param, details: { reason } });
};

interface Target {
  g: GovernedDatanet;
  doc: ChallengedDocArg;
}

/** The document to challenge, proved in `version` (default: the latest), its window still open. */
async function target(o: ChallengeDeps, datanet: string, docId: string, version?: number): Promise<Target> {
  const g = o.gov.rules(datanet);
  const doc = o.store.getDocument(docId);
  if (doc.datanet === datanet && o.state.challenges(datanet).some((c) => c.docId === doc.docId))
    rejected(
      'already_challenged',
      `document ${doc.docId} of ${datanet} was already overturned by a challenge`,
      'doc_id',
    );
  if (doc.datanet !== datanet || doc.state !== 'approved')
    throw new RequestError('invalid_request', `document ${docId} is not an approved document of ${datanet}`, {
      param: 'doc_id',
    });
  const p = o.gov.proof(datanet, docId, version);
  const now = await o.registry.now();
  const { publishedAt } = await o.registry.versionOf(datanet, p.version);
  if (now > publishedAt + g.challengeWindow)
    rejected(
      'challenge_window_closed',
      `version ${p.version} of ${datanet} was published at ${publishedAt}; its ${g.challengeWindow} s challenge window closed`,
      version === undefined ? 'doc_id' : 'version',
    );
  const round = o.state.roundOfDoc(doc.docId)!;
  return {
    g,
    doc: {
      docId: doc.docId,
      contentHash: doc.contentHash,
      contributor: doc.contributor,
      version: p.version,
      round,
      proof: p.proof,
    },
  };
}

/** The quorum's signatures, checked and in ascending validator order (as the contract wants them). */
async function quorum(
  o: ChallengeDeps,
  t: Target,
  signatures: readonly QuorumSignature[] | undefined,
): Promise<ChallengeSignatureArg[]> {
  const { g, doc } = t;
  if (g.policy !== 'validators')
    rejected(
      'owner_policy',
      `DataNet ${g.datanet} is under the owner policy: no validator votes there, so no quorum can challenge; its owner challenges`,
      'datanet',
    );
  if (!Array.isArray(signatures) || signatures.length === 0 || signatures.length > MAX_SIGNATURES)
    throw new RequestError(
      'invalid_request',
      `signatures must be a list of 1 to ${MAX_SIGNATURES} {validator, signature}`,
      { param: 'signatures' },
    );
  const message = { datanet: datanetKey(g.datanet), docId: doc.docId, version: doc.version };
  const seen = new Set<Address>();
  const out: ChallengeSignatureArg[] = [];
  for (const [i, s] of signatures.entries()) {
    const param = `signatures[${i}]`;
    const validator = normaliseAddress((s as QuorumSignature | null)?.validator, `${param}.validator`);
    if (typeof s.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(s.signature))
      throw new RequestError('signature_invalid', `${param}.signature must be a 65-byte hex EIP-712 signature`, {
        param: `${param}.signature`,
      });
    const signer = await recoverChallengeSigner(o.domain, message, s.signature as Hex, `${param}.signature`);
    if (signer !== validator)
      throw new RequestError(
        'signature_invalid',
        `${param}.signature recovers to ${signer}, not to the validator ${validator}: it must sign Challenge(${g.datanet}, ${doc.docId}, version ${doc.version})`,
        { param: `${param}.signature` },
      );
    if (seen.has(validator))
      rejected('duplicate_challenger', `${param}: ${validator} signed the challenge twice`, `${param}.validator`);
    seen.add(validator);
    await o.gov.requireValidator(g, validator, `${param}.validator`);
    out.push({ validator, signature: s.signature as Hex });
  }
  if (out.length < g.quorum)
    rejected(
      'quorum_not_reached',
      `${out.length} validator${out.length === 1 ? '' : 's'} signed the challenge; DataNet ${g.datanet} needs a quorum of ${g.quorum}`,
      'signatures',
    );
  return out.sort((a, b) => (a.validator < b.validator ? -1 : 1));
}

/** The shared upheld path: one transaction, then the off-chain effects. */
async function uphold(
  o: ChallengeDeps,
  t: Target,
  by: 'owner' | 'quorum',
  challengers: Address[],
  send: (approvers: Address[], voteProofs: Hex[][]) => Promise<{ transactionHash: Hex }>,
): Promise<ChallengeResult> {
  const { g, doc } = t;
  const datanet = g.datanet;
  // ballots come ordered by voter (lowercase hex), the ascending order the contract checks
  const approvers = o.state
    .ballots(datanet, doc.round)
    .filter((b) => b.votes.some((x) => x.docId === doc.docId && x.approve));
  const stakes = () => Promise.all(approvers.map((a) => o.registry.stakeOf(datanet, a.voter)));
  const before = await stakes();
  const receipt = await send(
    approvers.map((a) => a.voter),
    approvers.map((a) => ballotTree(a.votes).getProof([doc.docId, true]) as Hex[]),
  );
  const after = await stakes();
  const slashed = approvers.map((a, i) => ({
    validator: a.voter,
    amount: (before[i]!.active + before[i]!.unbonding - after[i]!.active - after[i]!.unbonding).toString(),
  }));
  o.store.setStates(datanet, [{ docId: doc.docId, state: 'rejected' }]);
  o.state.putChallenge({
    datanet,
    docId: doc.docId,
    version: doc.version,
    round: doc.round,
    by,
    challengers,
    slashed,
    txHash: receipt.transactionHash,
  });
  const latest = o.state.version(datanet)!.version;
  const republished = o.store.allDocuments(datanet).length > 0 ? await o.gov.publish(datanet, latest + 1) : null;
  return { docId: doc.docId, version: doc.version, by, challengers, slashed, republished };
}

/** The owner's challenge (its signed request is checked by the caller) of a document in the latest version. */
export async function ownerChallenge(o: ChallengeDeps, datanet: string, docId: string): Promise<ChallengeResult> {
  const t = await target(o, datanet, docId);
  return uphold(o, t, 'owner', [t.g.owner], (approvers, proofs) =>
    o.registry.challenge(datanet, t.doc, approvers, proofs),
  );
}

/** A challenge by a quorum of validators, each signing Challenge(datanet, docId, version). */
export async function quorumChallenge(
  o: ChallengeDeps,
  datanet: string,
  docId: string,
  input: { version: number; signatures: readonly QuorumSignature[] },
): Promise<ChallengeResult> {
  const t = await target(o, datanet, docId, input.version);
  const signatures = await quorum(o, t, input.signatures);
  return uphold(
    o,
    t,
    'quorum',
    signatures.map((s) => s.validator),
    (approvers, proofs) => o.registry.challengeByQuorum(datanet, t.doc, approvers, proofs, signatures),
  );
}
