// startSettlement with its own local anvil, the HTTP routes on a bare Fastify, the claim CLI
// against them, and a restart onto a fresh anvil (same contract address, lost epochs re-posted).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_KEYS } from './anvilNode.ts';
import { createChainClient } from './chainClient.ts';
import { runClaim } from './claimCli.ts';
import { sampleRecord } from './recordFixtures.ts';
import type { Address, Hex } from './recordTypes.ts';
import { settlementRoutes } from './settlementRoutes.ts';
import { startSettlement, type SettlementConfig, type SettlementHandle } from './startSettlement.ts';
import { LoraledgerError, RequestError } from '../server/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-start-'));
const cfg: SettlementConfig = { dataDir: join(dir, 'data'), chain: 'anvil', chainId: 31337, epochSeconds: 0, epochMaxRecords: 1000 };
const ADMIN = 'secret-admin';
const contributorKey = ANVIL_DEV_KEYS[3]!;
const contributor = privateKeyToAccount(contributorKey).address;
const handles: SettlementHandle[] = [];
const apps: FastifyInstance[] = [];

after(async () => {
  for (const a of apps) await a.close();
  for (const h of handles) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(handle: SettlementHandle): Promise<FastifyInstance> {
  const app = Fastify();
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof LoraledgerError) return reply.status(err.status).send(err.toOpenAI());
    return reply.status(500).send({ error: { message: String(err), type: 'server_error', param: null, code: 'unexpected' } });
  });
  const adminGuard = async (req: { headers: Record<string, unknown> }) => {
    if (req.headers.authorization !== `Bearer ${ADMIN}`) throw new RequestError('unauthorized', 'admin key missing or wrong');
  };
  await app.register(settlementRoutes(handle, { adminGuard }));
  apps.push(app);
  return app;
}

let firstContract: Address;
let firstRoot: Hex;
let recordId: Hex;

test('routes serve eip712, contract, record proofs and payouts; the claim CLI pays the contributor', async () => {
  const handle = await startSettlement(cfg);
  handles.push(handle);
  const app = await serve(handle);
  const eip = (await app.inject('/v1/attribution/eip712')).json();
  assert.equal(eip.primaryType, 'AttributionRecord');
  assert.equal(eip.domain.chainId, 31337);
  const info = (await app.inject('/v1/attribution/contract')).json();
  assert.equal(info.address, eip.domain.verifyingContract);
  assert.ok(Array.isArray(info.abi) && info.abi.some((x: { name?: string }) => x.name === 'claim'));
  firstContract = info.address;

  for (let i = 0; i < 3; i++) recordId = (await handle.settlement.record(sampleRecord(i, { tag: 'start', payees: [contributor] }))).record.recordId;
  assert.equal((await app.inject(`/v1/attribution/records/${recordId}`)).json().status, 'pending');
  assert.equal((await app.inject({ method: 'POST', url: '/v1/attribution/settle' })).statusCode, 401);
  const settled = await app.inject({ method: 'POST', url: '/v1/attribution/settle', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(settled.statusCode, 200);
  assert.equal(settled.json().epoch, 1);
  const view = (await app.inject(`/v1/attribution/records/${recordId}`)).json();
  assert.equal(view.status, 'settled');
  assert.ok(StandardMerkleTree.verify(view.root, view.leaf_encoding, view.leaf, view.proof));
  firstRoot = view.root;

  const bad = await app.inject('/v1/attribution/records/0x12');
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.param, 'record_id');
  const missing = await app.inject(`/v1/attribution/records/0x${'00'.repeat(32)}`);
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'record_not_found');
  assert.equal((await app.inject('/v1/attribution/payouts/0xnope')).statusCode, 400);

  const payout = (await app.inject(`/v1/attribution/payouts/${contributor}`)).json();
  const expected = (1000n + 10n) * (1n + 2n + 3n); // both sources of each record pay the one contributor
  assert.equal(payout.cumulative, expected.toString());

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const lines: string[] = [];
  const r1 = await runClaim(['--server', url, '--key', contributorKey], (l) => lines.push(l));
  assert.equal(r1.claimable, expected);
  assert.equal(r1.paid, expected);
  assert.ok(lines.some((l) => l.startsWith('paid')));
  assert.ok(!lines.join('\n').includes(contributorKey.slice(2)), 'key never printed');
  const r2 = await runClaim(['--server', url, '--key', contributorKey, '--dry-run'], () => undefined);
  assert.deepEqual([r2.claimed, r2.claimable, r2.paid], [expected, 0n, 0n]);
  await assert.rejects(runClaim(['--key', '0x12'], () => undefined), /--key must be/);
});

test('a restart onto a fresh anvil keeps the signer and contract address and re-posts lost epochs', async () => {
  const first = handles.pop()!;
  const signerBefore = first.settlement.recordView(recordId).signer;
  await first.close();
  const handle = await startSettlement(cfg);
  handles.push(handle);
  assert.equal(handle.contractInfo().address, firstContract, 'deterministic deployment: same EIP-712 domain');
  const chain = createChainClient({ rpcUrl: handle.contractInfo().rpc_url!, chainId: 31337, privateKey: ANVIL_DEV_KEYS[0]!, contract: firstContract });
  assert.equal(await chain.latestEpoch(), 0, 'fresh chain');
  await handle.settlement.settleNow();
  assert.equal(await chain.recordsRoot(1), firstRoot);
  const view = handle.settlement.recordView(recordId);
  assert.equal(view.status, 'settled');
  assert.equal(view.signer, signerBefore);
});
