// A challenge by a quorum of staked validators on a REAL anvil (docs/datanets.md#challenges): each
// validator signs EIP-712 Challenge(datanet, docId, version) with its own key (the CLI's
// sign-challenge), anyone submits the quorum's signatures (quorum-challenge). Every bad input is
// refused by the API and, sent straight to the contract, by DataNetRegistry.challengeByQuorum, with
// no state change. Expected stakes, treasury and reputations are hand-computed (slash_ppm
// arithmetic; docs/datanets.md#reputation: contributor (A+2)/(A+R+3U+4), validator
// (agree+2)/(agree+disagree+3·overturned+4)); stakes and events are read back with viem.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEther, type Hex } from 'viem';
import { DataNetRegistryAbi, datanetKey, ballotTree, signChallenge } from '../attribution/index.ts';
import { runDatanetCli } from '../attribution/cli/datanetCli.ts';
import {
  CONTRIBUTOR_KEY,
  OWNER_KEY,
  STRANGER_KEY,
  VALIDATOR_KEYS,
  addressOf,
  admin,
  errorOf,
  expectError,
  startGovernanceHarness,
  type GovernanceHarness,
} from './support/governanceHarness.ts';

const NET = 'quorum-net';
const [K0, K1, K2, K3] = VALIDATOR_KEYS as [Hex, Hex, Hex, Hex];
const [V0, V1, V2, V3] = VALIDATOR_KEYS.map(addressOf) as [Hex, Hex, Hex, Hex];
const contributor = addressOf(CONTRIBUTOR_KEY);
const sorted = <T extends string>(xs: T[]) => [...xs].sort();

let h: GovernanceHarness;
let dir: string;
before(async () => {
  h = await startGovernanceHarness();
  dir = mkdtempSync(join(tmpdir(), 'quorum-challenge-'));
});
after(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** {validator, signature} of `key` over Challenge(datanet, docId, version). */
const sig = async (key: Hex, docId: Hex, version: number, datanet = NET) => ({
  validator: addressOf(key),
  signature: await signChallenge(key, h.gov.domain, { datanet: datanetKey(datanet), docId, version }),
});
const sigs = (keys: Hex[], docId: Hex, version: number) => Promise.all(keys.map((k) => sig(k, docId, version)));
const challengeUrl = (docId: Hex) => `/v1/datanets/${NET}/documents/${docId}/quorum-challenge`;

/** The contract's arguments for a quorum challenge of `docId` in `version`, bypassing the API's checks. */
function chainArgs(docId: Hex, version: number) {
  const doc = h.store.getDocument(docId);
  const round = h.state.roundOfDoc(docId)!;
  let proof: Hex[] = [];
  try {
    proof = h.gov.proof(NET, docId, version).proof;
  } catch {
    // not in that version: an empty proof, for the contract to refuse
  }
  const approvers = h.state.ballots(NET, round).filter((b) => b.votes.some((v) => v.docId === docId && v.approve));
  return {
    doc: { docId, contentHash: doc.contentHash, contributor: doc.contributor, version, round, proof },
    approvers: approvers.map((a) => a.voter),
    voteProofs: approvers.map((a) => ballotTree(a.votes).getProof([docId, true]) as Hex[]),
  };
}
const onChain = async (docId: Hex, version: number, signatures: Array<{ validator: Hex; signature: Hex }>) => {
  const a = chainArgs(docId, version);
  return errorOf(h.poster.challengeByQuorum(NET, a.doc, a.approvers, a.voteProofs, signatures));
};

/** Everything a refused challenge must leave as it was. */
async function snapshot(docIds: Hex[]) {
  return {
    stakes: await Promise.all([V0, V1, V2, V3].map((v) => h.poster.stakeOf(NET, v))),
    treasury: (await h.poster.dataNet(NET)).treasury,
    challenged: await Promise.all(docIds.map((d) => h.poster.challenged(NET, d))),
    states: docIds.map((d) => h.store.getDocument(d).state),
    version: (await h.poster.dataNet(NET)).version,
    challenges: h.gov.challenges(NET).length,
  };
}

test('a quorum of staked validators challenges an approved document: exact slashing, treasury, reputations, event; every bad input refused with no state change', async () => {
  // --- validators policy, quorum 2, min stake 1 ETH; V0..V2 stake 2 ETH, V3 only 0.5 ETH ---
  const create = {
    id: NET,
    owner: addressOf(OWNER_KEY),
    policy: 'validators',
    quorum: 2,
    slash_ppm: 200_000,
    voting_period: 3600,
    challenge_window: 3600,
    unbonding_delay: 600,
    min_stake: parseEther('1').toString(),
  };
  assert.equal((await h.post('/v1/datanets', await h.signed(OWNER_KEY, 'create', NET, create))).statusCode, 200);
  for (const v of h.asValidator.slice(0, 3)) await v.stake(NET, parseEther('2'));
  await h.asValidator[3]!.stake(NET, parseEther('0.5'));
  const ids: Hex[] = [];
  for (const text of ['quorum fact zero', 'quorum fact one', 'quorum fact two']) {
    const r = await h.post(
      `/v1/datanets/${NET}/documents`,
      await h.signed(CONTRIBUTOR_KEY, 'submit', NET, { text, contributor }),
    );
    assert.equal(r.statusCode, 200, r.body);
    ids.push(r.json().doc_id);
  }
  const [d0, d1, d2] = ids as [Hex, Hex, Hex];
  const round = (await h.post(`/v1/datanets/${NET}/rounds`, {}, admin)).json().round as number;
  // V0 approves all three; V1 and V2 approve d0 and d1 and reject d2 -> d0, d1 approved; d2 rejected
  for (const [key, approveD2] of [
    [K0, true],
    [K1, false],
    [K2, false],
  ] as const) {
    const b = await h.ballot(key, NET, round, [
      { doc_id: d0, approve: true },
      { doc_id: d1, approve: true },
      { doc_id: d2, approve: approveD2 },
    ]);
    assert.equal((await h.post(`/v1/datanets/${NET}/rounds/${round}/ballots`, b)).statusCode, 200);
  }
  const tally = await h.post(`/v1/datanets/${NET}/rounds/${round}/tally`, {}, admin);
  assert.deepEqual(tally.json().approved, [d0, d1]);
  assert.equal(tally.json().version.version, 1);
  assert.equal(h.gov.reputationPpm(contributor, NET), Math.round(1e6 * (4 / 7)), 'A=2 R=1: 4/7');

  // the registry publishes the Challenge type validators sign
  assert.deepEqual((await h.get('/v1/datanet-registry')).json().eip712.types.Challenge, [
    { name: 'datanet', type: 'bytes32' },
    { name: 'docId', type: 'bytes32' },
    { name: 'version', type: 'uint64' },
  ]);

  // --- refused, in the API and on chain, with no state change ---
  const untouched = await snapshot(ids);
  const quorum = await sigs([K0, K2], d0, 1);
  const api = (body: unknown, docId: Hex = d0) => h.post(challengeUrl(docId), body);
  // below quorum: one validator
  expectError(
    await api({ version: 1, signatures: [quorum[0]] }),
    409,
    'governance_rejected',
    /1 validator signed the challenge; DataNet quorum-net needs a quorum of 2/,
  );
  assert.match(await onChain(d0, 1, [quorum[0]!]), /^governance_rejected .*QuorumNotReached\(1, 2\)/);
  // forged: V0's signature presented as V1's
  const forged = { validator: V1, signature: quorum[0]!.signature };
  expectError(
    await api({ version: 1, signatures: [quorum[1], forged] }),
    401,
    'signature_invalid',
    new RegExp(`signatures\\[1\\]\\.signature recovers to ${V0}, not to the validator ${V1}`),
  );
  assert.match(await onChain(d0, 1, bySigner([quorum[1]!, forged])), /^signature_invalid .*ForgedSignature/);
  // signatures for another document, another version, another DataNet
  for (const other of [await sig(K1, d1, 1), await sig(K1, d0, 2), await sig(K1, d0, 1, 'another-net')]) {
    expectError(
      await api({ version: 1, signatures: [quorum[0], other] }),
      401,
      'signature_invalid',
      /recovers to .*, not to the validator .*: it must sign Challenge\(quorum-net, .*, version 1\)/,
    );
    assert.match(await onChain(d0, 1, bySigner([quorum[0]!, other])), /^signature_invalid .*ForgedSignature/);
  }
  // the same validator twice
  expectError(
    await api({ version: 1, signatures: [quorum[0], quorum[0]] }),
    409,
    'governance_rejected',
    /signed the challenge twice/,
  );
  assert.match(await onChain(d0, 1, [quorum[0]!, quorum[0]!]), /^governance_rejected .*DuplicateChallenger/);
  // a non-validator, an under-staked validator
  const stranger = await sig(STRANGER_KEY, d0, 1);
  expectError(
    await api({ version: 1, signatures: [quorum[0], stranger] }),
    403,
    'not_validator',
    /has no active stake on DataNet quorum-net: not a validator/,
  );
  assert.match(await onChain(d0, 1, bySigner([quorum[0]!, stranger])), /^not_validator .*NotValidator/);
  const small = await sig(K3, d0, 1);
  expectError(
    await api({ version: 1, signatures: [quorum[0], small] }),
    403,
    'not_validator',
    /stakes 500000000000000000 wei on quorum-net, below the minimum 1000000000000000000/,
  );
  assert.match(await onChain(d0, 1, bySigner([quorum[0]!, small])), /^not_validator .*StakeBelowMinimum/);
  // a document that was not approved in that version (d2 was rejected)
  expectError(
    await api({ version: 1, signatures: await sigs([K0, K2], d2, 1) }, d2),
    400,
    'invalid_request',
    /is not an approved document of quorum-net/,
  );
  assert.match(await onChain(d2, 1, bySigner(await sigs([K0, K2], d2, 1))), /^not_found .*NotInVersion/);
  // a version that was never published
  expectError(
    await api({ version: 7, signatures: await sigs([K0, K2], d0, 7) }),
    404,
    'not_found',
    /no published version 7/,
  );
  // an approver listed twice would be slashed twice: the contract wants approvers strictly ascending
  const a0 = chainArgs(d0, 1);
  const twice = [a0.approvers[0]!, a0.approvers[0]!];
  const twiceProofs = [a0.voteProofs[0]!, a0.voteProofs[0]!];
  assert.match(
    await errorOf(h.poster.challengeByQuorum(NET, a0.doc, twice, twiceProofs, bySigner(quorum))),
    /ApproversNotAscending/,
  );
  assert.match(await errorOf(h.poster.challenge(NET, a0.doc, twice, twiceProofs)), /ApproversNotAscending/);
  // a malformed body, too many signatures
  expectError(await api({ version: 1 }), 400, 'invalid_request', /signatures/);
  expectError(
    await api({ version: 1, signatures: Array.from({ length: 1001 }, () => quorum[0]) }),
    400,
    'invalid_request',
    /signatures/,
  );
  assert.deepEqual(await snapshot(ids), untouched, 'no refused challenge changed anything');

  // --- the owner policy has no quorum: refused in the API and on chain ---
  const owned = 'owned-q';
  const ownedBody = { id: owned, owner: addressOf(OWNER_KEY), policy: 'owner', voting_period: 3600 };
  assert.equal((await h.post('/v1/datanets', await h.signed(OWNER_KEY, 'create', owned, ownedBody))).statusCode, 200);
  const od = (
    await h.post(
      `/v1/datanets/${owned}/documents`,
      await h.signed(CONTRIBUTOR_KEY, 'submit', owned, { text: 'owned fact', contributor }),
    )
  ).json().doc_id as Hex;
  const oround = (await h.post(`/v1/datanets/${owned}/rounds`, {}, admin)).json().round as number;
  await h.post(
    `/v1/datanets/${owned}/rounds/${oround}/ballots`,
    await h.ballot(OWNER_KEY, owned, oround, [{ doc_id: od, approve: true }]),
  );
  assert.equal((await h.post(`/v1/datanets/${owned}/rounds/${oround}/tally`, {}, admin)).statusCode, 200);
  await h.asValidator[0]!.stake(owned, parseEther('1'));
  await h.asValidator[1]!.stake(owned, parseEther('1'));
  const ownedSigs = await Promise.all(
    [K0, K1].map(async (k) => ({
      validator: addressOf(k),
      signature: await signChallenge(k, h.gov.domain, { datanet: datanetKey(owned), docId: od, version: 1 }),
    })),
  );
  expectError(
    await h.post(`/v1/datanets/${owned}/documents/${od}/quorum-challenge`, { version: 1, signatures: ownedSigs }),
    409,
    'governance_rejected',
    /is under the owner policy: no validator votes there, so no quorum can challenge/,
  );
  const odoc = h.store.getDocument(od);
  assert.match(
    await errorOf(
      h.poster.challengeByQuorum(
        owned,
        { ...odoc, version: 1, round: oround, proof: h.gov.proof(owned, od, 1).proof },
        [],
        [],
        bySigner(ownedSigs),
      ),
    ),
    /^governance_rejected .*QuorumChallengeUnsupported/,
  );
  assert.equal(h.store.getDocument(od).state, 'approved');

  // --- upheld: V0 and V2 sign with the CLI, anyone submits ---
  const server = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const cli = (...args: string[]) => runDatanetCli([...args, '--server', server, '--datanet', NET]);
  const files: string[] = [];
  for (const [i, key] of [K2, K0].entries()) {
    const part = (await cli('sign-challenge', '--doc', d0, '--key', key)) as { version: number; validator: string };
    assert.equal(part.version, 1, 'the latest version holding the document');
    files.push(join(dir, `sig${i}.json`));
    writeFileSync(files[i]!, JSON.stringify(part));
  }
  const c = (await cli('quorum-challenge', '--doc', d0, '--signatures', files.join(','))) as {
    by: string;
    challengers: string[];
    slashed: Array<{ validator: string; amount: string }>;
    republished: { version: number };
  };
  assert.equal(c.by, 'quorum');
  assert.deepEqual(c.challengers, sorted([V0, V2]));
  const slash = (parseEther('2') * 200_000n) / 1_000_000n; // 0.4 ETH each
  assert.deepEqual(
    c.slashed,
    sorted([V0, V1, V2]).map((validator) => ({ validator, amount: slash.toString() })),
  );
  for (const v of [V0, V1, V2]) {
    const s = (await h.pub.readContract({
      address: h.registry,
      abi: DataNetRegistryAbi,
      functionName: 'stakeOf',
      args: [datanetKey(NET), v],
    })) as { active: bigint; unbonding: bigint };
    assert.equal(s.active, parseEther('1.6'), `${v} keeps 2 - 2*200000/1e6 ETH`);
  }
  assert.equal((await h.poster.stakeOf(NET, V3)).active, parseEther('0.5'), 'a non-approver is not slashed');
  assert.equal((await h.poster.dataNet(NET)).treasury, 3n * slash, 'the treasury grows by the sum');
  const events = await h.pub.getContractEvents({
    address: h.registry,
    abi: DataNetRegistryAbi,
    eventName: 'ChallengedByQuorum',
    fromBlock: 0n,
  });
  assert.equal(events.length, 1);
  const ev = events[0]!.args as { docId: Hex; version: bigint; challengers: Hex[] };
  assert.equal(ev.docId, d0);
  assert.equal(ev.version, 1n);
  assert.deepEqual(
    ev.challengers.map((a) => a.toLowerCase()),
    sorted([V0, V2]),
  );
  assert.equal(await h.poster.challenged(NET, d0), true);
  assert.equal(h.store.getDocument(d0).state, 'rejected');
  assert.equal(c.republished.version, 2);
  expectError(await h.get(`/v1/datanets/${NET}/documents/${d0}/proof`), 404, 'not_found', /is not in version 2/);
  const listed = (await h.get(`/v1/datanets/${NET}/challenges`)).json().data;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].by, 'quorum');
  assert.deepEqual(listed[0].challengers, sorted([V0, V2]));
  // reputations fall: contributor A=1 R=1 U=1 -> 3/9; V0 agree 1 (d1) disagree 1 (d2) overturned 1 -> 3/9;
  // V1 and V2 agree 2 (d1, d2) overturned 1 -> 4/9 (before: V0 4/7, V1 and V2 5/7)
  assert.equal(h.gov.reputationPpm(contributor, NET), Math.round(1e6 * (3 / 9)));
  const reps = new Map(
    (
      (await h.get(`/v1/datanets/${NET}/validators`)).json().data as Array<{
        validator: string;
        reputation_ppm: number;
      }>
    ).map((v) => [v.validator, v.reputation_ppm]),
  );
  assert.deepEqual(
    [reps.get(V0), reps.get(V1), reps.get(V2)],
    [Math.round(1e6 * (3 / 9)), Math.round(1e6 * (4 / 9)), Math.round(1e6 * (4 / 9))],
  );

  // --- an overturned document cannot be challenged again; a challenge after the window is refused ---
  const after = await snapshot(ids);
  expectError(await api({ version: 1, signatures: quorum }), 409, 'governance_rejected', /already overturned/);
  assert.match(await onChain(d0, 1, bySigner(quorum)), /^governance_rejected .*AlreadyChallenged/);
  await h.advance(3601);
  const late = await sigs([K1, K2], d1, 2);
  expectError(
    await api({ version: 2, signatures: late }, d1),
    409,
    'governance_rejected',
    /version 2 of quorum-net was published at \d+; its 3600 s challenge window closed/,
  );
  assert.match(await onChain(d1, 2, bySigner(late)), /^governance_rejected .*ChallengeWindowClosed/);
  assert.deepEqual(await snapshot(ids), after, 'no refused challenge changed anything');
});

/** Ascending signer order, as the contract takes them. */
function bySigner<T extends { validator: string }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (a.validator < b.validator ? -1 : 1));
}
