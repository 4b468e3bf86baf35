// The validators' share of the fee, end to end: buildApp with the real attribution factory on a
// local anvil (stories260K on the real engine), --fee-validators-ppm 100000. A governed DataNet's
// two validators (stakes 1 and 3 ETH) approve its documents; a RAG request on it pays the
// contributor and the validators (record version 3, amounts hand-checked against the fee), the
// epoch settles, and a validator claims its amount on chain with `npm run claim`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startAttributedApp } from './support/attributedApp.ts';
import {
  ANVIL_DEV_KEYS,
  ballotTree,
  bodyHash,
  createRegistryClient,
  datanetKey,
  runClaim,
  signBallot,
  signRequest,
  type RegistryDomain,
} from '../attribution/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const KEY = 'fees-admin-key-1';
const admin = { authorization: `Bearer ${KEY}` };
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-datanet-fees-'));
const OWNER_KEY: Hex = '0x1111111111111111111111111111111111111111111111111111111111111111';
const CONTRIBUTOR_KEY: Hex = '0x2222222222222222222222222222222222222222222222222222222222222222';
const VALIDATOR_KEYS = [ANVIL_DEV_KEYS[2]!, ANVIL_DEV_KEYS[3]!];
const contributor = privateKeyToAccount(CONTRIBUTOR_KEY).address.toLowerCase();
let app: FastifyInstance;

before(async () => {
  app = await startAttributedApp([
    ...['--model', MODEL, '--cache-dir', join(tmp, 'cache'), '--data-dir', join(tmp, 'data')],
    ...['--admin-key', KEY, '--log-level', 'silent', '--chain', 'anvil', '--epoch-seconds', '0'],
    ...['--fee-model-ppm', '400000', '--fee-validators-ppm', '100000'],
    ...['--threads', '1', '--max-batch-size', '8', '--max-batch-tokens', '512'],
  ]);
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('a RAG request on a governed DataNet pays its contributor and its validators pro rata to stake, claimable on chain', async () => {
  const reg = (await app.inject('/v1/datanet-registry')).json() as {
    address: Hex;
    chain_id: number;
    now: number;
    eip712: { domain: RegistryDomain };
  };
  const rpcUrl = (await app.inject('/v1/attribution/contract')).json().rpc_url as string;
  const domain = reg.eip712.domain;
  const signed = async (key: Hex, action: string, payload: Record<string, unknown>) => {
    const actor = privateKeyToAccount(key).address.toLowerCase() as Hex;
    const expires = ((await app.inject('/v1/datanet-registry')).json().now as number) + 600;
    const signature = await signRequest(key, domain, {
      actor,
      action,
      datanet: 'tales',
      body: bodyHash(payload),
      expires,
    });
    return { ...payload, actor, expires, signature };
  };
  const create = {
    id: 'tales',
    owner: privateKeyToAccount(OWNER_KEY).address.toLowerCase(),
    policy: 'validators',
    quorum: 2,
    min_stake: '1',
  };
  const created = await app.inject({
    method: 'POST',
    url: '/v1/datanets',
    payload: await signed(OWNER_KEY, 'create', create),
  });
  assert.equal(created.statusCode, 200, created.body);
  const stakes = [parseEther('1'), parseEther('3')];
  for (const [i, k] of VALIDATOR_KEYS.entries())
    await createRegistryClient({ rpcUrl, chainId: reg.chain_id, privateKey: k, registry: reg.address }).stake(
      'tales',
      stakes[i]!,
    );
  const docIds: Hex[] = [];
  for (const text of ['[461] [461] [401] [401] [401] [461] [378] [455]', '[473] [456] [435] [461] [299] [362]']) {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/datanets/tales/documents',
      payload: await signed(CONTRIBUTOR_KEY, 'submit', { text, contributor }),
    });
    assert.equal(r.statusCode, 200, r.body);
    docIds.push(r.json().doc_id);
  }
  const round = (
    await app.inject({ method: 'POST', url: '/v1/datanets/tales/rounds', headers: admin, payload: {} })
  ).json().round as number;
  for (const k of VALIDATOR_KEYS) {
    const votes = docIds.map((d) => ({ doc_id: d, approve: true }));
    const root = ballotTree(votes.map((v) => ({ docId: v.doc_id as Hex, approve: true }))).root as Hex;
    const signature = await signBallot(k, domain, { datanet: datanetKey('tales'), round, votesRoot: root });
    const b = await app.inject({
      method: 'POST',
      url: `/v1/datanets/tales/rounds/${round}/ballots`,
      payload: { voter: privateKeyToAccount(k).address, votes, signature },
    });
    assert.equal(b.statusCode, 200, b.body);
  }
  const tally = await app.inject({
    method: 'POST',
    url: `/v1/datanets/tales/rounds/${round}/tally`,
    headers: admin,
    payload: {},
  });
  assert.equal(tally.statusCode, 200, tally.body);

  const res = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: {
      model: 'stories260K',
      prompt: '[461] [401]',
      max_tokens: 6,
      temperature: 0,
      rag: { datanets: ['tales'], top_k: 2 },
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const a = res.json().attribution;
  const fee = BigInt(a.fee.total);
  assert.ok(fee > 0n);
  // pool = floor(fee x 100000 / 1e6), all of it to 'tales' (every source is there); stakes 1 : 3
  const pool = (fee * 100_000n) / 1_000_000n;
  const v = VALIDATOR_KEYS.map((k) => privateKeyToAccount(k).address.toLowerCase());
  const owed = new Map(a.validators.map((x: { validator: string; amount: string }) => [x.validator, BigInt(x.amount)]));
  assert.equal((owed.get(v[0]!) as bigint) + (owed.get(v[1]!) as bigint), pool);
  // floors pool/4 and 3pool/4; the unit left over goes to the larger remainder (p%4 vs 3p%4; a tie to the first)
  assert.equal(owed.get(v[0]!), pool / 4n + (pool % 4n >= 2n ? 1n : 0n));
  assert.equal(BigInt(a.fee.model), fee - BigInt(a.fee.adapter) - BigInt(a.fee.data) - BigInt(a.fee.training) - pool);
  const view = (await app.inject(`/v1/attribution/records/${a.record_id}`)).json();
  assert.equal(view.primary_type, 'AttributionRecordV3');

  const settled = await app.inject({ method: 'POST', url: '/v1/attribution/settle', headers: admin });
  assert.equal(settled.json().status, 'settled', settled.body);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const claim = await runClaim(['--key', VALIDATOR_KEYS[1]!, '--server', url], () => undefined);
  assert.equal(claim.paid, owed.get(v[1]!));
  assert.ok(claim.paid > 0n);
});
