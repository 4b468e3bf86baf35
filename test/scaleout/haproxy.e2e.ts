// Three loraledger replicas on loopback behind the shipped deploy/haproxy/haproxy.cfg (HAProxy 2.6+,
// run as shipped with its LL_* addresses), on one real anvil whose settlement contract allows the
// three replicas' posters. Not part of `npm test` (it needs the haproxy binary): npm run test:haproxy.
//   - affinity: every request for one adapter lands on one replica (the x-loraledger-replica
//     header), also when "model" comes after 20 KiB of messages (as the OpenAI Python client writes it);
//   - failover: the replica serving an adapter is SIGKILLed under load: only requests in flight on
//     it fail, each with HAProxy's OpenAI-shaped 502; every request sent after the kill is served by
//     another replica; restarted on its port, it rejoins and its adapters come home;
//   - settlement: every attributed request served settles exactly once (one outbox row, settled,
//     in an epoch whose on-chain root is recomputed from that replica's outbox).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import {
  ANVIL_DEV_KEYS,
  createChainClient,
  freePort,
  startAnvil,
  type AnvilNode,
  type ChainClient,
  type Hex,
} from '../../attribution/index.ts';
import { generateAdapter } from '../../factory/index.ts';
import { loadModelSpec } from '../../kernels/model/index.ts';
import { replicaProcess, type ReplicaProcess } from '../support/replicaProcess.ts';
import { readOutbox, settlementProblems } from '../support/outboxSettlement.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const MODEL = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const ADMIN = 'haproxy-admin-key-1';
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const CHAIN_ID = 31337;
const POSTER_KEYS = [ANVIL_DEV_KEYS[1]!, ANVIL_DEV_KEYS[2]!, ANVIL_DEV_KEYS[3]!];
const ADAPTERS = ['law', 'med', 'code', 'chef', 'poet', 'tax'];
const TEXTS = ['[461] [461] [401] [401] [461] [378]', '[473] [456] [435] [461] [299]', '[409] [283] [264] [461]'];
const CONTRIBUTORS = ['0x00000000000000000000000000000000000000c1', '0x00000000000000000000000000000000000000c2'];

if (spawnSync('haproxy', ['-v']).status !== 0) throw new Error('haproxy is not installed (apt-get install haproxy)');

const tmp = mkdtempSync(join(tmpdir(), 'loraledger-haproxy-'));
let anvil: AnvilNode;
let owner: ChainClient;
let proxy: ChildProcess;
let proxyLog = '';
let base = '';
let statsUrl = '';
const replicas: ReplicaProcess[] = [];
const served: Array<{ replica: string; recordId: string }> = [];

/** HAProxy's view of each server (stats CSV): name -> UP | DOWN | ... */
async function proxyStatus(): Promise<Map<string, string>> {
  const csv = await (await fetch(`${statsUrl};csv`)).text();
  const out = new Map<string, string>();
  for (const line of csv.split('\n')) {
    const f = line.split(',');
    if (f[0] === 'replicas' && /^r\d$/.test(f[1] ?? '')) out.set(f[1]!, f[17]!);
  }
  return out;
}

async function waitStatus(want: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await proxyStatus();
    if (Object.entries(want).every(([k, v]) => s.get(k) === v)) return;
    if (Date.now() > deadline) assert.fail(`haproxy servers ${JSON.stringify([...s])}, want ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until HAProxy counts no request on any server. A sequential client can send its next
 * request before HAProxy has closed the previous one's stream; that one still counts as load,
 * and bounded load (hash-balance-factor 150) then spills the next request off its home replica
 * by design. The affinity checks are about the hash, so they send into an idle backend.
 */
async function waitIdle(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const csv = await (await fetch(`${statsUrl};csv`)).text();
    const busy = csv
      .split('\n')
      .map((l) => l.split(','))
      .filter((f) => f[0] === 'replicas' && /^r\d$/.test(f[1] ?? '') && f[4] !== '0');
    if (busy.length === 0) return;
    if (Date.now() > deadline) assert.fail(`haproxy still counts requests on ${busy.map((f) => f[1]).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Outcome {
  status: number;
  replica: string | null;
  body: any;
  startedAt: number;
}

/** One attributed completion through the proxy; "model" is written after the prompt. */
async function viaProxy(adapter: string, i: number, maxTokens = 4): Promise<Outcome> {
  const startedAt = Date.now();
  const res = await fetch(`${base}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      prompt: ['[461] [401]', '[473] [456]', '[409] [283]'][i % 3],
      max_tokens: maxTokens,
      temperature: 0,
      rag: { datanets: ['tales'], top_k: 2 },
      model: adapter,
    }),
  }).catch((err: Error) => err);
  if (res instanceof Error)
    return { status: 0, replica: null, body: { transport: String(res.cause ?? res) }, startedAt };
  const body = await res.json().catch(() => null);
  const o = { status: res.status, replica: res.headers.get('x-loraledger-replica'), body, startedAt };
  if (o.status === 200) {
    assert.ok(body.attribution?.record_id, `attributed: ${JSON.stringify(body).slice(0, 300)}`);
    served.push({ replica: o.replica!, recordId: body.attribution.record_id });
  }
  return o;
}

before(async () => {
  anvil = await startAnvil({ chainId: CHAIN_ID });
  const deployer = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]! });
  const contract = await deployer.deploy(POSTER_KEYS.map((k) => privateKeyToAccount(k).address));
  owner = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]!, contract });
  // one adapter folder shared by every replica (as a shared volume would be)
  const spec = await loadModelSpec(MODEL);
  for (const [i, id] of ADAPTERS.entries())
    await generateAdapter({ dir: join(tmp, 'adapters', id), spec, seed: 50 + i, rank: 2, targets: ['q_proj'] });
  const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  for (const [i, posterKey] of POSTER_KEYS.entries()) {
    const dir = join(tmp, `r${i + 1}`);
    const args = [
      ...['--model', MODEL, '--adapters', join(tmp, 'adapters'), '--replica-id', `r${i + 1}`],
      ...['--data-dir', join(dir, 'data'), '--cache-dir', join(dir, 'cache')],
      ...['--chain', 'rpc', '--chain-rpc', anvil.rpcUrl, '--chain-id', String(CHAIN_ID)],
      ...['--settlement-contract', contract, '--poster-key', posterKey, '--admin-key', ADMIN],
      ...['--epoch-seconds', '1', '--epoch-max-records', '25', '--shutdown-deadline', '1'],
      ...['--fee-model-ppm', '0', '--fee-adapter-ppm', '0', '--fee-data-ppm', '1000000'],
      ...['--threads', '1', '--max-batch-size', '8', '--max-batch-tokens', '512', '--log-level', 'info'],
    ];
    replicas.push(replicaProcess(`r${i + 1}`, args, 180_000, ports[i]!));
  }
  await Promise.all(replicas.map((r) => r.start()));
  for (const r of replicas) {
    const made = await fetch(`${r.url}/v1/datanets`, { method: 'POST', headers: auth, body: '{"id":"tales"}' });
    assert.equal(made.status, 200, await made.text());
    for (const [i, text] of TEXTS.entries()) {
      const body = JSON.stringify({ text, contributor: CONTRIBUTORS[i % CONTRIBUTORS.length] });
      const doc = await fetch(`${r.url}/v1/datanets/tales/documents`, { method: 'POST', headers: auth, body });
      assert.equal(doc.status, 200, await doc.text());
    }
  }
  base = `http://127.0.0.1:${ports[3]}`;
  statsUrl = `http://127.0.0.1:${ports[4]}/stats`;
  proxy = spawn('haproxy', ['-db', '-f', join(ROOT, 'deploy/haproxy/haproxy.cfg')], {
    env: {
      ...process.env,
      LL_BIND: `127.0.0.1:${ports[3]}`,
      LL_STATS: `127.0.0.1:${ports[4]}`,
      ...Object.fromEntries(replicas.map((r, i) => [`LL_R${i + 1}`, `127.0.0.1:${ports[i]}`])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proxy.stdout!.on('data', (d: Buffer) => (proxyLog = (proxyLog + String(d)).slice(-20_000)));
  proxy.stderr!.on('data', (d: Buffer) => (proxyLog = (proxyLog + String(d)).slice(-20_000)));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${statsUrl};csv`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) assert.fail(`haproxy did not start:\n${proxyLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitStatus({ r1: 'UP', r2: 'UP', r3: 'UP' });
});

after(async () => {
  proxy?.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.stop()));
  await anvil?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const home = new Map<string, string>();

test('affinity: the requests for one adapter land on one replica, also with "model" after 20 KiB of messages', async () => {
  for (const adapter of ADAPTERS)
    for (let i = 0; i < 2; i++) {
      await waitIdle();
      const o = await viaProxy(adapter, i);
      assert.equal(o.status, 200, JSON.stringify(o.body));
      if (!home.has(adapter)) home.set(adapter, o.replica!);
      assert.equal(o.replica, home.get(adapter), `${adapter}: request ${i} left its replica`);
    }
  assert.ok(new Set(home.values()).size >= 2, `adapters spread over the replicas: ${JSON.stringify([...home])}`);
  // A long chat body with "model" last: HAProxy must buffer past its default 16 KiB to hash it.
  // (The prompt is longer than stories260K's context, so the home replica answers 400; its header
  // still says which replica the proxy chose.)
  for (const adapter of ADAPTERS) {
    await waitIdle();
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x '.repeat(10_240) }], model: adapter }),
    });
    await res.text();
    assert.ok(res.status < 500, `${adapter}: ${res.status}`);
    assert.equal(res.headers.get('x-loraledger-replica'), home.get(adapter), `${adapter}: long body routed home`);
  }
});

test('failover: SIGKILL under load fails only in-flight requests (OpenAI-shaped 502), later ones go elsewhere, it rejoins', async () => {
  const victimId = home.get(ADAPTERS[0]!)!;
  const victim = replicas.find((r) => r.id === victimId)!;
  const outcomes: Outcome[] = [];
  let killStart = Infinity;
  let killedAt = Infinity; // the victim's process has exited
  let inFlightAtKill = 0;
  let inFlight = 0;
  let next = 0;
  const TOTAL = 48;
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      if (i === 16) {
        inFlightAtKill = inFlight;
        killStart = Date.now();
        await victim.kill();
        killedAt = Date.now();
      }
      inFlight++;
      try {
        outcomes.push(await viaProxy(ADAPTERS[i % ADAPTERS.length]!, i, 12));
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  const failed = outcomes.filter((o) => o.status !== 200);
  const proxied = proxyLog.split('\n').filter((l) => l.includes(' replicas/r') && !l.includes(' 200 '));
  for (const o of failed) {
    assert.equal(o.status, 502, `${JSON.stringify(o.body)}\nhaproxy:\n${proxied.join('\n')}`);
    assert.equal(o.body?.error?.code, 'upstream_failed');
    assert.equal(o.body?.error?.type, 'server_error');
    assert.ok(o.startedAt <= killedAt, 'only requests sent before the replica died fail');
  }
  const sentWhileDying = outcomes.filter((o) => o.startedAt >= killStart && o.startedAt <= killedAt).length;
  assert.ok(
    failed.length <= inFlightAtKill + sentWhileDying,
    `${failed.length} failed; ${inFlightAtKill} were in flight, ${sentWhileDying} sent while it died`,
  );
  const after = outcomes.filter((o) => o.startedAt > killedAt);
  assert.ok(after.length >= 20);
  for (const o of after) {
    assert.equal(o.status, 200, JSON.stringify(o.body));
    assert.notEqual(o.replica, victimId);
  }
  process.stdout.write(
    `# failover: ${failed.length} of ${inFlightAtKill} in flight failed at the kill, ${after.length} later requests all served\n`,
  );

  await waitStatus({ [victimId]: 'DOWN' });
  await victim.start(); // same port, same data dir
  await waitStatus({ r1: 'UP', r2: 'UP', r3: 'UP' });
  for (const adapter of ADAPTERS.filter((a) => home.get(a) === victimId)) {
    await waitIdle();
    const o = await viaProxy(adapter, 0);
    assert.equal(o.status, 200, JSON.stringify(o.body));
    assert.equal(o.replica, victimId, `${adapter} is served by its replica again`);
  }
});

test('settlement: every attributed request served through the proxy settles exactly once', async () => {
  for (const r of replicas) if (!r.up) await r.start(); // (when the failover test stopped early)
  for (const r of replicas) {
    const res = await fetch(`${r.url}/v1/attribution/settle`, { method: 'POST', headers: auth, body: '{}' });
    assert.equal(res.status, 200, await res.text());
  }
  await Promise.all(replicas.map((r) => r.stop()));
  const rows = new Map<string, number>();
  for (const [i, r] of replicas.entries()) {
    const outbox = readOutbox(join(tmp, r.id, 'data'));
    const poster = privateKeyToAccount(POSTER_KEYS[i]!).address as Hex;
    assert.deepEqual(await settlementProblems(owner, poster, outbox), [], r.id);
    for (const row of outbox.records) rows.set(row.record_id, (rows.get(row.record_id) ?? 0) + 1);
  }
  for (const s of served) assert.equal(rows.get(s.recordId), 1, `${s.recordId} (${s.replica}) is in one outbox once`);
  process.stdout.write(`# settlement: ${served.length} served records, ${rows.size} records in the outboxes\n`);
});
