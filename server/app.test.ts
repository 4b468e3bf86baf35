// HTTP-layer tests through app.inject(), with the deterministic ScriptedEngine behind the engine
// contract and the stories260K stand-in vocabulary (token i is spelled `[i]`).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted } from './app.ts';
import { loadConfig } from './config.ts';
import { ScriptedEngine, nextScriptedToken } from '../test/support/scriptedEngine.ts';
import { bracketTokenizer } from '../test/support/bracketTokenizer.ts';

const MODEL = '/work/shared/models/stories260K';

async function makeApp(argv: string[] = [], engine = new ScriptedEngine()): Promise<{ app: FastifyInstance; engine: ScriptedEngine }> {
  const config = loadConfig({ argv: ['--model', MODEL, '--log-level', 'silent', '--chain', 'off', ...argv], env: {} });
  const app = await buildApp(config, { startEngine: async () => engine, tokenizer: bracketTokenizer, logger: false, attribution: null });
  await engineStarted(app);
  return { app, engine };
}

const { app, engine } = await makeApp();
after(() => app.close());

/** The scripted continuation of a prompt's last token. */
function expected(last: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((last = nextScriptedToken(last, 512)));
  return out;
}
const text = (ids: number[]) => ids.map((i) => `[${i}]`).join('');

test('GET /health is 200 once the engine is ready, 503 before', async () => {
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const config = loadConfig({ argv: ['--model', MODEL, '--log-level', 'silent'], env: {} });
  const slow = await buildApp(config, { startEngine: async () => { await gate; return new ScriptedEngine(); }, tokenizer: bracketTokenizer, logger: false, attribution: null });
  await slow.ready();
  const before = await slow.inject({ method: 'GET', url: '/health' });
  assert.equal(before.statusCode, 503);
  assert.equal(before.json().status, 'starting');
  const gen = await slow.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [5] } });
  assert.equal(gen.statusCode, 503);
  assert.equal(gen.json().error.code, 'engine_not_ready');
  open();
  await slow.loraledger.engine.started;
  assert.equal((await slow.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  await slow.close();
});

test('GET /v1/models lists the base model and "auto"', async () => {
  const r = await app.inject({ method: 'GET', url: '/v1/models' });
  assert.equal(r.statusCode, 200);
  const ids = r.json().data.map((m: { id: string }) => m.id);
  assert.deepEqual(ids, ['stories260K', 'auto']);
  assert.equal(r.json().data[1].parent, 'stories260K');
});

test('completion from token ids: text, token_ids, usage, finish_reason length', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [7, 9], max_tokens: 4, return_token_ids: true, temperature: 0 } });
  assert.equal(r.statusCode, 200, r.body);
  const b = r.json();
  const want = expected(9, 4);
  assert.equal(b.object, 'text_completion');
  assert.deepEqual(b.choices[0].token_ids, want);
  assert.deepEqual(b.choices[0].prompt_token_ids, [7, 9]);
  assert.equal(b.choices[0].text, text(want));
  assert.equal(b.choices[0].finish_reason, 'length');
  assert.deepEqual(b.usage, { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
  assert.equal(r.headers['x-loraledger-adapter'], 'stories260K');
  const req = engine.requests.at(-1)!;
  assert.deepEqual(req.promptIds, [7, 9]); // no BOS added to token-id prompts
  assert.equal(req.sampling.temperature, 0);
});

test('stop string is excluded from the text and cancels the engine request', async () => {
  const want = expected(9, 6);
  const stop = text([want[2]]);
  const r = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [9], max_tokens: 6, stop } });
  const c = r.json().choices[0];
  assert.equal(c.text, text(want.slice(0, 2)));
  assert.equal(c.finish_reason, 'stop');
  assert.ok(engine.cancelled.has(`${r.json().id}-0`));
});

test('n and an array of prompts give one choice each, indexed prompt-major', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: ['[3]', '[4]'], n: 2, max_tokens: 2 } });
  const b = r.json();
  assert.deepEqual(b.choices.map((c: { index: number }) => c.index), [0, 1, 2, 3]);
  assert.equal(b.choices[2].text, text(expected(4, 2)));
  assert.equal(b.usage.prompt_tokens, 4); // [1,3] and [1,4]: BOS added to text prompts
  assert.equal(b.usage.completion_tokens, 8);
});

test('logprobs: completions shape', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [5], max_tokens: 2, logprobs: 2 } });
  const lp = r.json().choices[0].logprobs;
  assert.equal(lp.tokens.length, 2);
  assert.deepEqual(lp.token_logprobs, [-0.5, -0.5]);
  assert.equal(Object.keys(lp.top_logprobs[0]).length, 2);
  assert.deepEqual(lp.text_offset, [0, lp.tokens[0].length]);
});

test('chat completion: message, role, usage, logprobs content', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'stories260K', messages: [{ role: 'user', content: [{ type: 'text', text: '[8]' }] }], max_completion_tokens: 3, logprobs: true, top_logprobs: 1 } });
  assert.equal(r.statusCode, 200, r.body);
  const b = r.json();
  assert.equal(b.object, 'chat.completion');
  assert.equal(b.choices[0].message.role, 'assistant');
  assert.equal(b.choices[0].message.content, text(expected(8, 3)));
  assert.equal(b.choices[0].logprobs.content.length, 3);
  assert.equal(b.choices[0].logprobs.content[0].top_logprobs.length, 1);
  assert.equal(b.usage.completion_tokens, 3);
  assert.deepEqual(b.loraledger, { adapter: null });
});

test('SSE chat stream: role first, content deltas, finish, usage chunk, [DONE]', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'stories260K', messages: [{ role: 'user', content: '[8]' }], max_tokens: 3, stream: true, stream_options: { include_usage: true } } });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /text\/event-stream/);
  const frames = r.body.split('\n\n').filter((f) => f).map((f) => f.replace(/^data: /, ''));
  assert.equal(frames.at(-1), '[DONE]');
  const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  assert.equal(chunks.slice(1, 4).map((c) => c.choices[0].delta.content).join(''), text(expected(8, 3)));
  assert.equal(chunks[4].choices[0].finish_reason, 'length');
  assert.deepEqual(chunks[5].choices, []);
  assert.equal(chunks[5].usage.completion_tokens, 3);
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
});

test('SSE without include_usage sends no usage chunk', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [5], max_tokens: 2, stream: true } });
  const frames = r.body.split('\n\n').filter((f) => f);
  assert.equal(frames.length, 4); // 2 tokens, final, [DONE]
  assert.ok(!r.body.includes('"usage"'));
  assert.deepEqual(JSON.parse(frames[0].slice(6)).loraledger, { adapter: null });
  assert.equal(JSON.parse(frames[1].slice(6)).loraledger, undefined);
});

test('client errors map to OpenAI errors naming the field', async () => {
  const post = (payload: unknown, url = '/v1/completions') => app.inject({ method: 'POST', url, payload: payload as object });
  const cases: Array<[unknown, number, string, string | null, string?]> = [
    [{ model: 'stories260K', prompt: [5], temperature: 'hot' }, 400, 'invalid_request', 'temperature'],
    [{ model: 'stories260K', prompt: [5], n: 0 }, 400, 'invalid_request', 'n'],
    [{ prompt: [5] }, 400, 'invalid_request', 'model'],
    [{ model: 'stories260K', messages: [{ role: 'wizard', content: 'x' }] }, 400, 'invalid_request', 'messages[0].role', '/v1/chat/completions'],
    [{ model: 'nope', prompt: [5] }, 404, 'model_not_found', 'model'],
    [{ model: 'stories260K', prompt: '' }, 400, 'empty_prompt', 'prompt'],
    [{ model: 'stories260K', prompt: [] }, 400, 'invalid_request', 'prompt'],
    [{ model: 'stories260K', prompt: [5], max_tokens: 512 }, 400, 'context_length_exceeded', 'max_tokens'],
    [{ model: 'stories260K', prompt: [5000] }, 400, 'invalid_request', 'prompt'],
    [{ model: 'stories260K', messages: [{ role: 'user', content: '[5]' }], top_logprobs: 2 }, 400, 'invalid_request', 'top_logprobs', '/v1/chat/completions'],
    [{ model: 'stories260K', messages: [{ role: 'user', content: '[5]' }], tools: [{ type: 'function', function: { name: 'f' } }] }, 400, 'invalid_request', 'tools', '/v1/chat/completions'],
    [{ model: 'stories260K', prompt: [5], frequency_penalty: 0.5 }, 400, 'invalid_request', 'frequency_penalty'],
    [{ model: 'stories260K', messages: [{ role: 'user', content: '[5]' }], response_format: { type: 'json_object' } }, 400, 'invalid_request', 'response_format', '/v1/chat/completions'],
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
  const bad = await app.inject({ method: 'POST', url: '/v1/completions', headers: { 'content-type': 'application/json' }, payload: '{"model": ' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.code, 'malformed_json');
  const big = await app.inject({ method: 'POST', url: '/v1/completions', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ model: 'x', prompt: 'a'.repeat(2 * 1024 * 1024) }) });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().error.code, 'payload_too_large');
  const nf = await app.inject({ method: 'GET', url: '/v1/nothing' });
  assert.equal(nf.statusCode, 404);
  assert.equal(nf.json().error.code, 'not_found');
});

test('engine overload is 429 overloaded with Retry-After', async () => {
  const { app: busy } = await makeApp([], new ScriptedEngine({ maxRunning: 0, maxQueue: 0 }));
  const r = await busy.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [5], stream: true } });
  assert.equal(r.statusCode, 429);
  assert.equal(r.json().error.code, 'overloaded');
  assert.equal(r.headers['retry-after'], '1');
  await busy.close();
});

test('GET /metrics exposes the loraledger families after traffic', async () => {
  await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [5], max_tokens: 3 } });
  const r = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(r.statusCode, 200);
  for (const family of [
    'loraledger_http_requests_total', 'loraledger_time_to_first_token_seconds_bucket', 'loraledger_inter_token_latency_seconds',
    'loraledger_e2e_request_latency_seconds', 'loraledger_prompt_tokens', 'loraledger_generation_tokens', 'loraledger_requests_running',
    'loraledger_requests_waiting', 'loraledger_batch_size', 'loraledger_adapter_requests_total{adapter="base"}', 'loraledger_engine_step_seconds',
    'loraledger_process_cpu_seconds_total', 'loraledger_nodejs_eventloop_lag_seconds',
  ]) assert.ok(r.body.includes(family), `missing ${family}`);
  assert.match(r.body, /loraledger_http_requests_total\{route="\/v1\/completions",method="POST",status="200"\} \d+/);
});

test('OpenAPI document is served at /docs/json', async () => {
  const r = await app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(r.statusCode, 200);
  const doc = r.json();
  assert.ok(doc.paths['/v1/chat/completions'].post);
  assert.ok(doc.paths['/v1/load_lora_adapter'].post);
});

test('admin routes: 403 admin_disabled without a configured key, 401 without/with a wrong key', async () => {
  const r = await app.inject({ method: 'GET', url: '/v1/adapters' });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().error.code, 'admin_disabled');
  const { app: keyed } = await makeApp(['--admin-key', 'right-key-123']);
  const none = await keyed.inject({ method: 'POST', url: '/v1/load_lora_adapter', payload: { lora_name: 'x', lora_path: '/tmp' } });
  assert.equal(none.statusCode, 401);
  const wrong = await keyed.inject({ method: 'GET', url: '/v1/adapters', headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.statusCode, 401);
  const right = await keyed.inject({ method: 'GET', url: '/v1/adapters', headers: { authorization: 'Bearer right-key-123' } });
  assert.equal(right.statusCode, 200);
  assert.deepEqual(right.json(), { object: 'list', data: [] });
  const noRoots = await keyed.inject({ method: 'POST', url: '/v1/adapters', headers: { authorization: 'Bearer right-key-123' }, payload: { id: 'x', path: '/tmp' } });
  assert.equal(noRoots.statusCode, 403);
  assert.equal(noRoots.json().error.code, 'path_not_allowed');
  await keyed.close();
});

test('--request-timeout cancels a long generation with finish_reason length', async () => {
  const { app: timed, engine: slow } = await makeApp(['--request-timeout', '0.1'], new ScriptedEngine({ gapMs: 5 }));
  const r = await timed.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'stories260K', prompt: [5], max_tokens: 100, ignore_eos: true } });
  const b = r.json();
  assert.equal(b.choices[0].finish_reason, 'length');
  assert.ok(b.usage.completion_tokens < 100);
  assert.equal(slow.running, 0);
  await timed.close();
});

test('logs: structured, with request ids, and never the prompt text at info', async () => {
  const lines: string[] = [];
  const config = loadConfig({ argv: ['--model', MODEL, '--log-level', 'info'], env: {} });
  const logged = await buildApp(config, {
    startEngine: async () => new ScriptedEngine(), tokenizer: bracketTokenizer, attribution: null,
    logger: { level: 'info', stream: { write: (s: string) => { lines.push(s); } } },
  });
  await engineStarted(logged);
  const r = await logged.inject({ method: 'POST', url: '/v1/completions', headers: { 'x-request-id': 'req-abc' }, payload: { model: 'stories260K', prompt: 'TOP-SECRET-PROMPT [5]', max_tokens: 2 } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['x-request-id'], 'req-abc');
  await logged.close();
  const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; msg: string });
  assert.ok(parsed.some((l) => l.reqId === 'req-abc' && l.msg === 'generation started'));
  assert.ok(!lines.some((l) => l.includes('TOP-SECRET-PROMPT')), 'prompt text is not logged at info');
});

test('a client that disconnects from a non-stream request cancels its generation', async () => {
  const { app: live, engine: slow } = await makeApp([], new ScriptedEngine({ gapMs: 2 }));
  await live.listen({ port: 0, host: '127.0.0.1' });
  const port = (live.server.address() as { port: number }).port;
  const ac = new AbortController();
  const pending = fetch(`http://127.0.0.1:${port}/v1/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, signal: ac.signal,
    body: JSON.stringify({ model: 'stories260K', prompt: [5], max_tokens: 100, ignore_eos: true }),
  }).catch((e: unknown) => e);
  while (slow.running === 0) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  assert.ok((await pending) instanceof Error);
  const deadline = Date.now() + 5000;
  while ((slow.running > 0 || live.loraledger.engine.inFlight > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(slow.running, 0);
  assert.equal(slow.cancelled.size, 1);
  assert.ok(slow.produced < 100);
  await live.close();
});

test('SSE backpressure: a client that stops reading stops the engine being read', async () => {
  const { app: live, engine: fast } = await makeApp(['--max-model-len', '100000'], new ScriptedEngine({ spec: { maxPositions: 2_000_000 } }));
  await live.listen({ port: 0, host: '127.0.0.1' });
  const port = (live.server.address() as { port: number }).port;
  const { request } = await import('node:http');
  const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/completions', headers: { 'content-type': 'application/json' } });
  req.end(JSON.stringify({ model: 'stories260K', prompt: [5], max_tokens: 90_000, ignore_eos: true, logprobs: 20, stream: true }));
  const res = await new Promise<import('node:http').IncomingMessage>((r) => req.once('response', r));
  res.pause(); // the client stops reading
  let last = -1;
  for (let i = 0; i < 30 && fast.produced !== last; i++) { last = fast.produced; await new Promise((r) => setTimeout(r, 300)); }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fast.produced, last, 'no engine tokens are read while the client is backed up');
  assert.ok(last < 90_000);
  req.destroy();
  const deadline = Date.now() + 5000;
  while (fast.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(fast.running, 0);
  await live.close();
});
