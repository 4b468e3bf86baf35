// Attribution across replicas, end to end: one real anvil, one settlement contract whose owner
// allowed three posters, and three loraledger processes (stories260K), each with its own
// --replica-id, data dir (outbox, generated record-signing key) and --poster-key. Attributed RAG
// requests go round robin to the live replicas; halfway, replica r1 is SIGKILLed under load and
// restarted on its data dir. Then:
//   - every record in every outbox is in a settled epoch of its replica's poster, and each
//     epoch's records root on chain is the one recomputed from the outbox rows (so each record is
//     on chain exactly once, and the chain holds no epoch the outboxes do not);
//   - what each poster funded on chain is what its records pay, and the whole fee of each record
//     is paid out (--fee-model-ppm 0 --fee-data-ppm 1000000) whenever a source scored positive;
//   - each contributor's claim (the claim CLI over all three servers: one claimMany) pays exactly
//     the sum of its amounts over every record, a repeat pays 0, and the contract ends empty;
//   - verify-record passes for a record of each replica given the three servers.
// Requests: LORALEDGER_TEST_REQUESTS (default 30 in `npm test`; `npm run test:replicas` runs 300).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import {
  ANVIL_DEV_KEYS,
  createChainClient,
  recordIdOf,
  runClaim,
  runVerifyRecord,
  startAnvil,
  type AnvilNode,
  type AttributionRecord,
  type ChainClient,
  type Hex,
} from '../attribution/index.ts';
import { replicaProcess, type ReplicaProcess } from './support/replicaProcess.ts';
import { readOutbox, settlementProblems } from './support/outboxSettlement.ts';

const REQUESTS = Number(process.env.LORALEDGER_TEST_REQUESTS ?? 30);
const CONCURRENCY = 6;
const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const ADMIN = 'replica-admin-key-1';
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const CHAIN_ID = 31337;
const CONTRIBUTORS = [
  '0x00000000000000000000000000000000000000c1',
  '0x00000000000000000000000000000000000000c2',
  '0x00000000000000000000000000000000000000c3',
];
const TEXTS = [
  '[461] [461] [401] [401] [401] [461] [378] [455]',
  '[473] [456] [435] [461] [299] [362]',
  '[409] [283] [264] [461] [283] [452]',
];
const PROMPTS = ['[461] [401]', '[461] [283]', '[461]', '[473] [456]', '[409] [283] [264]'];
const POSTER_KEYS = [ANVIL_DEV_KEYS[1]!, ANVIL_DEV_KEYS[2]!, ANVIL_DEV_KEYS[3]!];
const RELAYER_KEY = ANVIL_DEV_KEYS[4]!;

const tmp = mkdtempSync(join(tmpdir(), 'loraledger-replicas-'));
let anvil: AnvilNode;
let owner: ChainClient;
let contract: Hex;
const replicas: ReplicaProcess[] = [];
const t0 = Date.now();
let startedAt = 0;

before(async () => {
  anvil = await startAnvil({ chainId: CHAIN_ID });
  const deployer = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]! });
  contract = await deployer.deploy(POSTER_KEYS.map((k) => privateKeyToAccount(k).address));
  owner = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]!, contract });
  for (const [i, posterKey] of POSTER_KEYS.entries()) {
    const dir = join(tmp, `r${i}`);
    const args = [
      ...[
        '--model',
        MODEL,
        '--replica-id',
        `r${i}`,
        '--data-dir',
        join(dir, 'data'),
        '--cache-dir',
        join(dir, 'cache'),
      ],
      ...['--chain', 'rpc', '--chain-rpc', anvil.rpcUrl, '--chain-id', String(CHAIN_ID)],
      ...['--settlement-contract', contract, '--poster-key', posterKey, '--admin-key', ADMIN],
      ...['--epoch-seconds', '1', '--epoch-max-records', '25', '--shutdown-deadline', '1'],
      ...['--fee-model-ppm', '0', '--fee-adapter-ppm', '0', '--fee-data-ppm', '1000000'],
      ...['--threads', '1', '--max-batch-size', '8', '--max-batch-tokens', '512', '--log-level', 'info'],
    ];
    replicas.push(replicaProcess(`r${i}`, args, 300_000)); // three engines starting at once on a loaded 2-core host took up to 2 minutes
  }
  await Promise.all(replicas.map((r) => r.start()));
  startedAt = Date.now();
  // the same DataNet on every replica (as adapters and DataNets are synced to every pod)
  for (const r of replicas) {
    const made = await fetch(`${r.url}/v1/datanets`, { method: 'POST', headers: auth, body: '{"id":"tales"}' });
    assert.equal(made.status, 200, await made.text());
    for (const [i, text] of TEXTS.entries()) {
      const doc = await fetch(`${r.url}/v1/datanets/tales/documents`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ text, contributor: CONTRIBUTORS[i] }),
      });
      assert.equal(doc.status, 200, await doc.text());
    }
  }
});

after(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await anvil?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Served {
  replica: string;
  recordId: string;
}

/** One attributed request to `r`; null when the replica died under it (connection reset). */
async function complete(r: ReplicaProcess, i: number): Promise<Served | null> {
  let res: Response;
  try {
    res = await fetch(`${r.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'stories260K',
        prompt: PROMPTS[i % PROMPTS.length],
        max_tokens: 3 + (i % 4),
        temperature: 0,
        rag: { datanets: ['tales'], top_k: 3 },
      }),
    });
  } catch {
    return null;
  }
  const body = (await res.json().catch(() => null)) as any;
  if (!r.up && res.status !== 200) return null;
  assert.equal(res.status, 200, JSON.stringify(body));
  const replica = res.headers.get('x-loraledger-replica')!;
  assert.equal(replica, r.id);
  assert.equal(body.attribution.record_id, recordIdOf(body.id, replica), 'the record id carries the replica id');
  return { replica, recordId: body.attribution.record_id };
}

/** What a record pays each account, summed from its fields (independent of the settlement code). */
function payouts(r: AttributionRecord): Array<[string, bigint]> {
  return [
    ...r.sources.map((s): [string, bigint] => [s.contributor.toLowerCase(), BigInt(s.amount)]),
    ...(r.trainingSources ?? []).map((t): [string, bigint] => [t.contributor.toLowerCase(), BigInt(t.amount)]),
    [r.adapterOwner.toLowerCase(), BigInt(r.adapterAmount)],
  ];
}

test(`${REQUESTS} attributed requests over 3 replicas, one SIGKILLed and restarted: every record settles once and claims pay exactly`, async () => {
  const served: Served[] = [];
  let failed = 0;
  let next = 0;
  let restart: Promise<void> | null = null;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      if (i === Math.floor(REQUESTS / 2) && restart === null) {
        // SIGKILL r1 with requests in flight; it restarts on its data dir while the others serve
        restart = replicas[1]!.kill().then(() => replicas[1]!.start());
      }
      const live = replicas.filter((r) => r.up);
      const r = live[i % live.length]!;
      const s = await complete(r, i);
      if (s === null) failed++;
      else served.push(s);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await restart;
  const servedAt = Date.now();
  assert.ok(replicas.every((r) => r.up));
  assert.ok(served.length >= REQUESTS - CONCURRENCY, `served ${served.length}, failed ${failed}`);
  assert.ok(new Set(served.map((s) => s.replica)).size === 3);

  // settle whatever is still open on every replica
  for (const r of replicas) {
    const res = await fetch(`${r.url}/v1/attribution/settle`, { method: 'POST', headers: auth, body: '{}' });
    assert.equal(res.status, 200, await res.text());
  }
  for (const [i, r] of replicas.entries()) {
    const info = (await (await fetch(`${r.url}/v1/attribution/contract`)).json()) as {
      poster: string;
      replica: string;
    };
    assert.deepEqual([info.poster, info.replica], [privateKeyToAccount(POSTER_KEYS[i]!).address, r.id]);
  }
  const urls = replicas.map((r) => r.url);
  for (const id of ['r0', 'r1', 'r2']) {
    const s = served.find((x) => x.replica === id)!;
    const lines: string[] = [];
    const check = await runVerifyRecord(
      ['--server', urls.join(','), '--rpc', anvil.rpcUrl, '--record', s.recordId],
      (l) => lines.push(l),
    );
    assert.equal(check.ok, true, lines.join('\n'));
    assert.equal(check.replicaOk, true);
  }

  // each contributor claims through every replica at once (one transaction), then again (nothing)
  const paid = new Map<string, bigint>();
  for (const c of CONTRIBUTORS) {
    const before = await owner.balance(c as Hex);
    const args = ['--key', RELAYER_KEY, '--account', c, '--server', urls.join(','), '--rpc', anvil.rpcUrl];
    const first = await runClaim(args, () => undefined);
    assert.equal(first.paid, first.claimable);
    assert.equal((await owner.balance(c as Hex)) - before, first.paid);
    paid.set(c, first.paid);
    const again = await runClaim(args, () => undefined);
    assert.deepEqual([again.claimable, again.paid, again.claimed], [0n, 0n, first.paid]);
  }
  assert.equal(await owner.balance(contract), 0n, 'every wei the posters funded was claimed');

  await Promise.all(replicas.map((r) => r.stop()));
  const owed = new Map<string, bigint>();
  const seen = new Set<string>();
  let funded = 0n;
  let fees = 0n;
  let feesOfPaidRecords = 0n;
  for (const [i, r] of replicas.entries()) {
    const poster = privateKeyToAccount(POSTER_KEYS[i]!).address;
    const outbox = readOutbox(join(tmp, r.id, 'data'));
    // every row settled, the chain holds exactly the outbox's epochs, each root recomputed from its rows
    assert.deepEqual(await settlementProblems(owner, poster, outbox), [], r.id);
    let posterPays = 0n;
    for (const row of outbox.records) {
      assert.ok(!seen.has(row.record_id), `record ${row.record_id} in one outbox only`);
      seen.add(row.record_id);
      const record = JSON.parse(row.body) as AttributionRecord;
      let recordPays = 0n;
      for (const [account, amount] of payouts(record)) {
        if (amount === 0n) continue;
        owed.set(account, (owed.get(account) ?? 0n) + amount);
        recordPays += amount;
      }
      fees += BigInt(record.fee);
      if (record.sources.some((s) => s.sharePpm > 0)) {
        assert.equal(recordPays, BigInt(record.fee), `${record.recordId}: the whole fee is paid out`);
        feesOfPaidRecords += BigInt(record.fee);
      } else assert.equal(recordPays, 0n);
      posterPays += recordPays;
    }
    const { funded: posterFunded, paidOut } = await owner.posterFunds(poster);
    assert.equal(posterFunded, posterPays, `${r.id}: funded once per record`);
    assert.equal(paidOut, posterFunded, `${r.id}: its claims paid out all it funded`);
    funded += posterFunded;
  }
  for (const s of served) assert.ok(seen.has(s.recordId), `served record ${s.recordId} is in an outbox`);
  const totalPaid = [...paid.values()].reduce((a, b) => a + b, 0n);
  assert.equal(totalPaid, funded, 'sum paid out = sum funded = sum of record payouts');
  assert.equal(totalPaid, feesOfPaidRecords, 'sum paid out = sum of the fees of records with a paid source');
  for (const c of CONTRIBUTORS)
    assert.equal(paid.get(c), owed.get(c) ?? 0n, `contributor ${c}: claims pay the exact total`);
  assert.ok(totalPaid > 0n);
  process.stdout.write(
    `# replicas: start ${((startedAt - t0) / 1000).toFixed(1)} s, requests ${((servedAt - startedAt) / 1000).toFixed(1)} s, settle/claims/checks ${((Date.now() - servedAt) / 1000).toFixed(1)} s; ${served.length} served, ${failed} failed at the kill, ${seen.size} records, fees ${fees}, paid out ${totalPaid} (${feesOfPaidRecords} of fees from records with a paid source)\n`,
  );
});
