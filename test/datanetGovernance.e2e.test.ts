// DataNet governance on a REAL anvil: the DataNetRegistry contract, the governance service and its
// HTTP routes (Fastify inject), the DataNet store and the BM25 retriever. Roles sign with their own
// keys (EIP-712); the server relays with the poster key; validators stake with their own keys.
// Expected values are hand-computed (stake arithmetic, the reputation formula of docs/datanets.md)
// and proofs are checked with @openzeppelin/merkle-tree against the root read back with viem.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { parseEther, type Hex, type PublicClient } from 'viem';
import {
  DataNetGovernance,
  DataNetRegistryAbi,
  DatanetStore,
  GovernanceStore,
  Retriever,
  datanetKey,
  ballotTree,
  type RegistryClient,
} from '../attribution/index.ts';
import type { AnvilNode } from '../attribution/settlement/anvilNode.ts';
import { runDatanetCli } from '../attribution/cli/datanetCli.ts';
import {
  CONTRIBUTOR_KEY,
  OWNER_KEY,
  STRANGER_KEY,
  VALIDATOR_KEYS as ALL_VALIDATOR_KEYS,
  addressOf,
  admin,
  errorOf as revertOf,
  expectError,
  startGovernanceHarness,
  type GovernanceHarness,
} from './support/governanceHarness.ts';

const VALIDATOR_KEYS = ALL_VALIDATOR_KEYS.slice(0, 3);
const owner = addressOf(OWNER_KEY);
const contributor = addressOf(CONTRIBUTOR_KEY);
const validators = VALIDATOR_KEYS.map(addressOf);

let h: GovernanceHarness;
let anvil: AnvilNode;
let app: FastifyInstance;
let store: DatanetStore;
let state: GovernanceStore;
let gov: DataNetGovernance;
let poster: RegistryClient;
let registry: Hex;
let asValidator: RegistryClient[];
let pub: PublicClient;
const advance = (s: number) => h.advance(s);
const signed = (...a: Parameters<GovernanceHarness['signed']>) => h.signed(...a);
const ballot = (...a: Parameters<GovernanceHarness['ballot']>) => h.ballot(...a);
const post = (...a: Parameters<GovernanceHarness['post']>) => h.post(...a);
const get = (url: string) => h.get(url);

before(async () => {
  h = await startGovernanceHarness();
  ({ anvil, app, store, state, gov, poster, registry, pub } = h);
  asValidator = h.asValidator.slice(0, 3);
});
after(async () => {
  await h?.close();
});

const TEXTS = Array.from(
  { length: 10 },
  (_, i) => `fact number ${i}: the ${['red', 'blue'][i % 2]} river ${i} flows north`,
);

test('validators policy: 3 validators stake, 10 documents, 8 approved / 2 rejected by signed ballots in one tally, the version root on chain, proofs verify, rejected never retrieved or trained on; a challenge slashes slash_ppm; bad input refused', async () => {
  // --- the owner creates the DataNet (signed request, no admin key) ---
  const createBody = {
    id: 'facts',
    owner,
    policy: 'validators',
    quorum: 2,
    slash_ppm: 250_000,
    voting_period: 3600,
    challenge_window: 3600,
    unbonding_delay: 600,
    min_stake: parseEther('1').toString(),
    format: { max_chars: 200 },
    metadata: { purpose: 'river facts', format: 'one sentence' },
  };
  expectError(await post('/v1/datanets', createBody), 401, 'signature_invalid', /needs an EIP-712 signed request/);
  expectError(
    await post('/v1/datanets', await signed(STRANGER_KEY, 'create', 'facts', createBody)),
    403,
    'not_validator',
    /for its owner/,
  );
  const created = await post('/v1/datanets', await signed(OWNER_KEY, 'create', 'facts', createBody));
  assert.equal(created.statusCode, 200, created.body);
  assert.equal(created.json().governed, true);
  const onChain = await poster.dataNet('facts');
  assert.equal(onChain.owner, owner);
  assert.equal(onChain.params.slashPpm, 250_000);

  // --- 3 validators stake 2 ETH each with their own keys ---
  for (const v of asValidator) await v.stake('facts', parseEther('2'));

  // --- a contributor submits 10 documents (signed); one outside the declared format is refused ---
  const docIds: Hex[] = [];
  for (const text of TEXTS) {
    const r = await post(
      '/v1/datanets/facts/documents',
      await signed(CONTRIBUTOR_KEY, 'submit', 'facts', { text, contributor }),
    );
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().state, 'pending');
    docIds.push(r.json().doc_id);
  }
  expectError(
    await post(
      '/v1/datanets/facts/documents',
      await signed(CONTRIBUTOR_KEY, 'submit', 'facts', { text: 'x'.repeat(201), contributor }),
    ),
    400,
    'invalid_request',
    /longer than DataNet facts's declared format allows \(200\)/,
  );
  expectError(
    await post('/v1/datanets/facts/documents', {
      ...(await signed(CONTRIBUTOR_KEY, 'submit', 'facts', { text: 'forged', contributor: validators[0] })),
    }),
    403,
    'not_validator',
    /for its contributor/,
  );
  assert.equal(store.getDatanet('facts').documents, 10);
  const pending = await get('/v1/datanets/facts/documents?state=pending');
  assert.equal(pending.json().data.length, 10);

  // --- one round, one ballot per validator ---
  const opened = await post('/v1/datanets/facts/rounds', {}, admin);
  assert.equal(opened.statusCode, 200, opened.body);
  const round = opened.json().round as number;
  assert.deepEqual(opened.json().doc_ids, docIds);
  const votes = (approveAll: boolean) => docIds.map((d, i) => ({ doc_id: d, approve: approveAll || i < 8 }));
  const ballots = [
    await ballot(VALIDATOR_KEYS[0]!, 'facts', round, votes(false)),
    await ballot(VALIDATOR_KEYS[1]!, 'facts', round, votes(false)),
    await ballot(VALIDATOR_KEYS[2]!, 'facts', round, votes(true)),
  ];
  // bad ballots first: a non-validator, a forged signature
  expectError(
    await post(`/v1/datanets/facts/rounds/${round}/ballots`, await ballot(STRANGER_KEY, 'facts', round, votes(false))),
    403,
    'not_validator',
    /no active stake on DataNet facts: not a validator/,
  );
  expectError(
    await post(`/v1/datanets/facts/rounds/${round}/ballots`, { ...ballots[0], voter: validators[1] }),
    401,
    'signature_invalid',
    /recovers to .*, not to the voter/,
  );
  for (const b of ballots) {
    const r = await post(`/v1/datanets/facts/rounds/${round}/ballots`, b);
    assert.equal(r.statusCode, 200, r.body);
  }
  expectError(
    await post(`/v1/datanets/facts/rounds/${round}/ballots`, ballots[0]),
    409,
    'governance_rejected',
    /already voted/,
  );

  // --- the tally: one transaction; then the version ---
  const tally = await post(`/v1/datanets/facts/rounds/${round}/tally`, {}, admin);
  assert.equal(tally.statusCode, 200, tally.body);
  assert.deepEqual(tally.json().approved, docIds.slice(0, 8));
  assert.deepEqual(tally.json().rejected, docIds.slice(8));
  assert.equal(tally.json().version.version, 1);
  const v1 = (await pub.readContract({
    address: registry,
    abi: DataNetRegistryAbi,
    functionName: 'versionOf',
    args: [datanetKey('facts'), 1n],
  })) as { root: Hex; docCount: number };
  assert.equal(v1.root, tally.json().version.root);
  assert.equal(v1.docCount, 8);
  for (const [i, d] of docIds.entries()) {
    const r = await get(`/v1/datanets/facts/documents/${d}/proof`);
    if (i >= 8) {
      expectError(r, 404, 'not_found', /\(rejected\) is not in version 1/);
      continue;
    }
    const p = r.json() as { root: Hex; leaf: [Hex, Hex, Hex]; proof: Hex[] };
    assert.equal(p.leaf[0], d);
    assert.equal(p.leaf[2], contributor);
    assert.ok(StandardMerkleTree.verify(v1.root, ['bytes32', 'bytes32', 'address'], p.leaf, p.proof), `doc ${i}`);
  }
  // rejected: never retrieved (BM25 over the DataNet) and never training data (allDocuments)
  const retriever = new Retriever(store);
  for (const i of [8, 9]) {
    const hits = await retriever.retrieve({ datanets: ['facts'], query: TEXTS[i]!, topK: 16 });
    assert.ok(hits.length > 0);
    assert.ok(!hits.some((h) => h.docId === docIds[i]), `rejected doc ${i} retrieved`);
  }
  assert.deepEqual(
    store.allDocuments('facts').map((d) => d.docId),
    docIds.slice(0, 8),
  );

  // --- reputation before the challenge (hand-computed from the formula: (A+2)/(A+R+3U+4)) ---
  assert.deepEqual((await get('/v1/datanets/facts/contributors')).json().data, [
    { contributor, approved: 8, rejected: 2, pending: 0, overturned: 0, reputation_ppm: Math.round(1e6 * (10 / 14)) },
  ]);
  const repBefore = (await get('/v1/datanets/facts/validators')).json().data as Array<{
    validator: string;
    reputation_ppm: number;
  }>;
  assert.deepEqual(
    repBefore.map((v) => [v.validator, v.reputation_ppm]),
    [
      [validators[0], Math.round(1e6 * (12 / 14))],
      [validators[1], Math.round(1e6 * (12 / 14))],
      [validators[2], Math.round(1e6 * (10 / 14))],
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
  );

  // --- the owner challenges approved doc 0 inside the window: each approver loses exactly 25% ---
  expectError(
    await post(
      `/v1/datanets/facts/documents/${docIds[0]}/challenge`,
      await signed(STRANGER_KEY, 'challenge', 'facts', { doc_id: docIds[0] }),
    ),
    403,
    'not_validator',
    /for its owner/,
  );
  const before = await Promise.all(validators.map((v) => poster.stakeOf('facts', v)));
  const ch = await post(
    `/v1/datanets/facts/documents/${docIds[0]}/challenge`,
    await signed(OWNER_KEY, 'challenge', 'facts', { doc_id: docIds[0] }),
  );
  assert.equal(ch.statusCode, 200, ch.body);
  for (const [i, v] of validators.entries()) {
    const s = (await pub.readContract({
      address: registry,
      abi: DataNetRegistryAbi,
      functionName: 'stakeOf',
      args: [datanetKey('facts'), v],
    })) as { active: bigint };
    assert.equal(before[i]!.active, parseEther('2'));
    assert.equal(s.active, parseEther('1.5'), `validator ${i} keeps 2 - 2*250000/1e6 ETH`);
  }
  assert.equal((await poster.dataNet('facts')).treasury, parseEther('1.5'));
  assert.equal(ch.json().republished.version, 2);
  assert.equal(store.getDocument(docIds[0]!).state, 'rejected');
  const hits0 = await retriever.retrieve({ datanets: ['facts'], query: TEXTS[0]!, topK: 16 });
  assert.ok(!hits0.some((h) => h.docId === docIds[0]), 'the overturned document is no longer retrieved');
  // training on a version (leaf order: by doc_id): version 1 still lists doc 0, but an overturned document is never trained on
  const sorted = (xs: string[]) => [...xs].sort();
  assert.deepEqual(sorted(gov.versionDocuments('facts', 1).map((d) => d.docId)), sorted(docIds.slice(1, 8)));
  assert.deepEqual(sorted(gov.versionDocuments('facts', 2).map((d) => d.docId)), sorted(docIds.slice(1, 8)));
  assert.throws(() => gov.versionDocuments('facts', 9), /has no published version 9/);
  // reputations fall: contributor (7+2)/(7+2+3+4); validators agreed 9 + 1 overturned, or 7 + 2 + 1
  assert.equal(
    (await get('/v1/datanets/facts/contributors')).json().data[0].reputation_ppm,
    Math.round(1e6 * (9 / 16)),
  );
  const repAfter = new Map(
    (
      (await get('/v1/datanets/facts/validators')).json().data as Array<{ validator: string; reputation_ppm: number }>
    ).map((v) => [v.validator, v.reputation_ppm]),
  );
  assert.equal(repAfter.get(validators[0]!), Math.round(1e6 * (11 / 16)));
  assert.equal(repAfter.get(validators[2]!), Math.round(1e6 * (9 / 16)));
  assert.equal(gov.reputationPpm(contributor, 'facts'), Math.round(1e6 * (9 / 16)));
  assert.equal(gov.reputationPpm(contributor, null), 1e6);
  store.createDatanet({ id: 'open-net' });
  store.addDocument({ datanet: 'open-net', text: 'an open fact', contributor });
  assert.deepEqual((await get('/v1/datanets/open-net/contributors')).json().data, [
    { contributor, approved: 1, rejected: 0, pending: 0, overturned: 0, reputation_ppm: 1e6 },
  ]);
  assert.equal(gov.reputationPpm(contributor, 'open-net'), 1e6);

  // --- a stale version, in the API and on chain ---
  expectError(
    await post('/v1/datanets/facts/versions', await signed(OWNER_KEY, 'publish', 'facts', { version: 2 })),
    409,
    'governance_rejected',
    /is at version 2; the next version is 3, not 2/,
  );
  await assert.rejects(poster.publishVersion('facts', 1, docIds[1]!, 1), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'governance_rejected');
    assert.match(e.message, /StaleVersion\(3, 1\)/);
    return true;
  });

  // --- a vote after the period closed, in the API and on chain ---
  const late = await post(
    '/v1/datanets/facts/documents',
    await signed(CONTRIBUTOR_KEY, 'submit', 'facts', { text: 'a late fact', contributor }),
  );
  assert.equal(late.statusCode, 200, late.body);
  const round2 = (await post('/v1/datanets/facts/rounds', {}, admin)).json().round as number;
  const lateBallot = await ballot(VALIDATOR_KEYS[0]!, 'facts', round2, [{ doc_id: late.json().doc_id, approve: true }]);
  // on chain too: a ballot from an unstaked address, a forged one, the same voter twice
  const stranger = await ballot(STRANGER_KEY, 'facts', round2, [{ doc_id: late.json().doc_id, approve: true }]);
  const asArg = (b: { voter: string; votes: Array<{ doc_id: string; approve: boolean }>; signature: string }) => ({
    voter: b.voter as Hex,
    votesRoot: ballotTree(b.votes.map((v) => ({ docId: v.doc_id as Hex, approve: v.approve }))).root as Hex,
    signature: b.signature as Hex,
  });
  const zero = `0x${'11'.repeat(32)}` as Hex;
  assert.match(
    await revertOf(poster.submitTally('facts', round2, zero, { approved: 1, rejected: 0 }, [asArg(stranger)])),
    /^not_validator .*NotValidator/,
  );
  assert.match(
    await revertOf(
      poster.submitTally('facts', round2, zero, { approved: 1, rejected: 0 }, [
        { ...asArg(lateBallot), voter: validators[1]! },
      ]),
    ),
    /^signature_invalid .*ForgedSignature/,
  );
  assert.match(
    await revertOf(
      poster.submitTally('facts', round2, zero, { approved: 1, rejected: 0 }, [asArg(lateBallot), asArg(lateBallot)]),
    ),
    /^governance_rejected .*DoubleVote/,
  );
  await advance(3601);
  expectError(
    await post(`/v1/datanets/facts/rounds/${round2}/ballots`, lateBallot),
    409,
    'governance_rejected',
    /the vote is too late/,
  );
  assert.match(
    await revertOf(poster.submitTally('facts', round2, zero, { approved: 1, rejected: 0 }, [asArg(lateBallot)])),
    /^governance_rejected .*VotingClosed/,
  );
  assert.equal(await poster.ballotOf('facts', round2, validators[0]!), `0x${'0'.repeat(64)}`, 'no state changed');

  // --- a challenge outside the window (version 2 was published > 3600 s ago now) ---
  const before2 = await poster.stakeOf('facts', validators[0]!);
  expectError(
    await post(
      `/v1/datanets/facts/documents/${docIds[1]}/challenge`,
      await signed(OWNER_KEY, 'challenge', 'facts', { doc_id: docIds[1] }),
    ),
    409,
    'governance_rejected',
    /challenge window closed/,
  );
  const p1 = gov.proof('facts', docIds[1]!);
  const doc1 = store.getDocument(docIds[1]!);
  const b0 = state.ballots('facts', round).find((b) => b.voter === validators[0])!;
  assert.match(
    await revertOf(
      poster.challenge(
        'facts',
        {
          docId: doc1.docId,
          contentHash: doc1.contentHash,
          contributor: doc1.contributor,
          version: p1.version,
          round,
          proof: p1.proof,
        },
        [validators[0]!],
        [ballotTree(b0.votes).getProof([doc1.docId, true]) as Hex[]],
      ),
    ),
    /^governance_rejected .*ChallengeWindowClosed/,
  );
  assert.deepEqual(await poster.stakeOf('facts', validators[0]!), before2);
  assert.equal(store.getDocument(docIds[1]!).state, 'approved');

  // --- unstake: withdrawing before the unbonding ends is refused; unbonding stake is still slashable ---
  const v0 = asValidator[0]!;
  await v0.requestUnstake('facts', parseEther('1'));
  assert.match(await revertOf(v0.withdraw('facts')), /^governance_rejected .*UnbondingNotOver/);
  await advance(601);
  const balBefore = await pub.getBalance({ address: validators[0]! });
  await v0.withdraw('facts');
  assert.ok((await pub.getBalance({ address: validators[0]! })) > balBefore + parseEther('0.99'));
  assert.deepEqual(await v0.stakeOf('facts', validators[0]!), {
    active: parseEther('0.5'),
    unbonding: 0n,
    unbondAt: (await v0.stakeOf('facts', validators[0]!)).unbondAt,
  });
});

test('owner policy: the owner alone approves (one signed ballot), a staked validator cannot vote', async () => {
  const body = { id: 'owned', owner, policy: 'owner', voting_period: 3600, challenge_window: 3600 };
  assert.equal((await post('/v1/datanets', await signed(OWNER_KEY, 'create', 'owned', body))).statusCode, 200);
  const ids: Hex[] = [];
  for (const text of ['owned fact alpha', 'owned fact beta']) {
    const r = await post(
      '/v1/datanets/owned/documents',
      await signed(CONTRIBUTOR_KEY, 'submit', 'owned', { text, contributor }),
    );
    ids.push(r.json().doc_id);
  }
  const opened = await post('/v1/datanets/owned/rounds', await signed(OWNER_KEY, 'open_round', 'owned', {}));
  assert.equal(opened.statusCode, 200, opened.body);
  const round = opened.json().round as number;
  await asValidator[1]!.stake('owned', parseEther('1'));
  expectError(
    await post(
      `/v1/datanets/owned/rounds/${round}/ballots`,
      await ballot(VALIDATOR_KEYS[1]!, 'owned', round, [{ doc_id: ids[0]!, approve: true }]),
    ),
    403,
    'not_validator',
    /approved by its owner .* alone/,
  );
  const b = await ballot(OWNER_KEY, 'owned', round, [
    { doc_id: ids[0]!, approve: true },
    { doc_id: ids[1]!, approve: false },
  ]);
  assert.equal((await post(`/v1/datanets/owned/rounds/${round}/ballots`, b)).statusCode, 200);
  const tally = await post(
    `/v1/datanets/owned/rounds/${round}/tally`,
    await signed(OWNER_KEY, 'tally', 'owned', { round }),
  );
  assert.equal(tally.statusCode, 200, tally.body);
  assert.deepEqual(tally.json().approved, [ids[0]]);
  assert.deepEqual(tally.json().rejected, [ids[1]]);
  assert.deepEqual(
    store.allDocuments('owned').map((d) => d.text),
    ['owned fact alpha'],
  );
  assert.equal((await poster.versionOf('owned', 1)).root, tally.json().version.root);
  // a replayed signed request is refused
  const again = await signed(OWNER_KEY, 'publish', 'owned', { version: 2 });
  const republished = await post('/v1/datanets/owned/versions', again);
  assert.equal(republished.statusCode, 200, republished.body);
  assert.equal(republished.json().version, 2);
  expectError(await post('/v1/datanets/owned/versions', again), 401, 'signature_invalid', /already used/);
});

test('CLI: each role from its own key (create, stake, submit, open-round, vote, tally, proof verified against the chain, early withdraw refused)', async () => {
  const server = await app.listen({ port: 0, host: '127.0.0.1' });
  const cli = (cmd: string, key: Hex | null, ...flags: string[]) =>
    runDatanetCli([cmd, '--server', server, '--datanet', 'cli-net', ...(key ? ['--key', key] : []), ...flags]);
  await cli(
    'create',
    OWNER_KEY,
    '--policy',
    'validators',
    '--quorum',
    '1',
    '--min-stake',
    '1',
    '--unbonding-delay',
    '600',
  );
  const staked = (await cli('stake', VALIDATOR_KEYS[2]!, '--amount', '1000', '--rpc', anvil.rpcUrl)) as {
    active: string;
  };
  assert.equal(staked.active, '1000');
  const doc = (await cli('submit', CONTRIBUTOR_KEY, '--text', 'a fact from the command line')) as { doc_id: Hex };
  const round = ((await cli('open-round', OWNER_KEY)) as { round: number }).round;
  await cli('vote', VALIDATOR_KEYS[2]!, '--round', String(round), '--approve', doc.doc_id);
  const tally = (await cli('tally', OWNER_KEY, '--round', String(round))) as { approved: Hex[] };
  assert.deepEqual(tally.approved, [doc.doc_id]);
  const proof = (await cli('proof', null, '--doc', doc.doc_id, '--rpc', anvil.rpcUrl)) as {
    root: Hex;
    on_chain_root: Hex;
    verifies: boolean;
  };
  assert.equal(proof.on_chain_root, proof.root);
  assert.equal(proof.verifies, true);
  await cli('unstake', VALIDATOR_KEYS[2]!, '--amount', '400', '--rpc', anvil.rpcUrl);
  await assert.rejects(cli('withdraw', VALIDATOR_KEYS[2]!, '--rpc', anvil.rpcUrl), /UnbondingNotOver/);
});
