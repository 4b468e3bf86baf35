// HTTP-layer tests through app.inject() (and a real socket where disconnects and backpressure
// matter) on the REAL engine serving the trained stories260K (token i is spelled `[i]` by its
// tokenizer). Greedy outputs and logprobs come from the plain TypeScript reference forward pass.
// A transparent tap on the engine (test/support/engineTap.ts) shows what the HTTP layer asked of
// it: requests, cancellations, tokens read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted, type BuildOptions } from './app.ts';
import { loadConfig, replicaIdFromHost } from './config.ts';
import { loadCheckpoint, loadTokenizer } from '../kernels/model/index.ts';
import { referenceGreedy, referenceLogits } from '../kernels/index.ts';
import { EngineTap, tappedStartEngine, waitFor, waitForStalledReader } from '../test/support/engineTap.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-app-'));
const model = await loadCheckpoint(MODEL);
const tokenizer = await loadTokenizer(MODEL);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds an app on the real engine (through `gate` when given); the tap arrives once it started. */
async function makeApp(argv: string[], opts: { gate?: Promise<void>; logger?: BuildOptions['logger'] } = {}) {
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
      ...argv,
    ],
    env: {},
  });
  const box: { tap?: EngineTap } = {};
  const start = tappedStartEngine((t) => {
    box.tap = t;
  });
  const app = await buildApp(config, {
    startEngine: async (o) => {
      await opts.gate;
      return start(o);
    },
    logger: opts.logger ?? false,
    attribution: null,
  });
  return { app, tap: () => box.tap! };
}

// The shared app: admin key set, engine start held until the first test opens the gate.
let open!: () => void;
const KEY = 'right-key-123';
const { app, tap: sharedTap } = await makeApp(['--admin-key', KEY], {
  gate: new Promise<void>((r) => {
    open = r;
  }),
});
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;

// A small app: one batch row, one waiting request, 0.5 s request timeout, info logs captured, no admin key.
const lines: string[] = [];
const small = await makeApp(
  [
    '--max-batch-size',
    '1',
    '--max-queue',
    '1',
    '--request-timeout',
    '0.5',
    '--log-level',
    'info',
    '--replica-id',
    'r-small',
  ],
  {
    logger: {
      level: 'info',
      stream: {
        write: (s: string) => {
          lines.push(s);
        },
      },
    },
  },
);
after(async () => {
  open(); // in case the first test failed before opening it: close() waits for the start attempt
  await app.close();
  await small.app.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The stand-in vocabulary's text for ids (none special): `[a] [b] ...`. */
function spelled(ids: number[]): string {
  assert.ok(
    ids.every((i) => i > 2),
    `reference output ${ids} holds a special token`,
  );
  return ids.map((i) => `[${i}]`).join(' ');
}
/** log p(next) under the reference, for each generated token. */
function referenceLogprobs(prompt: number[], out: number[]): number[] {
  const logits = referenceLogits(model, [...prompt, ...out]);
  return out.map((id, i) => {
    const l = logits[prompt.length - 1 + i];
    const max = Math.max(...l);
    const lse = max + Math.log(l.reduce((s, v) => s + Math.exp(v - max), 0));
    return l[id] - lse;
  });
}

test('GET /health is 503 starting (generation 503 engine_not_ready) until the engine is ready, then 200', async () => {
  const before = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(before.statusCode, 503);
  assert.equal(before.json().status, 'starting');
  const gen = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [5] },
  });
  assert.equal(gen.statusCode, 503);
  assert.equal(gen.json().error.code, 'engine_not_ready');
  open();
  await engineStarted(app);
  assert.equal(app.loraledger.engine.state, 'ready', app.loraledger.engine.failure?.message);
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});

test('GET /v1/models lists the base model and "auto"', async () => {
  const r = await app.inject({ method: 'GET', url: '/v1/models' });
  assert.equal(r.statusCode, 200);
  const ids = r.json().data.map((m: { id: string }) => m.id);
  assert.deepEqual(ids, ['stories260K', 'auto']);
  assert.equal(r.json().data[1].parent, 'stories260K');
});

test('completion from token ids: text, token_ids, usage, finish_reason length (reference greedy)', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [7, 9], max_tokens: 4, return_token_ids: true, temperature: 0 },
  });
  assert.equal(r.statusCode, 200, r.body);
  const b = r.json();
  const want = referenceGreedy(model, [7, 9], 4);
  assert.equal(b.object, 'text_completion');
  assert.deepEqual(b.choices[0].token_ids, want);
  assert.deepEqual(b.choices[0].prompt_token_ids, [7, 9]);
  assert.equal(b.choices[0].text, spelled(want));
  assert.equal(b.choices[0].finish_reason, 'length');
  assert.deepEqual(b.usage, { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
  assert.equal(r.headers['x-loraledger-adapter'], 'stories260K');
  const req = sharedTap().requests.at(-1)!;
  assert.deepEqual(req.promptIds, [7, 9]); // token-id prompts are sent as given
  assert.equal(req.sampling.temperature, 0);
});

test('stop string is excluded from the text and cancels the engine request', async () => {
  const want = referenceGreedy(model, [7, 9], 6);
  const k = want.findIndex((t, i) => i >= 2 && !want.slice(0, i).includes(t)); // first token not seen before
  assert.ok(k >= 2);
  const r = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [7, 9], max_tokens: 6, temperature: 0, stop: ` [${want[k]}]` },
  });
  const c = r.json().choices[0];
  assert.equal(c.text, spelled(want.slice(0, k)));
  assert.equal(c.finish_reason, 'stop');
  assert.ok(sharedTap().cancelled.has(`${r.json().id}-0`));
});

test('n and an array of prompts give one choice each, indexed prompt-major', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: ['[3]', '[4]'], n: 2, max_tokens: 2, temperature: 0 },
  });
  const b = r.json();
  assert.deepEqual(
    b.choices.map((c: { index: number }) => c.index),
    [0, 1, 2, 3],
  );
  assert.equal(b.choices[2].text, spelled(referenceGreedy(model, [4], 2)));
  assert.equal(b.usage.prompt_tokens, 2); // [3] and [4]: this tokenizer adds no BOS (add_bos_token false)
  assert.equal(b.usage.completion_tokens, 8);
});

test('logprobs: completions shape, values equal the reference log-softmax', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [5], max_tokens: 2, logprobs: 2, temperature: 0 },
  });
  const lp = r.json().choices[0].logprobs;
  assert.equal(lp.tokens.length, 2);
  const want = referenceLogprobs([5], referenceGreedy(model, [5], 2));
  lp.token_logprobs.forEach((v: number, i: number) =>
    assert.ok(Math.abs(v - want[i]) < 1e-3, `token ${i}: ${v} vs reference ${want[i]}`),
  );
  assert.equal(Object.keys(lp.top_logprobs[0]).length, 2);
  assert.deepEqual(lp.text_offset, [0, lp.tokens[0].length]);
});

test('chat completion: message, role, usage, logprobs content', async () => {
  const messages = [{ role: 'user' as const, content: [{ type: 'text', text: '[8]' }] }];
  const r = await app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    payload: {
      model: 'stories260K',
      messages,
      max_completion_tokens: 3,
      logprobs: true,
      top_logprobs: 1,
      temperature: 0,
    },
  });
  assert.equal(r.statusCode, 200, r.body);
  const b = r.json();
  const prompt = tokenizer.applyChatTemplate(messages);
  assert.deepEqual(sharedTap().requests.at(-1)!.promptIds, prompt);
  assert.equal(b.object, 'chat.completion');
  assert.equal(b.choices[0].message.role, 'assistant');
  assert.equal(b.choices[0].message.content, spelled(referenceGreedy(model, prompt, 3)));
  assert.equal(b.choices[0].logprobs.content.length, 3);
  assert.equal(b.choices[0].logprobs.content[0].top_logprobs.length, 1);
  assert.equal(b.usage.completion_tokens, 3);
  assert.deepEqual(b.loraledger, { adapter: null });
});

test('SSE chat stream: role first, content deltas, finish, usage chunk, [DONE]', async () => {
  const messages = [{ role: 'user' as const, content: '[8]' }];
  const r = await app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    payload: {
      model: 'stories260K',
      messages,
      max_tokens: 3,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    },
  });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /text\/event-stream/);
  assert.equal(r.headers['x-loraledger-replica'], replicaIdFromHost(hostname())); // the default replica id
  const frames = r.body
    .split('\n\n')
    .filter((f) => f)
    .map((f) => f.replace(/^data: /, ''));
  assert.equal(frames.at(-1), '[DONE]');
  const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  assert.equal(
    chunks
      .slice(1, 4)
      .map((c) => c.choices[0].delta.content)
      .join(''),
    spelled(referenceGreedy(model, tokenizer.applyChatTemplate(messages), 3)),
  );
  assert.equal(chunks[4].choices[0].finish_reason, 'length');
  assert.deepEqual(chunks[5].choices, []);
  assert.equal(chunks[5].usage.completion_tokens, 3);
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
});

test('SSE without include_usage sends no usage chunk', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [5], max_tokens: 2, temperature: 0, stream: true },
  });
  const frames = r.body.split('\n\n').filter((f) => f);
  assert.equal(frames.length, 4); // 2 tokens, final, [DONE]
  assert.ok(!r.body.includes('"usage"'));
  assert.deepEqual(JSON.parse(frames[0].slice(6)).loraledger, { adapter: null });
  assert.equal(JSON.parse(frames[1].slice(6)).loraledger, undefined);
});

test('client errors map to OpenAI errors naming the field', async () => {
  const post = (payload: unknown, url = '/v1/completions') =>
    app.inject({ method: 'POST', url, payload: payload as object });
  const cases: Array<[unknown, number, string, string | null, string?]> = [
    [{ model: 'stories260K', prompt: [5], temperature: 'hot' }, 400, 'invalid_request', 'temperature'],
    [{ model: 'stories260K', prompt: [5], n: 0 }, 400, 'invalid_request', 'n'],
    [{ prompt: [5] }, 400, 'invalid_request', 'model'],
    [
      { model: 'stories260K', messages: [{ role: 'wizard', content: 'x' }] },
      400,
      'invalid_request',
      'messages[0].role',
      '/v1/chat/completions',
    ],
    [{ model: 'nope', prompt: [5] }, 404, 'model_not_found', 'model'],
    [{ model: 'stories260K', prompt: '' }, 400, 'empty_prompt', 'prompt'],
    [{ model: 'stories260K', prompt: [] }, 400, 'invalid_request', 'prompt'],
    [{ model: 'stories260K', prompt: [5], max_tokens: 2048 }, 400, 'context_length_exceeded', 'max_tokens'],
    [{ model: 'stories260K', prompt: [5000] }, 400, 'invalid_request', 'prompt'],
    [
      { model: 'stories260K', messages: [{ role: 'user', content: '[5]' }], top_logprobs: 2 },
      400,
      'invalid_request',
      'top_logprobs',
      '/v1/chat/completions',
    ],
    [
      {
        model: 'stories260K',
        messages: [{ role: 'user', content: '[5]' }],
        tools: [{ type: 'web_search' }],
      },
      400,
      'invalid_request',
      'tools[0].type',
      '/v1/chat/completions',
    ],
    [{ model: 'stories260K', prompt: [5], frequency_penalty: 2.5 }, 400, 'invalid_request', 'frequency_penalty'],
    [{ model: 'stories260K', prompt: [5], logit_bias: { '5': 101 } }, 400, 'invalid_request', 'logit_bias[5]'],
    [{ model: 'stories260K', prompt: [5], logit_bias: { '999999': 1 } }, 400, 'invalid_request', 'logit_bias'],
    [{ model: 'stories260K', prompt: [5], repetition_penalty: 0 }, 400, 'invalid_request', 'repetition_penalty'],
    [{ model: 'stories260K', prompt: [5], min_p: 1.5 }, 400, 'invalid_request', 'min_p'],
    [
      {
        model: 'stories260K',
        messages: [{ role: 'user', content: '[5]' }],
        response_format: { type: 'json_schema', json_schema: { name: 'x' } },
      },
      400,
      'invalid_request',
      'response_format',
      '/v1/chat/completions',
    ],
  ];
  for (const [payload, status, code, param, url] of cases) {
    const r = await post(payload, url);
    assert.equal(r.statusCode, status, `${JSON.stringify(payload)} -> ${r.body}`);
    const e = r.json().error;
    assert.equal(e.code, code, r.body);
    assert.equal(e.param, param, r.body);
    assert.equal(typeof e.message, 'string');
    assert.equal(typeof e.type, 'string');
  }
});

test('malformed JSON is 400 malformed_json; too large is 413; unknown route is 404', async () => {
  const bad = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    headers: { 'content-type': 'application/json' },
    payload: '{"model": ',
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.code, 'malformed_json');
  const big = await app.inject({
    method: 'POST',
    url: '/v1/completions',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ model: 'x', prompt: 'a'.repeat(2 * 1024 * 1024) }),
  });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().error.code, 'payload_too_large');
  const nf = await app.inject({ method: 'GET', url: '/v1/nothing' });
  assert.equal(nf.statusCode, 404);
  assert.equal(nf.json().error.code, 'not_found');
  for (const r of [bad, big, nf]) assert.equal(r.headers['x-loraledger-replica'], replicaIdFromHost(hostname()));
});

test('GET /metrics exposes the loraledger families after traffic', async () => {
  await app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [5], max_tokens: 3 },
  });
  const r = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(r.statusCode, 200);
  for (const family of [
    'loraledger_http_requests_total',
    'loraledger_time_to_first_token_seconds_bucket',
    'loraledger_inter_token_latency_seconds',
    'loraledger_e2e_request_latency_seconds',
    'loraledger_prompt_tokens',
    'loraledger_generation_tokens',
    'loraledger_requests_running',
    'loraledger_requests_waiting',
    'loraledger_batch_size',
    'loraledger_adapter_requests_total{adapter="base"}',
    'loraledger_engine_step_seconds',
    'loraledger_process_cpu_seconds_total',
    'loraledger_nodejs_eventloop_lag_seconds',
  ])
    assert.ok(r.body.includes(family), `missing ${family}`);
  assert.match(r.body, /loraledger_http_requests_total\{route="\/v1\/completions",method="POST",status="200"\} \d+/);
});

test('OpenAPI document is served at /docs/json', async () => {
  const r = await app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(r.statusCode, 200);
  const doc = r.json();
  assert.ok(doc.paths['/v1/chat/completions'].post);
  assert.ok(doc.paths['/v1/load_lora_adapter'].post);
});

test('admin routes: 401 without/with a wrong key, 200 with the right one; path confinement', async () => {
  const none = await app.inject({
    method: 'POST',
    url: '/v1/load_lora_adapter',
    payload: { lora_name: 'x', lora_path: '/tmp' },
  });
  assert.equal(none.statusCode, 401);
  const wrong = await app.inject({ method: 'GET', url: '/v1/adapters', headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.statusCode, 401);
  const right = await app.inject({ method: 'GET', url: '/v1/adapters', headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(right.statusCode, 200);
  assert.deepEqual(right.json(), { object: 'list', data: [] });
  const noRoots = await app.inject({
    method: 'POST',
    url: '/v1/adapters',
    headers: { authorization: `Bearer ${KEY}` },
    payload: { id: 'x', path: '/tmp' },
  });
  assert.equal(noRoots.statusCode, 403);
  assert.equal(noRoots.json().error.code, 'path_not_allowed');
});

test('a client that disconnects from a non-stream request cancels its generation', async () => {
  const tap = sharedTap();
  const ac = new AbortController();
  const pending = fetch(`http://127.0.0.1:${port}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    signal: ac.signal,
    body: JSON.stringify({ model: 'stories260K', prompt: [5], max_tokens: 2000, ignore_eos: true }),
  }).catch((e: unknown) => e);
  assert.ok(await waitFor(() => tap.live.size === 1 && (tap.pulledBy.get(tap.requests.at(-1)!.id) ?? 0) > 0));
  const id = tap.requests.at(-1)!.id;
  ac.abort();
  assert.ok((await pending) instanceof Error);
  assert.ok(
    await waitFor(() => tap.live.size === 0 && app.loraledger.engine.inFlight === 0 && tap.stats().running === 0),
  );
  assert.ok(tap.cancelled.has(id));
  assert.ok(tap.pulledBy.get(id)! < 2000);
});

test('SSE backpressure: a client that stops reading stops the engine being read', async () => {
  const tap = sharedTap();
  const { request } = await import('node:http');
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/completions',
    headers: { 'content-type': 'application/json' },
  });
  req.end(
    JSON.stringify({
      model: 'stories260K',
      prompt: [5],
      n: 8,
      max_tokens: 2000,
      ignore_eos: true,
      logprobs: 20,
      stream: true,
    }),
  );
  const res = await new Promise<import('node:http').IncomingMessage>((r) => req.once('response', r));
  res.pause(); // the client stops reading
  const stalled = await waitForStalledReader(tap);
  assert.notEqual(stalled, null, 'the HTTP layer kept reading the engine');
  await sleep(300);
  assert.equal(tap.pulled, stalled, 'no engine tokens are read while the client is backed up');
  assert.equal(tap.live.size, 8);
  const ids = [...tap.live];
  req.destroy();
  assert.ok(await waitFor(() => tap.live.size === 0 && tap.stats().running === 0));
  assert.ok(ids.every((id) => tap.cancelled.has(id) && tap.pulledBy.get(id)! < 2000));
});

test('admin routes answer 403 admin_disabled without a configured key', async () => {
  const r = await small.app.inject({ method: 'GET', url: '/v1/adapters' });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().error.code, 'admin_disabled');
});

test('--request-timeout cancels a long generation with finish_reason length', async () => {
  await engineStarted(small.app);
  const r = await small.app.inject({
    method: 'POST',
    url: '/v1/completions',
    payload: { model: 'stories260K', prompt: [5], max_tokens: 2000, ignore_eos: true },
  });
  const b = r.json();
  assert.equal(b.choices[0].finish_reason, 'length');
  assert.ok(b.usage.completion_tokens < 2000);
  assert.ok(await waitFor(() => small.tap().live.size === 0 && small.tap().stats().running === 0));
});

test('engine overload is 429 overloaded with Retry-After (one row busy, one request waiting)', async () => {
  await engineStarted(small.app);
  const tap = small.tap();
  const long = { model: 'stories260K', prompt: [5], max_tokens: 2000, ignore_eos: true };
  const first = small.app.inject({ method: 'POST', url: '/v1/completions', payload: long });
  assert.ok(await waitFor(() => tap.live.size === 1 && (tap.pulledBy.get(tap.requests.at(-1)!.id) ?? 0) > 0)); // running: the row is taken
  const second = small.app.inject({ method: 'POST', url: '/v1/completions', payload: long });
  assert.ok(await waitFor(() => tap.live.size === 2)); // sent to the engine: it waits for the row
  const r = await small.app.inject({ method: 'POST', url: '/v1/completions', payload: { ...long, stream: true } });
  assert.equal(r.statusCode, 429, r.body);
  assert.equal(r.json().error.code, 'overloaded');
  assert.equal(r.headers['retry-after'], '1');
  for (const done of await Promise.all([first, second])) assert.equal(done.json().choices[0].finish_reason, 'length'); // the timeout ends them
});

test('logs: structured, with request ids, and never the prompt text at info', async () => {
  await engineStarted(small.app);
  const r = await small.app.inject({
    method: 'POST',
    url: '/v1/completions',
    headers: { 'x-request-id': 'req-abc' },
    payload: { model: 'stories260K', prompt: 'TOP-SECRET-PROMPT [5]', max_tokens: 2 },
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['x-request-id'], 'req-abc');
  assert.equal(r.headers['x-loraledger-replica'], 'r-small');
  const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; msg: string });
  assert.ok(parsed.some((l) => l.reqId === 'req-abc' && l.msg === 'generation started'));
  assert.ok(!lines.some((l) => l.includes('TOP-SECRET-PROMPT')), 'prompt text is not logged at info');
});
