// startSettlement with its own local anvil: a restart onto a fresh anvil keeps the signer key and
// the contract address (deterministic deployment) and re-posts the epochs the new chain lacks.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANVIL_DEV_KEYS } from './anvilNode.ts';
import { createChainClient } from './chainClient.ts';
import { sampleRecord } from './recordFixtures.ts';
import { startSettlement, type SettlementConfig, type SettlementHandle } from './startSettlement.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-start-'));
const cfg: SettlementConfig = { dataDir: join(dir, 'data'), chain: 'anvil', chainId: 31337, epochSeconds: 0, epochMaxRecords: 1000 };
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
  const chain = createChainClient({ rpcUrl: handle.contractInfo().rpc_url!, chainId: 31337, privateKey: ANVIL_DEV_KEYS[0]!, contract: firstContract });
  const deadline = Date.now() + 10_000; // the loop's first pass resyncs on its own
  while ((await chain.latestEpoch()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
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
