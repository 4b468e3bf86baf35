// API keys end to end: the official `openai` client with and without a key against the embedded
// default, the WebSocket, router errors in OpenAI's shape, and (in a child process running the
// real CLI at log level trace) that no secret reaches the logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import WebSocket from 'ws';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';
import { replicaProcess } from './support/replicaProcess.ts';
import { flagKeyName } from '../server/security/apiKeys.ts';
import { recordDigest, type AttributionRecord } from '../attribution/index.ts';

const KEY = 'sk-e2e-0123456789abcdef';
const ADMIN = 'admin-e2e-0123456789';
// pinned cache sizes: the tests do not depend on start-time sizing
const SIZES = ['--max-active-adapters', '4', '--max-cached-adapters', '16', '--max-cached-adapter-bytes', '268435456'];
let server: EmbeddedServer;

before(async () => {
  server = await startEmbeddedServer('security', ['--api-key', KEY, '--admin-key', ADMIN, ...SIZES]);
});
after(async () => server?.close());

test('the openai client: no key or a wrong key is a 401 AuthenticationError; the right key is served', async () => {
  // no Authorization header at all (the client always sends one unless told to drop it)
  const none = new OpenAI({
    baseURL: server.base,
    apiKey: 'x',
    maxRetries: 0,
    defaultHeaders: { authorization: null },
  });
  await assert.rejects(none.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  const wrong = new OpenAI({ baseURL: server.base, apiKey: 'sk-wrong-0123456789', maxRetries: 0 });
  await assert.rejects(
    wrong.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
    (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key',
  );
  const client = new OpenAI({ baseURL: server.base, apiKey: KEY, maxRetries: 0 });
  const models = await client.models.list();
  assert.ok(models.data.length > 0);
  const chat = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 2,
  });
  assert.equal(chat.object, 'chat.completion');
  const stream = await client.completions.create({
    model: models.data[0].id,
    prompt: 'Once',
    max_tokens: 3,
    stream: true,
  });
  let chunks = 0;
  for await (const _ of stream) chunks++;
  assert.ok(chunks > 0);
  // files and fine-tuning are protected too
  await assert.rejects(none.files.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError);
  await assert.rejects(none.fineTuning.jobs.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError);
  assert.equal((await fetch(`${server.base.replace(/\/v1$/, '')}/health`)).status, 200);
});

test('the record of an attributed request names the key that paid (its name, never the key), outside the signed fields', async () => {
  const headers = { authorization: `Bearer ${KEY}` };
  const body = { model: 'auto', messages: [{ role: 'user', content: 'hello' }], max_tokens: 2, attribution: 'inline' };
  const viaHttp = await server.app.inject({ method: 'POST', url: '/v1/chat/completions', headers, payload: body });
  assert.equal(viaHttp.statusCode, 200, viaHttp.body);
  const recordId = (viaHttp.json() as { attribution: { record_id: string } }).attribution.record_id;
  const stored = await server.app.inject({ method: 'GET', url: `/v1/attribution/records/${recordId}`, headers });
  assert.equal(stored.statusCode, 200, stored.body);
  const view = stored.json() as { record: Record<string, unknown>; digest: string };
  assert.equal(view.record.payer, flagKeyName(KEY));
  assert.ok(!stored.body.includes(KEY), 'the key itself is not in the record');
  // the signature does not cover it: the digest is the one of the record without payer
  const { payer: _p, ...unsigned } = view.record;
  assert.equal(recordDigest(unsigned as unknown as AttributionRecord, await eip712Domain()), view.digest);
  // the admin key pays as "admin"; the Responses API carries the payer too
  const admin = await server.app.inject({
    method: 'POST',
    url: '/v1/responses',
    headers: { authorization: `Bearer ${ADMIN}` },
    payload: { model: 'auto', input: 'hello', max_output_tokens: 2, attribution: 'inline' },
  });
  assert.equal(admin.statusCode, 200, admin.body);
  const adminRecord = (admin.json() as { attribution?: { record_id?: string } | null }).attribution?.record_id;
  assert.ok(adminRecord, `the Responses API answer carries its record id: ${admin.body.slice(0, 300)}`);
  const r = await server.app.inject({ method: 'GET', url: `/v1/attribution/records/${adminRecord}`, headers });
  assert.equal((r.json() as { record: { payer?: string } }).record.payer, 'admin');
});

async function eip712Domain() {
  const r = await server.app.inject({
    method: 'GET',
    url: '/v1/attribution/eip712',
    headers: { authorization: `Bearer ${KEY}` },
  });
  return (r.json() as { domain: Parameters<typeof recordDigest>[1] }).domain;
}

test('/v1/ws: refused with 401 without a key (and the socket is closed), served with one', async () => {
  const url = server.base.replace(/^http/, 'ws') + '/ws';
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      res.socket.once('close', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    ws.on('error', () => {});
  });
  assert.equal(refused, 401, 'the refused upgrade answered 401 and the server closed its socket');
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${KEY}` } });
  await new Promise((r) => ws.once('open', r));
  const replies: Array<{ id: string | null; type: string; error?: { code: string } }> = [];
  ws.on('message', (m) => replies.push(JSON.parse(String(m))));
  // prototype keys as the message type are refused as invalid, not crashed on (fuzzer finding)
  for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
    ws.send(JSON.stringify({ id: type, type, body: { model: 'auto', prompt: 'hi', max_tokens: 1 } }));
  ws.send(JSON.stringify({ id: 'ok', type: 'completions', body: { model: 'auto', prompt: 'hi', max_tokens: 1 } }));
  const t0 = Date.now();
  while (!replies.some((r) => r.id === 'ok' && r.type === 'done') && Date.now() - t0 < 30_000)
    await new Promise((r) => setTimeout(r, 20));
  // a message that does not parse as an envelope is answered with id null
  const refusedTypes = replies.filter((x) => x.id === null);
  assert.deepEqual(
    refusedTypes.map((x) => [x.type, x.error?.code]),
    Array.from({ length: 4 }, () => ['error', 'invalid_request']),
  );
  assert.ok(!replies.some((x) => x.type === 'error' && x.error?.code === 'internal_error'));
  ws.close();
});

test('router errors are in OpenAI shape: bad percent-encoding (400) and an over-long path parameter (414)', async () => {
  const headers = { authorization: `Bearer ${KEY}` };
  for (const [url, status] of [
    ['/v1/models/%ED%A0%80', 400],
    ['/v1/files/%c0%af/content', 400],
    [`/v1/models/${'x'.repeat(500)}`, 414],
  ] as const) {
    const res = await server.app.inject({ method: 'GET', url, headers });
    assert.equal(res.statusCode, status, url);
    const e = (res.json() as { error: Record<string, unknown> }).error;
    assert.equal(typeof e.message, 'string');
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.code, 'invalid_request');
  }
});

test('fuzzer finding: a multipart upload without a boundary (or cut off) is a 400, not a 500', async () => {
  for (const [type, payload] of [
    ['multipart/form-data', '{"a":1}'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n{"a"',
    ],
  ]) {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/files',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': type },
      payload,
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'invalid_request');
  }
});

test('no secret (API key, admin key, metrics key, signer key, poster key, RPC credentials) appears in the logs at trace level', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loraledger-secrets-'));
  const secrets = {
    apiKey: 'sk-logcheck-5f1e2d3c4b5a6978',
    admin: 'admin-logcheck-8a7b6c5d4e3f',
    metrics: 'metrics-logcheck-1a2b3c4d5e',
    signer: '0x' + '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
    poster: '0x' + '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
    rpc: 'http://rpcuser:rpc-password-9f8e7d@127.0.0.1:1/secret-path-token',
  };
  const proc = replicaProcess('secrets', [
    ...['--cache-dir', join(dir, 'cache'), '--data-dir', join(dir, 'data'), '--embedded-profile', 'quick'],
    ...['--chain', 'off', '--threads', '1', '--log-level', 'trace', ...SIZES],
    ...['--api-key', secrets.apiKey, '--admin-key', secrets.admin, '--metrics-key', secrets.metrics],
    ...['--signer-key', secrets.signer, '--poster-key', secrets.poster, '--chain-rpc', secrets.rpc],
  ]);
  try {
    await proc.start();
    const auth = (k: string) => ({ authorization: `Bearer ${k}`, 'content-type': 'application/json' });
    const post = (path: string, key: string, body: unknown) =>
      fetch(`${proc.url}${path}`, { method: 'POST', headers: auth(key), body: JSON.stringify(body) });
    assert.equal(
      (await post('/v1/completions', secrets.apiKey, { model: 'auto', prompt: 'hi', max_tokens: 2 })).status,
      200,
    );
    const stream = await post('/v1/chat/completions', secrets.apiKey, {
      model: 'auto',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 2,
      stream: true,
    });
    await stream.text();
    assert.equal(
      (await post('/v1/completions', secrets.admin, { model: 'auto', prompt: 'x', max_tokens: 1 })).status,
      200,
    );
    assert.equal((await post('/v1/completions', secrets.metrics, { model: 'auto', prompt: 'x' })).status, 401);
    assert.equal((await fetch(`${proc.url}/metrics`, { headers: auth(secrets.metrics) })).status, 200);
    assert.equal((await fetch(`${proc.url}/metrics`, { headers: auth(secrets.apiKey) })).status, 401);
    await post('/v1/load_lora_adapter', secrets.admin, { lora_name: 'x', lora_path: '/nonexistent' });
    await post('/v1/load_lora_adapter', secrets.apiKey, { lora_name: 'x', lora_path: '/nonexistent' });
    await stop(proc);
    assert.match(proc.log, /"level":10/, 'trace lines were written');
    assert.ok(proc.log.includes(flagKeyName(secrets.apiKey)) || proc.log.includes('"apiKeys":1'), 'the key is named');
    for (const [what, secret] of Object.entries(secrets)) {
      const needles = [secret, secret.replace(/^0x/, ''), 'rpc-password-9f8e7d', 'secret-path-token'];
      for (const n of what === 'rpc' ? needles.slice(2) : needles.slice(0, 2))
        assert.ok(!proc.log.includes(n), `${what} found in the log`);
    }
  } finally {
    await proc.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

async function stop(proc: { stop(): Promise<void> }): Promise<void> {
  await proc.stop();
}
