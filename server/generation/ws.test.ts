// WebSocket protocol tests on a real socket (the `ws` client) against the REAL engine serving the
// trained stories260K: multiplexing, cancel, errors, per-socket cap, backpressure, close cancels.
// Greedy text comes from the plain TypeScript reference; a transparent tap on the engine
// (test/support/engineTap.ts) shows what the server asked of it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { buildApp, engineStarted } from '../app.ts';
import { loadConfig } from '../config.ts';
import { loadCheckpoint } from '../../kernels/model/index.ts';
import { referenceGreedy } from '../../kernels/index.ts';
import { type EngineTap, tappedStartEngine, waitFor, waitForStalledReader } from '../../test/support/engineTap.ts';

const MODEL = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-ws-'));
const model = await loadCheckpoint(MODEL);
let engine!: EngineTap;
const config = loadConfig({
  argv: [
    '--model',
    MODEL,
    '--log-level',
    'silent',
    '--chain',
    'off',
    '--threads',
    '1',
    '--cache-dir',
    join(tmp, 'cache'),
    '--max-model-len',
    '2048',
    '--ws-max-generations',
    '3',
    '--ws-high-water-mark',
    '1024',
    '--max-pending-requests', // HTTP and WebSocket generations share these slots
    '3',
  ],
  env: {},
});
const app = await buildApp(config, {
  startEngine: tappedStartEngine((t) => {
    engine = t;
  }),
  logger: false,
  attribution: null,
});
await app.listen({ port: 0, host: '127.0.0.1' });
await engineStarted(app);
assert.equal(app.loraledger.engine.state, 'ready', app.loraledger.engine.failure?.message);
const port = (app.server.address() as { port: number }).port;
after(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Msg = {
  id: string | number | null;
  type: string;
  data?: { choices: Array<{ text?: string; delta?: { content?: string } }> };
  finish_reason?: string;
  usage?: { completion_tokens: number };
  error?: { code: string; param: string | null };
};

async function open(
  at = port,
): Promise<{ ws: WebSocket; msgs: Msg[]; until: (pred: (m: Msg) => boolean) => Promise<Msg> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${at}/v1/ws`);
  const msgs: Msg[] = [];
  const waiters: Array<{ pred: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as Msg;
    msgs.push(m);
    for (const w of waiters.splice(0))
      if (w.pred(m)) w.resolve(m);
      else waiters.push(w);
  });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const until = (pred: (m: Msg) => boolean) => {
    const seen = msgs.find(pred);
    return seen ? Promise.resolve(seen) : new Promise<Msg>((resolve) => waiters.push({ pred, resolve }));
  };
  return { ws, msgs, until };
}

const LONG = 2000; // tokens: seconds of work for the real engine, far more than any test waits for

test('two generations multiplexed on one socket; one cancelled midway ends with done/cancelled', async () => {
  const { ws, msgs, until } = await open();
  ws.send(
    JSON.stringify({
      id: 'a',
      type: 'completions',
      body: { model: 'stories260K', prompt: [5], max_tokens: 5, temperature: 0 },
    }),
  );
  ws.send(
    JSON.stringify({
      id: 'b',
      type: 'chat.completions',
      body: { model: 'stories260K', messages: [{ role: 'user', content: '[6]' }], max_tokens: LONG, ignore_eos: true },
    }),
  );
  await until((m) => m.id === 'b' && m.type === 'chunk' && (m.data?.choices[0].delta?.content ?? '') !== '');
  ws.send(JSON.stringify({ id: 'b', type: 'cancel' }));
  const doneA = await until((m) => m.id === 'a' && m.type === 'done');
  const doneB = await until((m) => m.id === 'b' && m.type === 'done');
  assert.equal(doneA.finish_reason, 'length');
  assert.equal(doneA.usage?.completion_tokens, 5);
  const textA = msgs
    .filter((m) => m.id === 'a' && m.type === 'chunk')
    .map((m) => m.data!.choices[0].text)
    .join('');
  assert.equal(
    textA,
    referenceGreedy(model, [5], 5)
      .map((t) => `[${t}]`)
      .join(' '),
  );
  assert.equal(doneB.finish_reason, 'cancelled');
  assert.ok(doneB.usage!.completion_tokens < LONG);
  assert.ok([...engine.cancelled].some((id) => id.startsWith('chatcmpl-')));
  ws.close();
});

test('bad messages get error messages in the OpenAI shape; the socket stays usable', async () => {
  const { ws, until } = await open();
  ws.send('{not json');
  assert.equal((await until((m) => m.type === 'error' && m.id === null)).error!.code, 'malformed_json');
  ws.send(
    JSON.stringify({ id: 'x', type: 'completions', body: { model: 'stories260K', prompt: [5], temperature: 'hot' } }),
  );
  const bad = await until((m) => m.id === 'x');
  assert.deepEqual([bad.type, bad.error!.code, bad.error!.param], ['error', 'invalid_request', 'temperature']);
  ws.send(JSON.stringify({ id: 'y', type: 'completions', body: { model: 'nope', prompt: [5] } }));
  assert.equal((await until((m) => m.id === 'y')).error!.code, 'model_not_found');
  ws.send(JSON.stringify({ id: 'z', type: 'cancel' }));
  assert.equal((await until((m) => m.id === 'z')).error!.code, 'not_found');
  ws.send(
    JSON.stringify({
      id: 'ok',
      type: 'completions',
      body: { model: 'stories260K', prompt: [5], max_tokens: 1, ignore_eos: true },
    }),
  );
  assert.equal((await until((m) => m.id === 'ok' && m.type === 'done')).finish_reason, 'length');
  ws.close();
});

test('per-socket generation cap: the extra one is refused with overloaded', async () => {
  const { ws, until } = await open();
  const body = { model: 'stories260K', prompt: [5], max_tokens: LONG, ignore_eos: true };
  for (const id of [1, 2, 3, 4]) ws.send(JSON.stringify({ id, type: 'completions', body }));
  assert.equal((await until((m) => m.id === 4)).error!.code, 'overloaded');
  for (const id of [1, 2, 3]) ws.send(JSON.stringify({ id, type: 'cancel' }));
  for (const id of [1, 2, 3])
    assert.equal((await until((m) => m.id === id && m.type === 'done')).finish_reason, 'cancelled');
  ws.close();
});

test('backpressure: a socket that stops reading stops the engine being read; close cancels', async () => {
  const { ws, until } = await open();
  ws.send(
    JSON.stringify({
      id: 'slow',
      type: 'completions',
      body: { model: 'stories260K', prompt: [5], n: 8, max_tokens: LONG, ignore_eos: true, logprobs: 20 },
    }),
  );
  await until((m) => m.id === 'slow' && m.type === 'chunk');
  (ws as unknown as { _socket: import('node:net').Socket })._socket.pause(); // the client stops reading
  const stalled = await waitForStalledReader(engine);
  assert.notEqual(stalled, null, 'the server kept reading the engine');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(engine.pulled, stalled, 'no engine tokens are read while the socket is backed up');
  assert.equal(engine.live.size, 8, 'all 8 choices of the one generation are still open');
  const ids = [...engine.live];
  ws.terminate();
  assert.ok(
    await waitFor(() => engine.live.size === 0 && engine.stats().running === 0),
    'closing the socket cancelled the generation',
  );
  assert.ok(ids.every((id) => engine.cancelled.has(id) && engine.pulledBy.get(id)! < LONG));
});

test('"type": "responses": the typed Responses events stream on the socket, in order, and say what the chat pipeline says', async () => {
  const { ws, msgs, until } = await open();
  const input = [{ role: 'user', content: '[6]' }];
  ws.send(
    JSON.stringify({
      id: 'r',
      type: 'responses',
      body: { model: 'stories260K', input, max_output_tokens: 6, temperature: 0, ignore_eos: true },
    }),
  );
  ws.send(
    JSON.stringify({
      id: 'c',
      type: 'chat.completions',
      body: { model: 'stories260K', messages: input, max_tokens: 6, temperature: 0, ignore_eos: true },
    }),
  );
  const done = await until((m) => m.id === 'r' && m.type === 'done');
  await until((m) => m.id === 'c' && m.type === 'done');
  type Ev = { type: string; sequence_number: number; delta?: string; response?: { id: string; status: string } };
  const events = msgs.filter((m) => m.id === 'r' && m.type === 'event').map((m) => m.data as unknown as Ev);
  assert.deepEqual(
    events.map((e) => e.sequence_number),
    events.map((_, i) => i),
  );
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 4), [
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
  ]);
  assert.deepEqual(types.slice(-5), [
    'response.output_text.delta',
    'response.output_text.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.incomplete',
  ]);
  const text = events
    .filter((e) => e.type === 'response.output_text.delta')
    .map((e) => e.delta)
    .join('');
  const chatText = msgs
    .filter((m) => m.id === 'c' && m.type === 'chunk')
    .map((m) => m.data!.choices[0].delta?.content ?? '')
    .join('');
  assert.ok(text.length > 0);
  assert.equal(text, chatText, 'the same greedy answer as chat.completions');
  const last = events.at(-1)!.response!;
  assert.equal(last.status, 'incomplete', 'max_output_tokens reached');
  assert.deepEqual(done.type, 'done');
  assert.equal((done as unknown as { status: string }).status, 'incomplete');
  assert.equal((done as unknown as { response_id: string }).response_id, last.id);
  ws.send(
    JSON.stringify({
      id: 'bad',
      type: 'responses',
      body: { model: 'stories260K', input: 'x', tools: [{ type: 'web_search' }] },
    }),
  );
  const bad = await until((m) => m.id === 'bad');
  assert.deepEqual([bad.type, bad.error!.code, bad.error!.param], ['error', 'invalid_request', 'tools[0].type']);
  ws.close();
});

test('the upgrade response carries x-loraledger-replica, as every HTTP response does', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
  const res = await new Promise<import('node:http').IncomingMessage>((r, j) => {
    ws.once('upgrade', r);
    ws.once('error', j);
  });
  assert.equal(res.headers['x-loraledger-replica'], app.loraledger.config.replicaId);
  ws.close();
});

/** Polls until `pred` holds (false after `ms`). */
async function until(pred: () => boolean, ms = 20_000): Promise<boolean> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

const longBody = { model: 'stories260K', prompt: [5], max_tokens: LONG, ignore_eos: true };
const postCompletion = (body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`http://127.0.0.1:${port}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });

test('admission: WebSocket generations hold --max-pending-requests slots; HTTP past the limit gets 429, the next WS generation an overloaded error; released on cancel, completion and close', async () => {
  const admission = app.admission;
  assert.equal(admission.limit, 3);
  assert.ok(await until(() => admission.inUse === 0), 'earlier tests released their slots');
  const a = await open();
  for (const id of [1, 2, 3]) a.ws.send(JSON.stringify({ id, type: 'completions', body: longBody }));
  for (const id of [1, 2, 3]) await a.until((m) => m.id === id && m.type === 'chunk');
  assert.equal(admission.inUse, 3, 'one slot per WebSocket generation');

  const http = await postCompletion({ model: 'stories260K', prompt: [5], max_tokens: 1 });
  assert.equal(http.status, 429);
  assert.equal(http.headers.get('retry-after'), '1');
  assert.equal(((await http.json()) as { error: { code: string } }).error.code, 'overloaded');

  const b = await open(); // another socket: its generation is refused with an error message, the socket stays open
  b.ws.send(JSON.stringify({ id: 'b1', type: 'completions', body: { ...longBody, max_tokens: 2 } }));
  const refused = await b.until((m) => m.id === 'b1');
  assert.deepEqual([refused.type, refused.error!.code], ['error', 'overloaded']);
  assert.equal(b.ws.readyState, WebSocket.OPEN);

  a.ws.send(JSON.stringify({ id: 1, type: 'cancel' })); // cancellation frees its slot
  assert.equal((await a.until((m) => m.id === 1 && m.type === 'done')).finish_reason, 'cancelled');
  assert.ok(await until(() => admission.inUse === 2));
  b.ws.send(JSON.stringify({ id: 'b2', type: 'completions', body: { ...longBody, max_tokens: 2 } }));
  assert.equal((await b.until((m) => m.id === 'b2' && m.type === 'done')).finish_reason, 'length');
  assert.ok(await until(() => admission.inUse === 2), 'completion frees its slot');

  a.ws.terminate(); // closing the socket frees its generations' slots
  assert.ok(await until(() => admission.inUse === 0), `${admission.inUse} slots still held after the close`);
  const served = await postCompletion({ model: 'stories260K', prompt: [5], max_tokens: 1 });
  assert.equal(served.status, 200, await served.text());
  b.ws.close();
});

test('admission: HTTP streams holding every slot refuse a WebSocket generation with overloaded; aborting them frees the slots', async () => {
  const admission = app.admission;
  assert.ok(await until(() => admission.inUse === 0));
  const aborts = [0, 1, 2].map(() => new AbortController());
  const streams = await Promise.all(aborts.map((ac) => postCompletion({ ...longBody, stream: true }, ac.signal)));
  for (const r of streams) {
    assert.equal(r.status, 200);
    await r.body!.getReader().read(); // the stream has started
  }
  assert.equal(admission.inUse, 3);
  const { ws, until: next } = await open();
  const chat = { model: 'stories260K', messages: [{ role: 'user', content: '[6]' }], max_tokens: 2 };
  ws.send(JSON.stringify({ id: 'w', type: 'chat.completions', body: chat }));
  const refused = await next((m) => m.id === 'w');
  assert.deepEqual([refused.type, refused.error!.code], ['error', 'overloaded']);
  assert.match(String((refused.error as unknown as { message: string }).message), /--max-pending-requests/);
  for (const ac of aborts) ac.abort();
  assert.ok(await until(() => admission.inUse === 0), `${admission.inUse} slots still held after the aborts`);
  ws.send(JSON.stringify({ id: 'w2', type: 'completions', body: { ...longBody, max_tokens: 2 } }));
  assert.equal((await next((m) => m.id === 'w2' && m.type === 'done')).finish_reason, 'length');
  assert.ok(await until(() => admission.inUse === 0));
  ws.close();
});

test('--max-concurrent-per-key: each WebSocket generation is a request in flight for its key, the socket is not; past the cap a rate_limit_exceeded error message', async () => {
  // no API keys: the key is the client address, shared by both sockets and the HTTP client
  const capped = await buildApp(
    loadConfig({
      argv: ['--model', MODEL, '--log-level', 'silent', '--chain', 'off', '--threads', '1', '--cache-dir'].concat([
        join(tmp, 'cache'),
        '--max-model-len',
        '2048',
        '--max-concurrent-per-key',
        '2',
      ]),
      env: {},
    }),
    { logger: false, attribution: null },
  );
  try {
    await capped.listen({ port: 0, host: '127.0.0.1' });
    await engineStarted(capped);
    const at = (capped.server.address() as { port: number }).port;
    const models = () => fetch(`http://127.0.0.1:${at}/v1/models`);
    const a = await open(at);
    assert.equal((await models()).status, 200, 'an open socket with nothing running holds no slot');
    for (const id of [1, 2]) a.ws.send(JSON.stringify({ id, type: 'completions', body: longBody }));
    for (const id of [1, 2]) await a.until((m) => m.id === id && m.type === 'chunk');
    a.ws.send(JSON.stringify({ id: 3, type: 'completions', body: { ...longBody, max_tokens: 2 } }));
    const third = await a.until((m) => m.id === 3);
    assert.deepEqual([third.type, third.error!.code], ['error', 'rate_limit_exceeded']);
    const http = await models();
    assert.equal(http.status, 429, 'the key holds its 2 slots, both on the socket');
    assert.equal(((await http.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    assert.equal(a.ws.readyState, WebSocket.OPEN);

    a.ws.send(JSON.stringify({ id: 1, type: 'cancel' })); // a finished generation frees its key slot
    assert.equal((await a.until((m) => m.id === 1 && m.type === 'done')).finish_reason, 'cancelled');
    const b = await open(at);
    b.ws.send(JSON.stringify({ id: 'b', type: 'completions', body: { ...longBody, max_tokens: 2 } }));
    assert.equal((await b.until((m) => m.id === 'b' && m.type === 'done')).finish_reason, 'length');
    a.ws.terminate(); // closing the socket frees the rest
    b.ws.close();
    assert.ok(await until(() => capped.admission.inUse === 0));
    assert.equal((await models()).status, 200);
  } finally {
    await capped.close();
  }
});
