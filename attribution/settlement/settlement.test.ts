// Settlement against a REAL anvil (one per file). The service reaches anvil through a TCP proxy
// the test can cut, to play an unreachable chain; outsiders talk to anvil directly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { createPublicClient, hashTypedData, http, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_KEYS, freePort, startAnvil, type AnvilNode } from './anvilNode.ts';
import { createChainClient, type ChainClient } from './chainClient.ts';
import { LoraLedgerSettlementAbi } from './contracts/generated/LoraLedgerSettlement.ts';
import { createRecordSigner, eip712Description, eip712Domain } from '../records/eip712.ts';
import { Outbox } from './outbox.ts';
import { sampleRecord, TEST_PAYEES } from '../../test/support/recordFixtures.ts';
import type { Address, Hex } from '../records/recordTypes.ts';
import { Settlement } from './settlement.ts';
import { AttributionError } from '../../common/index.ts';

let anvil: AnvilNode;
let dir: string;
let outbox: Outbox;
let settlement: Settlement;
let contract: Address;
let direct: ChainClient; // poster, straight to anvil
let proxy: { url: string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> };
const SIGNER_KEY: Hex = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const CHAIN_ID = 31337;

async function tcpProxy(target: number) {
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((c) => {
        const s = connect(target, '127.0.0.1');
        for (const x of [c, s]) {
          sockets.add(x);
          x.on('close', () => sockets.delete(x));
          x.on('error', () => undefined);
        }
        c.pipe(s).pipe(c);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server === null) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await up();
  return { url: `http://127.0.0.1:${port}`, up, down, close: down };
}

before(async () => {
  anvil = await startAnvil({ chainId: CHAIN_ID });
  proxy = await tcpProxy(Number(new URL(anvil.rpcUrl).port));
  direct = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]! });
  contract = await direct.deploy();
  direct = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]!, contract });
  dir = mkdtempSync(join(tmpdir(), 'll-settle-'));
  outbox = new Outbox(join(dir, 'outbox.sqlite'));
  const chain = createChainClient({
    rpcUrl: proxy.url,
    chainId: CHAIN_ID,
    privateKey: ANVIL_DEV_KEYS[0]!,
    contract,
    timeoutMs: 1000,
  });
  const signer = createRecordSigner(SIGNER_KEY, eip712Domain(CHAIN_ID, contract));
  settlement = new Settlement({
    outbox,
    signer,
    chain,
    epochSeconds: 0,
    epochMaxRecords: 1000,
    tickMs: 20,
    retryBaseMs: 20,
    retryMaxMs: 100,
  });
});

after(async () => {
  await settlement?.stop();
  outbox?.close();
  await proxy?.close();
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('records settle on chain and an outsider with only viem verifies signer, digest and proof', async () => {
  const signed = [];
  for (let i = 0; i < 5; i++) signed.push(await settlement.record(sampleRecord(i, { tag: 'a' })));
  assert.equal(settlement.recordView(signed[2]!.record.recordId).status, 'pending');
  const epoch = await settlement.settleNow();
  assert.equal(epoch?.epoch, 1);
  const view = JSON.parse(JSON.stringify(settlement.recordView(signed[2]!.record.recordId))); // as served over HTTP
  assert.equal(view.status, 'settled');
  assert.match(view.tx_hash, /^0x[0-9a-f]{64}$/);

  // --- the outsider: public RPC, the published EIP-712 description, the record view ---
  const pub = createPublicClient({ transport: http(anvil.rpcUrl) });
  const onchain = await pub.readContract({
    address: contract,
    abi: LoraLedgerSettlementAbi,
    functionName: 'recordsRoot',
    args: [view.poster, BigInt(view.epoch)],
  });
  assert.equal(onchain, view.root);
  assert.equal(view.poster, direct.account, "the record's epoch is in its replica's poster sequence");
  assert.ok(StandardMerkleTree.verify(view.root, view.leaf_encoding, view.leaf, view.proof));
  const d = eip712Description(view.domain);
  const { EIP712Domain: _, ...types } = d.types;
  assert.equal(view.primary_type, d.primaryTypes['1'], 'a record without training sources is version 1');
  assert.equal(view.training, null);
  const typed = { domain: d.domain, types, primaryType: view.primary_type, message: view.record } as never;
  assert.equal(hashTypedData(typed), view.leaf[1], 'leaf carries the EIP-712 digest of the record');
  assert.equal(
    await recoverTypedDataAddress({ ...(typed as object), signature: view.signature } as never),
    privateKeyToAccount(SIGNER_KEY).address,
  );
  const receipt = await pub.getTransactionReceipt({ hash: view.tx_hash });
  assert.equal(receipt.status, 'success');

  // a record altered after signing no longer matches the proven leaf
  const altered = { ...view.record, fee: '1' };
  assert.notEqual(hashTypedData({ ...(typed as object), message: altered } as never), view.leaf[1]);
});

test('claims pay cumulative - claimed in real ETH; repeats, forged amounts and proofs are rejected', async () => {
  const relayer = createChainClient({
    rpcUrl: anvil.rpcUrl,
    chainId: CHAIN_ID,
    privateKey: ANVIL_DEV_KEYS[2]!,
    contract,
  });
  const payee = TEST_PAYEES[0]!;
  const p1 = settlement.payoutView(payee);
  // records 0..4 of tag 'a': payee 0 gets 1000*k for k in {1,4} and 10*k for k in {3}
  assert.equal(p1.cumulative, (1000n * 1n + 1000n * 4n + 10n * 3n).toString());
  const before = await direct.balance(payee);
  const poster = p1.poster!;
  assert.equal(poster, direct.account);
  const c1 = await relayer.claim({ account: payee, poster, cumulative: BigInt(p1.cumulative), proof: p1.proof });
  assert.equal(c1.paid, BigInt(p1.cumulative));
  assert.equal((await direct.balance(payee)) - before, BigInt(p1.cumulative));
  await assert.rejects(
    relayer.claim({ account: payee, poster, cumulative: BigInt(p1.cumulative), proof: p1.proof }),
    (e: unknown) => e instanceof AttributionError && e.code === 'record_invalid' && /NothingToClaim/.test(e.message),
  );
  await assert.rejects(
    relayer.claim({ account: payee, poster, cumulative: BigInt(p1.cumulative) + 1n, proof: p1.proof }),
    /InvalidProof/,
  );
  const other = settlement.payoutView(TEST_PAYEES[1]!);
  await assert.rejects(
    relayer.claim({ account: payee, poster, cumulative: BigInt(other.cumulative), proof: other.proof }),
    /InvalidProof/,
  );
  assert.equal(await direct.claimable(payee, BigInt(p1.cumulative) + 1n, p1.proof), 0n);

  // a new epoch: the second claim pays only the delta
  for (let i = 5; i < 8; i++) await settlement.record(sampleRecord(i, { tag: 'a' }));
  assert.equal((await settlement.settleNow())?.epoch, 2);
  const p2 = settlement.payoutView(payee);
  const delta = BigInt(p2.cumulative) - BigInt(p1.cumulative);
  assert.equal(delta, 10n * 6n + 1000n * 7n); // record 5 (k=6) source b, record 6 (k=7) source a
  assert.equal(await direct.claimed(payee), BigInt(p1.cumulative));
  assert.equal(await direct.claimable(payee, BigInt(p2.cumulative), p2.proof), delta);
  const c2 = await relayer.claim({ account: payee, poster, cumulative: BigInt(p2.cumulative), proof: p2.proof });
  assert.equal(c2.paid, delta);
  assert.equal((await direct.balance(payee)) - before, BigInt(p2.cumulative));
});

test('only the poster posts, epochs go strictly in order, funding must equal total', async () => {
  const outsider = createChainClient({
    rpcUrl: anvil.rpcUrl,
    chainId: CHAIN_ID,
    privateKey: ANVIL_DEV_KEYS[1]!,
    contract,
  });
  const root: Hex = `0x${'11'.repeat(32)}`;
  const next = (await direct.latestEpoch()) + 1;
  await assert.rejects(
    outsider.postEpoch({ epoch: next, recordsRoot: root, payoutRoot: root, total: 0n }),
    /NotPoster/,
  );
  await assert.rejects(
    direct.postEpoch({ epoch: 1, recordsRoot: root, payoutRoot: root, total: 0n }),
    /EpochOutOfOrder/,
  );
  await assert.rejects(
    direct.postEpoch({ epoch: next + 1, recordsRoot: root, payoutRoot: root, total: 0n }),
    /EpochOutOfOrder/,
  );
});

test('an unreachable chain leaves records pending; they settle when it is back', async () => {
  await proxy.down();
  const ids: string[] = [];
  for (let i = 20; i < 23; i++) ids.push((await settlement.record(sampleRecord(i, { tag: 'down' }))).record.recordId);
  await assert.rejects(
    settlement.settleNow(),
    (e: unknown) => e instanceof AttributionError && e.code === 'chain_unavailable',
  );
  for (const id of ids) assert.equal(settlement.recordView(id).status, 'pending');
  const latest = await direct.latestEpoch();
  settlement.start(); // background loop retries with backoff
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(settlement.recordView(ids[0]!).status, 'pending');
  assert.ok(settlement.stats().failures >= 1);
  await proxy.up();
  const deadline = Date.now() + 10_000;
  while (settlement.recordView(ids[0]!).status !== 'settled' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await settlement.stop();
  for (const id of ids) assert.equal(settlement.recordView(id).status, 'settled');
  assert.equal(await direct.latestEpoch(), latest + 1, 'exactly one new epoch');
  assert.equal(settlement.stats().failures, 0);
});

test('the loop closes an epoch on time and on count', async () => {
  const latest = await direct.latestEpoch();
  const timed = new Settlement({
    outbox,
    signer: createRecordSigner(SIGNER_KEY, eip712Domain(CHAIN_ID, contract)),
    chain: direct,
    epochSeconds: 0.2,
    epochMaxRecords: 1000,
    tickMs: 20,
  });
  const id = (await timed.record(sampleRecord(40, { tag: 'time' }))).record.recordId;
  timed.start();
  const until = async (ok: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  await until(() => timed.recordView(id).status === 'settled');
  assert.equal(timed.recordView(id).status, 'settled');
  assert.equal(await direct.latestEpoch(), latest + 1);
  await timed.stop();

  const counted = new Settlement({
    outbox,
    signer: createRecordSigner(SIGNER_KEY, eip712Domain(CHAIN_ID, contract)),
    chain: direct,
    epochSeconds: 0,
    epochMaxRecords: 3,
    tickMs: 20,
  });
  counted.start();
  const ids: string[] = [];
  for (let i = 50; i < 52; i++) ids.push((await counted.record(sampleRecord(i, { tag: 'count' }))).record.recordId);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(counted.recordView(ids[0]!).status, 'pending', 'below the count, no time trigger');
  ids.push((await counted.record(sampleRecord(52, { tag: 'count' }))).record.recordId);
  await until(() => counted.recordView(ids[2]!).status === 'settled');
  for (const x of ids) assert.equal(counted.recordView(x).status, 'settled');
  assert.equal(counted.recordView(ids[0]!).epoch, latest + 2);
  await counted.stop();
});
