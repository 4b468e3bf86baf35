// startSettlement with its own local anvil: a restart onto a fresh anvil keeps the signer key and
// the contract address (deterministic deployment) and re-posts the epochs the new chain lacks.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANVIL_DEV_KEYS } from './anvilNode.ts';
import { createChainClient } from './chainClient.ts';
import { sampleRecord } from '../../test/support/recordFixtures.ts';
import { startSettlement, type SettlementConfig, type SettlementHandle } from './startSettlement.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-start-'));
const cfg: SettlementConfig = {
  dataDir: join(dir, 'data'),
  chain: 'anvil',
  chainId: 31337,
  epochSeconds: 0,
  epochMaxRecords: 1000,
};
const handles: SettlementHandle[] = [];

after(async () => {
  for (const h of handles) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a restart onto a fresh anvil keeps the signer and contract address and re-posts lost epochs', async () => {
  const first = await startSettlement(cfg);
  handles.push(first);
  const recordId = (await first.settlement.record(sampleRecord(0, { tag: 'restart' }))).record.recordId;
  await first.settlement.settleNow();
  const before = first.settlement.recordView(recordId);
  const firstContract = first.contractInfo().address;
  assert.equal(before.status, 'settled');
  handles.pop();
  await first.close();

  const handle = await startSettlement(cfg);
  handles.push(handle);
  assert.equal(handle.contractInfo().address, firstContract, 'deterministic deployment: same EIP-712 domain');
  const chain = createChainClient({
    rpcUrl: handle.contractInfo().rpc_url!,
    chainId: 31337,
    privateKey: ANVIL_DEV_KEYS[0]!,
    contract: firstContract,
  });
  // the loop's first pass resyncs on its own; the chain has the epoch once its transaction is mined,
  // the outbox marks it settled once the receipt is back: wait for both
  const deadline = Date.now() + 10_000;
  while (
    ((await chain.latestEpoch()) < 1 || handle.settlement.recordView(recordId).status !== 'settled') &&
    Date.now() < deadline
  )
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(await chain.recordsRoot(1), before.root);
  const view = handle.settlement.recordView(recordId);
  assert.equal(view.status, 'settled');
  assert.equal(view.signer, before.signer);
  assert.deepEqual(view.proof, before.proof);
});

test('chain off: records are signed and kept, never settled', async () => {
  const off = await startSettlement({ ...cfg, dataDir: join(dir, 'off'), chain: 'off' });
  handles.push(off);
  const id = (await off.settlement.record(sampleRecord(1, { tag: 'off' }))).record.recordId;
  assert.equal(await off.settlement.settleNow().then((e) => e), null);
  assert.equal(off.settlement.recordView(id).status, 'pending');
  assert.equal(off.contractInfo().rpc_url, null);
});

test('chain rpc: deploys once, then reuses the remembered contract; a dead RPC at start only delays settlement', async () => {
  const { startAnvil, freePort } = await import('./anvilNode.ts');
  const node = await startAnvil();
  try {
    const rpcCfg: SettlementConfig = { ...cfg, dataDir: join(dir, 'rpc'), chain: 'rpc', chainRpc: node.rpcUrl };
    const a = await startSettlement(rpcCfg);
    const contract = a.contractInfo().address;
    assert.equal(a.contractInfo().rpc_url, null, 'a configured RPC URL is not published');
    const id = (await a.settlement.record(sampleRecord(2, { tag: 'rpc' }))).record.recordId;
    await a.close();

    const b = await startSettlement(rpcCfg); // same chain, code at the remembered address: no redeploy
    assert.equal(b.contractInfo().address, contract);
    await b.settlement.settleNow();
    assert.equal(b.settlement.recordView(id).status, 'settled');
    await b.close();

    const dead = `http://127.0.0.1:${await freePort()}`;
    const c = await startSettlement({ ...rpcCfg, chainRpc: dead }); // remembered contract, chain down
    assert.equal(c.contractInfo().address, contract);
    const id2 = (await c.settlement.record(sampleRecord(3, { tag: 'rpc' }))).record.recordId;
    await assert.rejects(c.settlement.settleNow(), /did not answer/);
    assert.equal(c.settlement.recordView(id2).status, 'pending');
    await c.close();

    const d = await startSettlement({ ...rpcCfg, settlementContract: contract }); // configured address
    await d.settlement.settleNow();
    assert.equal(d.settlement.recordView(id2).status, 'settled');
    await d.close();

    // the data dir is bound to its poster: another poster key would post every epoch again
    await assert.rejects(
      startSettlement({ ...rpcCfg, settlementContract: contract, posterKey: ANVIL_DEV_KEYS[1]! }),
      (e: unknown) =>
        (e as { code?: string }).code === 'config_invalid' &&
        /keep one poster key per data dir/.test((e as Error).message),
    );

    await assert.rejects(
      startSettlement({ ...cfg, dataDir: join(dir, 'rpc-fresh'), chain: 'rpc', chainRpc: dead }),
      (e: unknown) => (e as { code?: string }).code === 'chain_unavailable',
    );
  } finally {
    await node.stop();
  }
});
