// Several posters on one settlement contract, on a real anvil: two replicas (each its own outbox,
// record signer and poster key) post their own epoch sequences; a contributor's claimMany gathers
// both posters' parts in one transaction and a repeat pays nothing; a removed poster posts no more
// but stays claimable; a poster's claims can never spend what another poster funded; the owner's
// posters CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_KEYS, startAnvil, type AnvilNode } from './anvilNode.ts';
import { createChainClient, type ChainClient } from './chainClient.ts';
import { buildPayouts, buildRecordsTree } from './merkle.ts';
import { createRecordSigner, eip712Domain } from '../records/eip712.ts';
import { Outbox } from './outbox.ts';
import { Settlement } from './settlement.ts';
import { sampleRecord, TEST_PAYEES } from '../../test/support/recordFixtures.ts';
import type { Address, Hex } from '../records/recordTypes.ts';
import { runPosters } from '../cli/postersCli.ts';

const CHAIN_ID = 31337;
const SIGNER_KEYS: Hex[] = [
  '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
  '0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63',
];
let anvil: AnvilNode;
let dir: string;
let owner: ChainClient;
let relayer: ChainClient;
const replicas: Array<{ outbox: Outbox; settlement: Settlement; chain: ChainClient }> = [];

before(async () => {
  anvil = await startAnvil({ chainId: CHAIN_ID });
  dir = mkdtempSync(join(tmpdir(), 'll-posters-'));
  const client = (i: number, contract?: Address) =>
    createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[i]!, contract });
  const posters = [1, 2].map((i) => privateKeyToAccount(ANVIL_DEV_KEYS[i]!).address);
  const contract = await client(0).deploy(posters);
  owner = client(0, contract);
  relayer = client(5, contract);
  for (const [r, key] of SIGNER_KEYS.entries()) {
    const outbox = new Outbox(join(dir, `r${r}`, 'outbox.sqlite'));
    const chain = client(r + 1, contract);
    const settlement = new Settlement({
      outbox,
      signer: createRecordSigner(key, eip712Domain(CHAIN_ID, contract)),
      chain,
      replica: `r${r}`,
      epochSeconds: 0,
      epochMaxRecords: 1000,
    });
    replicas.push({ outbox, settlement, chain });
  }
});

after(async () => {
  for (const r of replicas) {
    await r.settlement.stop();
    r.outbox.close();
  }
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What sampleRecord(i) pays TEST_PAYEES[0] (hand-summed from its definition): 1000k to source a when i % 3 == 0, 10k to source b when i % 3 == 2. */
function owedToPayee0(indices: number[]): bigint {
  let sum = 0n;
  for (const i of indices) {
    const k = BigInt(i + 1);
    if (i % 3 === 0) sum += 1000n * k;
    if (i % 3 === 2) sum += 10n * k;
  }
  return sum;
}

test('each poster has its own epoch sequence; claimMany gathers both parts once', async () => {
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  for (let i = 0; i < 4; i++) await a.settlement.record(sampleRecord(i, { tag: 'ra' }));
  for (let i = 4; i < 9; i++) await b.settlement.record(sampleRecord(i, { tag: 'rb' }));
  assert.equal((await a.settlement.settleNow())?.epoch, 1);
  assert.equal((await b.settlement.settleNow())?.epoch, 1, 'both posters post their own epoch 1');
  assert.deepEqual([await owner.latestEpoch(a.chain.account), await owner.latestEpoch(b.chain.account)], [1, 1]);
  assert.notEqual(await owner.recordsRoot(1, a.chain.account), await owner.recordsRoot(1, b.chain.account));

  const payee = TEST_PAYEES[0]!;
  const views = replicas.map((r) => r.settlement.payoutView(payee));
  assert.deepEqual(
    views.map((v) => [v.poster, v.replica, v.cumulative]),
    [
      [a.chain.account, 'r0', owedToPayee0([0, 1, 2, 3]).toString()],
      [b.chain.account, 'r1', owedToPayee0([4, 5, 6, 7, 8]).toString()],
    ],
  );
  const parts = views.map((v) => ({ poster: v.poster!, cumulative: BigInt(v.cumulative), proof: v.proof }));
  // one poster's proof does not prove against the other's root
  await assert.rejects(
    relayer.claimMany({ account: payee, parts: [{ ...parts[0]!, poster: b.chain.account }] }),
    /InvalidProof/,
  );
  const before = await owner.balance(payee);
  const paid = await relayer.claimMany({ account: payee, parts });
  const total = owedToPayee0([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(paid.paid, total);
  assert.equal((await owner.balance(payee)) - before, total);
  await assert.rejects(relayer.claimMany({ account: payee, parts }), /NothingToClaim/, 'a repeat pays nothing');
  for (const [i, p] of parts.entries())
    assert.equal(await owner.claimed(payee, p.poster), BigInt(views[i]!.cumulative));
});

test('a removed poster posts no more, yet what it posted stays claimable', async () => {
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  const payee = TEST_PAYEES[0]!;
  await a.settlement.record(sampleRecord(9, { tag: 'ra' })); // pays payee 0 1000*10
  assert.equal((await a.settlement.settleNow())?.epoch, 2);
  await owner.removePoster(a.chain.account);
  assert.equal(await owner.isPoster(a.chain.account), false);
  await a.settlement.record(sampleRecord(12, { tag: 'ra' }));
  await assert.rejects(a.settlement.settleNow(), /NotPoster/);
  const v = a.settlement.payoutView(payee);
  const c = await relayer.claim({
    account: payee,
    poster: v.poster!,
    cumulative: BigInt(v.cumulative),
    proof: v.proof,
  });
  assert.equal(c.paid, 10_000n);
  await owner.addPoster(a.chain.account); // back on the list: it continues its own sequence
  assert.equal((await a.settlement.settleNow())?.epoch, 3);
  assert.equal(await b.chain.latestEpoch(), 1);
});

test("a poster's claims cannot spend another poster's funding", async () => {
  const cheat = createChainClient({
    rpcUrl: anvil.rpcUrl,
    chainId: CHAIN_ID,
    privateKey: ANVIL_DEV_KEYS[3]!,
    contract: owner.contract,
  });
  await owner.addPoster(cheat.account);
  const payee = TEST_PAYEES[2]!;
  const payouts = buildPayouts(new Map(), [sampleRecord(0, { payees: [payee, payee, payee] })]);
  const records = buildRecordsTree([[`0x${'ab'.repeat(32)}`, `0x${'cd'.repeat(32)}`]]);
  // the root owes payee 1007 wei, but the post funds nothing
  await cheat.postEpoch({ epoch: 1, recordsRoot: records.root, payoutRoot: payouts.tree.root, total: 0n });
  assert.ok((await owner.balance(owner.contract!)) > 1007n, 'the contract holds the other posters’ money');
  const leaf = payouts.tree.dump!.values[0]!;
  const { StandardMerkleTree } = await import('@openzeppelin/merkle-tree');
  const proof = StandardMerkleTree.load(payouts.tree.dump as never).getProof(leaf.treeIndex) as Hex[];
  await assert.rejects(
    relayer.claim({
      account: payee,
      poster: cheat.account,
      cumulative: payouts.cumulative.get(payee.toLowerCase())!,
      proof,
    }),
    /PosterUnderfunded/,
  );
});

test('the posters CLI: the owner adds and removes, anyone shows, others are refused', async () => {
  const base = ['--rpc', anvil.rpcUrl, '--contract', owner.contract!];
  const newcomer = privateKeyToAccount(ANVIL_DEV_KEYS[6]!).address;
  const lines: string[] = [];
  const added = await runPosters(['--key', ANVIL_DEV_KEYS[0]!, ...base, 'add', newcomer], (l) => lines.push(l));
  assert.deepEqual(added, [{ poster: newcomer, allowed: true, latestEpoch: 0, funded: 0n, paidOut: 0n }]);
  assert.ok(!lines.join('\n').includes(ANVIL_DEV_KEYS[0]!.slice(2)), 'key never printed');
  const [a] = replicas;
  const shown = await runPosters(['--key', ANVIL_DEV_KEYS[5]!, ...base, a!.chain.account], () => undefined);
  assert.equal(shown[0]!.allowed, true);
  assert.ok(shown[0]!.latestEpoch >= 2 && shown[0]!.paidOut > 0n && shown[0]!.funded >= shown[0]!.paidOut);
  await assert.rejects(
    runPosters(['--key', ANVIL_DEV_KEYS[5]!, ...base, 'remove', newcomer], () => undefined),
    /OwnableUnauthorizedAccount/,
  );
  await runPosters(['--key', ANVIL_DEV_KEYS[0]!, ...base, 'remove', newcomer], () => undefined);
  assert.equal(await owner.isPoster(newcomer), false);
  await assert.rejects(
    runPosters(['--key', ANVIL_DEV_KEYS[0]!, ...base, 'add', '0x12'], () => undefined),
    /not a poster address/,
  );
  await assert.rejects(
    runPosters(['--key', ANVIL_DEV_KEYS[0]!, ...base], () => undefined),
    /at least one poster/,
  );
});
