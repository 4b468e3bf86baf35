// The settlement routes on a real startSettlement (own local anvil), with the server's error
// handler and admin guard, and the claim CLI against them over real HTTP.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { privateKeyToAccount } from 'viem/accounts';
import {
  ANVIL_DEV_KEYS,
  runClaim,
  runVerifyRecord,
  startSettlement,
  type SettlementHandle,
} from '../../attribution/index.ts';
import { sampleRecord } from '../../test/support/recordFixtures.ts';
import { installErrorHandlers } from '../http/errorHandler.ts';
import { makeAdminGuard } from '../http/adminAuth.ts';
import { attributionRoutes } from './attribution.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-routes-'));
const ADMIN = 'secret-admin';
const contributorKey = ANVIL_DEV_KEYS[3]!;
const contributor = privateKeyToAccount(contributorKey).address;
let handle: SettlementHandle | undefined;
let app: FastifyInstance | undefined;

after(async () => {
  await app?.close();
  await handle?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('routes serve eip712, contract, record proofs and payouts; the claim CLI pays the contributor', async () => {
  handle = await startSettlement({
    dataDir: join(dir, 'data'),
    chain: 'anvil',
    chainId: 31337,
    epochSeconds: 0,
    epochMaxRecords: 1000,
  });
  app = Fastify({ logger: false });
  installErrorHandlers(app);
  await app.register(attributionRoutes(handle, { adminGuard: makeAdminGuard(ADMIN) }));
  await app.ready();
  const eip = (await app.inject('/v1/attribution/eip712')).json();
  assert.equal(eip.primaryType, 'AttributionRecordV2');
  assert.deepEqual(eip.primaryTypes, {
    '1': 'AttributionRecord',
    '2': 'AttributionRecordV2',
    '3': 'AttributionRecordV3',
  });
  assert.equal(eip.domain.chainId, 31337);
  const info = (await app.inject('/v1/attribution/contract')).json();
  assert.equal(info.address, eip.domain.verifyingContract);
  assert.ok(Array.isArray(info.abi) && info.abi.some((x: { name?: string }) => x.name === 'claim'));

  let recordId = '';
  for (let i = 0; i < 3; i++)
    recordId = (await handle.settlement.record(sampleRecord(i, { tag: 'routes', payees: [contributor] }))).record
      .recordId;
  assert.equal((await app.inject(`/v1/attribution/records/${recordId}`)).json().status, 'pending');
  const noKey = await app.inject({ method: 'POST', url: '/v1/attribution/settle' });
  assert.equal(noKey.statusCode, 401);
  assert.equal(noKey.json().error.code, 'unauthorized');
  const settled = await app.inject({
    method: 'POST',
    url: '/v1/attribution/settle',
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(settled.statusCode, 200);
  assert.equal(settled.json().epoch, 1);
  const view = (await app.inject(`/v1/attribution/records/${recordId}`)).json();
  assert.equal(view.status, 'settled');
  assert.ok(StandardMerkleTree.verify(view.root, view.leaf_encoding, view.leaf, view.proof));

  const bad = await app.inject('/v1/attribution/records/0x12');
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.param, 'record_id');
  const missing = await app.inject(`/v1/attribution/records/0x${'00'.repeat(32)}`);
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'record_not_found');
  const badAddress = await app.inject('/v1/attribution/payouts/0xnope');
  assert.equal(badAddress.statusCode, 400);
  assert.equal(badAddress.json().error.param, 'address');

  const payout = (await app.inject(`/v1/attribution/payouts/${contributor}`)).json();
  const expected = (1000n + 10n) * (1n + 2n + 3n); // both sources of each record pay the one contributor
  assert.equal(payout.cumulative, expected.toString());
  const nobody = (await app.inject('/v1/attribution/payouts/0x00000000000000000000000000000000000000ee')).json();
  assert.deepEqual([nobody.cumulative, nobody.proof], ['0', []]);

  const epoch = (await app.inject('/v1/attribution/epochs/1')).json();
  assert.deepEqual(
    [epoch.status, epoch.record_count, epoch.records_root, epoch.tx_hash],
    ['settled', 3, view.root, view.tx_hash],
  );
  assert.equal((await app.inject('/v1/attribution/epochs/2')).statusCode, 404);
  assert.equal((await app.inject('/v1/attribution/epochs/0')).json().error.param, 'epoch');

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const verified = await runVerifyRecord(
    ['--server', url, '--record', recordId, '--signer', view.signer],
    () => undefined,
  );
  assert.equal(verified.ok, true);
  const lines: string[] = [];
  const r1 = await runClaim(['--server', url, '--key', contributorKey], (l) => lines.push(l));
  assert.equal(r1.claimable, expected);
  assert.equal(r1.paid, expected);
  assert.ok(lines.some((l) => l.startsWith('paid')));
  assert.ok(!lines.join('\n').includes(contributorKey.slice(2)), 'key never printed');
  const keyFile = join(dir, 'contributor.key');
  writeFileSync(keyFile, `${contributorKey}\n`, { mode: 0o600 });
  const r2 = await runClaim(['--server', url, '--key-file', keyFile, '--dry-run'], () => undefined);
  assert.deepEqual([r2.claimed, r2.claimable, r2.paid], [expected, 0n, 0n]);
  await assert.rejects(
    runClaim(['--key', '0x12'], () => undefined),
    /--key \(or the --key-file contents\) must be/,
  );
});
