// The security layer on a small app with the real route paths (the layer decides by route), the
// real error handler and real sockets for the slow-client timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { LoraledgerError } from '../../common/index.ts';
import { loadConfig, redactConfig } from '../config.ts';
import { installErrorHandlers } from '../http/errorHandler.ts';
import { installSecurity, serverTimeouts } from './installSecurity.ts';
import { flagKeyName, loadKeyRing } from './apiKeys.ts';

const KEY_A = 'sk-alpha-0123456789';
const KEY_B = 'sk-bravo-0123456789';
const ADMIN = 'admin-key-0123456789';

interface TestApp {
  app: FastifyInstance;
  /** Completion handlers started (the body was read). */
  started: () => number;
  /** Lets every held completion finish. */
  release: () => void;
}

/** An app with the layer installed; POST /v1/completions waits for release() when hold is set. */
async function makeApp(argv: string[], opts: { hold?: boolean } = {}): Promise<TestApp> {
  const config = loadConfig({ argv, env: {} });
  const app = Fastify({ logger: false, ...serverTimeouts(config) });
  installErrorHandlers(app);
  await installSecurity(app, config);
  let started = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  app.post('/v1/completions', async (request) => {
    started++;
    if (opts.hold) await gate;
    return { payer: request.payer };
  });
  app.get('/v1/models', async (request) => ({ payer: request.payer }));
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async () => 'metrics');
  app.get('/factory', async (_r, reply) => reply.type('text/html').send('<p>page</p>'));
  await app.ready();
  return { app, started: () => started, release: () => open() };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function assertOpenAIError(res: { statusCode: number; json(): unknown }, status: number, code: string): void {
  assert.equal(res.statusCode, status);
  const body = res.json() as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(body.error.code, code);
}

test('without keys the API is open; with --api-key every /v1 route needs a bearer key (401 in OpenAI shape)', async () => {
  const open = await makeApp([]);
  assert.equal((await open.app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200);
  await open.app.close();

  const { app } = await makeApp(['--api-key', KEY_A, '--api-key', KEY_B, '--admin-key', ADMIN]);
  const missing = await app.inject({ method: 'GET', url: '/v1/models' });
  assertOpenAIError(missing, 401, 'invalid_api_key');
  assert.equal((missing.json() as { error: { type: string } }).error.type, 'invalid_request_error');
  const wrong = await app.inject({ method: 'GET', url: '/v1/models', headers: bearer('sk-wrong-0123456789') });
  assertOpenAIError(wrong, 401, 'invalid_api_key');
  assert.ok(!wrong.body.includes('sk-wrong'), 'the presented key is not echoed');
  assertOpenAIError(
    await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: KEY_A } }),
    401,
    'invalid_api_key',
  );
  // unmatched /v1 paths, odd spellings and query strings are refused too, before the 404
  assertOpenAIError(await app.inject({ method: 'GET', url: '/v1/nope' }), 401, 'invalid_api_key');
  assertOpenAIError(await app.inject({ method: 'GET', url: '/v1/models?x=/health' }), 401, 'invalid_api_key');
  assert.notEqual((await app.inject({ method: 'GET', url: '/V1/models' })).statusCode, 200);
  assert.notEqual((await app.inject({ method: 'GET', url: '/v1/%6dodels' })).statusCode, 200);

  const a = await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(KEY_A) });
  assert.equal(a.statusCode, 200);
  assert.deepEqual(a.json(), { payer: flagKeyName(KEY_A) });
  assert.match(flagKeyName(KEY_A), /^key-[0-9a-f]{8}$/);
  const b = await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `bearer  ${KEY_B} ` } });
  assert.deepEqual(b.json(), { payer: flagKeyName(KEY_B) });
  // the admin key opens the API as "admin"; /health and /factory stay open
  assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(ADMIN) })).json(), {
    payer: 'admin',
  });
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/factory' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  await app.close();
});

test('the config log line hides API keys, and says none when there are none', () => {
  const none = redactConfig(loadConfig({ argv: [], env: {} }));
  assert.deepEqual(none.apiKey, []);
  const some = redactConfig(
    loadConfig({ argv: ['--api-key', KEY_A], env: { LORALEDGER_METRICS_KEY: 'metrics-key-0123' } }),
  );
  assert.equal(some.apiKey, '(set)');
  assert.equal(some.metricsKey, '(set)');
  assert.ok(!JSON.stringify(some).includes(KEY_A));
});

test('--api-keys-file names its keys; bad files are refused at start-up naming the line, never the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llkeys-'));
  const file = join(dir, 'keys');
  writeFileSync(file, `# team keys\nacme ${KEY_A}\n\n  globex\t${KEY_B}  \n`);
  const { app } = await makeApp(['--api-keys-file', file]);
  assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(KEY_A) })).json(), {
    payer: 'acme',
  });
  assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(KEY_B) })).json(), {
    payer: 'globex',
  });
  await app.close();

  const bad = (text: string, pattern: RegExp) => {
    writeFileSync(file, text);
    assert.throws(
      () => loadKeyRing({ apiKey: [], apiKeysFile: file }),
      (e: unknown) =>
        e instanceof LoraledgerError &&
        e.code === 'config_invalid' &&
        pattern.test(e.message) &&
        !e.message.includes('sk-secret'),
    );
  };
  bad('acme sk-secret-1 extra\n', /line 1: expected "name key"/);
  bad('# c\nac/me sk-secret-12\n', /line 2: the name must be/);
  bad('acme sk-sec\n', /line 1: the key of "acme" is shorter than 8/);
  bad('acme sk-secret-12\nacme sk-secret-34\n', /name "acme" is given twice/);
  bad('acme sk-secret-12\nglobex sk-secret-12\n', /"globex" repeats another key/);
  assert.throws(
    () => loadKeyRing({ apiKey: [], apiKeysFile: join(dir, 'none') }),
    (e: unknown) => e instanceof LoraledgerError && /cannot read \(ENOENT\)/.test(e.message),
  );
});

test('--metrics-key protects /metrics only; /health stays open', async () => {
  const metricsKey = 'metrics-key-0123';
  const { app } = await makeApp(['--metrics-key', metricsKey]);
  assertOpenAIError(await app.inject({ method: 'GET', url: '/metrics' }), 401, 'invalid_api_key');
  assertOpenAIError(
    await app.inject({ method: 'GET', url: '/metrics', headers: bearer(KEY_A) }),
    401,
    'invalid_api_key',
  );
  assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: bearer(metricsKey) })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200, 'no --api-key: API open');
  await app.close();
});

test('admission: generation requests past --max-pending-requests get 429 overloaded + Retry-After before their body is read', async () => {
  const t = await makeApp(['--max-pending-requests', '2'], { hold: true });
  const body = { model: 'm', prompt: 'x'.repeat(1000) };
  const held = [1, 2].map(() => t.app.inject({ method: 'POST', url: '/v1/completions', payload: body }));
  while (t.started() < 2) await new Promise((r) => setTimeout(r, 5));
  const refused = await Promise.all(
    Array.from({ length: 20 }, () => t.app.inject({ method: 'POST', url: '/v1/completions', payload: body })),
  );
  for (const r of refused) {
    assertOpenAIError(r, 429, 'overloaded');
    assert.equal(r.headers['retry-after'], '1');
  }
  assert.equal(t.started(), 2, 'refused requests never reached the handler');
  // non-generation routes are not admission-limited
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200);
  t.release();
  for (const r of await Promise.all(held)) assert.equal(r.statusCode, 200);
  // slots were given back
  assert.equal((await t.app.inject({ method: 'POST', url: '/v1/completions', payload: body })).statusCode, 200);
  await t.app.close();
});

test('--max-concurrent-per-key: one key over its cap gets 429 rate_limit_exceeded; other keys are not affected', async () => {
  const t = await makeApp(['--api-key', KEY_A, '--api-key', KEY_B, '--max-concurrent-per-key', '1'], { hold: true });
  const first = t.app.inject({ method: 'POST', url: '/v1/completions', headers: bearer(KEY_A), payload: {} });
  while (t.started() < 1) await new Promise((r) => setTimeout(r, 5));
  const second = await t.app.inject({ method: 'POST', url: '/v1/completions', headers: bearer(KEY_A), payload: {} });
  assertOpenAIError(second, 429, 'rate_limit_exceeded');
  assert.equal(second.headers['retry-after'], '1');
  const other = t.app.inject({ method: 'POST', url: '/v1/completions', headers: bearer(KEY_B), payload: {} });
  while (t.started() < 2) await new Promise((r) => setTimeout(r, 5));
  t.release();
  assert.equal((await first).statusCode, 200);
  assert.equal((await other).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(KEY_A) })).statusCode, 200);
  await t.app.close();
});

test('--rate-limit-per-minute: per key, 429 rate_limit_exceeded with Retry-After; open routes are not counted', async () => {
  const { app } = await makeApp(['--api-key', KEY_A, '--api-key', KEY_B, '--rate-limit-per-minute', '2']);
  const get = (key: string) => app.inject({ method: 'GET', url: '/v1/models', headers: bearer(key) });
  for (let i = 0; i < 5; i++) assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  assert.equal((await get(KEY_A)).statusCode, 200);
  assert.equal((await get(KEY_A)).statusCode, 200);
  const third = await get(KEY_A);
  assertOpenAIError(third, 429, 'rate_limit_exceeded');
  const wait = Number(third.headers['retry-after']);
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${third.headers['retry-after']}`);
  assert.equal((await get(KEY_B)).statusCode, 200, 'another key has its own budget');
  await app.close();
});

test('CORS is off unless --cors-origin; security headers on the factory page', async () => {
  const origin = { origin: 'https://app.example.com' };
  const off = await makeApp([]);
  const r = await off.app.inject({ method: 'GET', url: '/v1/models', headers: origin });
  assert.equal(r.headers['access-control-allow-origin'], undefined);
  const pre = await off.app.inject({
    method: 'OPTIONS',
    url: '/v1/models',
    headers: { ...origin, 'access-control-request-method': 'GET' },
  });
  assert.equal(pre.headers['access-control-allow-origin'], undefined);
  const page = await off.app.inject({ method: 'GET', url: '/factory' });
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
  assert.ok(page.headers['content-security-policy'], 'helmet CSP on the page');
  await off.app.close();

  const on = await makeApp(['--cors-origin', 'https://app.example.com', '--api-key', KEY_A]);
  const ok = await on.app.inject({ method: 'GET', url: '/v1/models', headers: { ...origin, ...bearer(KEY_A) } });
  assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
  const preflight = await on.app.inject({
    method: 'OPTIONS',
    url: '/v1/models',
    headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(preflight.statusCode, 204, 'preflights carry no key and pass');
  const other = await on.app.inject({
    method: 'GET',
    url: '/v1/models',
    headers: { origin: 'https://evil.example', ...bearer(KEY_A) },
  });
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  await on.app.close();
});

// --- slow clients, on real sockets ---

async function listening(t: TestApp): Promise<number> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return (t.app.server.address() as { port: number }).port;
}

/**
 * Milliseconds until the server closes `socket` (or null after `limitMs`). The socket reads and
 * drops what it gets: Node's own headersTimeout may answer a silent socket with a 408 before the
 * watchdog destroys it, and a socket that never reads those bytes never sees the end, nor 'close'.
 */
function closedWithin(socket: Socket, limitMs: number): Promise<number | null> {
  const t0 = Date.now();
  socket.resume();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), limitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
    socket.on('error', () => {});
  });
}

test('slow clients: a silent socket and one dripping its headers are closed by --header-timeout; real clients are served', async () => {
  const t = await makeApp(['--header-timeout', '1', '--connection-timeout', '2']);
  const port = await listening(t);
  const silent = connect(port, '127.0.0.1');
  const drip = connect(port, '127.0.0.1');
  const request = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200);
  let i = 0;
  const dripper = setInterval(() => drip.writable && drip.write(request[i++ % request.length]), 100);
  const [a, b] = await Promise.all([closedWithin(silent, 10_000), closedWithin(drip, 10_000)]);
  clearInterval(dripper);
  // a socket left open would keep this test file's process alive after a failure
  silent.destroy();
  drip.destroy();
  assert.ok(a !== null && a >= 900, `silent socket closed after ${a} ms`);
  assert.ok(b !== null && b >= 900, `dripping socket closed after ${b} ms`);
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(res.status, 200);
  await t.app.close();
});

test('slow clients: a client that stops reading a streamed response is cut off by --send-timeout', async () => {
  const config = loadConfig({ argv: ['--send-timeout', '1'], env: {} });
  const app = Fastify({ logger: false, ...serverTimeouts(config) });
  installErrorHandlers(app);
  await installSecurity(app, config);
  let closed = false;
  app.get('/v1/stream', async (_request, reply) => {
    reply.raw.once('close', () => (closed = true));
    const chunk = 'data: ' + 'x'.repeat(16 * 1024) + '\n\n';
    return reply.type('text/event-stream').send(
      Readable.from(
        (function* () {
          for (;;) yield chunk;
        })(),
      ),
    );
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write('GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.pause(); // never reads (so it never sees the server's close either: watch the server side)
  const t0 = Date.now();
  while (!closed && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
  assert.ok(closed, "the server closed the stalled response (the generation's cancel path)");
  assert.ok(Date.now() - t0 >= 900, `cut off after ${Date.now() - t0} ms, not before --send-timeout`);
  assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404, 'the server still answers');
  socket.destroy();
  await app.close();
});

test('admission: bodies still arriving hold no slot; more drippers than --max-pending-requests leave a real client served', async () => {
  const t = await makeApp(['--max-pending-requests', '2', '--connection-timeout', '60']);
  const port = await listening(t);
  // 5 clients announce a 100-byte body and send one byte of it: more than the limit of 2
  const drippers = Array.from({ length: 5 }, () => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.write(
      'POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    return s;
  });
  await new Promise((r) => setTimeout(r, 300)); // their headers have arrived and their requests started
  const body = JSON.stringify({ model: 'm', prompt: 'x' });
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(res.status, 200, `real request ${i}: ${await res.text()}`);
  }
  assert.equal(t.started(), 3, 'only the real requests reached the handler');
  for (const s of drippers) s.destroy();
  await t.app.close();
});
