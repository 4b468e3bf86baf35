// End to end over a real socket: the official `openai` client and raw fetch against
// buildApp(config).listen({port: 0}) serving stories260K on the real engine (onnxruntime worker)
// with seeded PEFT adapters. Greedy outputs are checked against the plain TypeScript reference.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted, loadConfig } from '../server/index.ts';
import { generateAdapter } from '../factory/index.ts';
import { loadAdapterWeights, readAdapterMeta } from '../adapters/index.ts';
import { type AdapterWeights } from '../kernels/model/index.ts';
import { loadCheckpoint, type Checkpoint } from '../kernels/model/index.ts';
import { referenceGreedy } from '../kernels/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const KEY = 'e2e-admin-key-123';
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-e2e-'));
const root = join(tmp, 'adapters');
let app: FastifyInstance;
let base: string;
let client: OpenAI;
let model: Checkpoint;
const weights = new Map<string, AdapterWeights>();

before(async () => {
  model = await loadCheckpoint(MODEL);
  mkdirSync(root);
  await generateAdapter({
    dir: join(root, 'ad-sql'),
    spec: model.spec,
    seed: 21,
    rank: 4,
    bStd: 0.4,
    description: 'SQL database queries',
    tags: ['sql', 'database'],
  });
  await generateAdapter({
    dir: join(root, 'ad-poem'),
    spec: model.spec,
    seed: 22,
    rank: 4,
    bStd: 0.4,
    description: 'poetry and rhymes',
    tags: ['poetry'],
  });
  for (const id of ['ad-sql', 'ad-poem'])
    weights.set(id, await loadAdapterWeights(readAdapterMeta(join(root, id), id), model.spec));
  const config = loadConfig({
    argv: [
      '--model',
      MODEL,
      '--adapters',
      root,
      '--cache-dir',
      join(tmp, 'cache'),
      '--data-dir',
      join(tmp, 'data'),
      '--admin-key',
      KEY,
      '--log-level',
      'silent',
      '--chain',
      'off',
      '--threads',
      '1',
      '--max-batch-size',
      '8',
      '--max-batch-tokens',
      '256',
      '--max-lora-rank',
      '8',
      '--body-limit',
      '65536',
    ],
    env: {},
  });
  app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await engineStarted(app);
  assert.equal(app.loraledger.engine.state, 'ready', app.loraledger.engine.failure?.message);
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const PROMPT = [1, 403, 29, 261, 7];
type ApiError = { error: { code: string; message: string; param: string | null } };

test('models.list: base, adapters with parent, auto', async () => {
  const ids: Array<{ id: string; parent?: unknown }> = [];
  for await (const m of client.models.list()) ids.push(m as unknown as { id: string; parent?: unknown });
  assert.deepEqual(ids.map((m) => m.id).sort(), ['ad-poem', 'ad-sql', 'auto', 'stories260K']);
  assert.equal(ids.find((m) => m.id === 'ad-sql')!.parent, 'stories260K');
  const sql = ids.find((m) => m.id === 'ad-sql') as unknown as {
    loraledger: { rank: number; tags: string[]; description: string };
  };
  assert.deepEqual(
    [sql.loraledger.rank, sql.loraledger.tags, sql.loraledger.description],
    [4, ['sql', 'database'], 'SQL database queries'],
  );
  // models.retrieve: the same card as in the list; an unknown id is a 404 model_not_found
  const one = (await client.models.retrieve('ad-sql')) as unknown as { id: string; object: string; parent: string };
  assert.deepEqual([one.id, one.object, one.parent], ['ad-sql', 'model', 'stories260K']);
  assert.equal((await client.models.retrieve('auto')).id, 'auto');
  await assert.rejects(
    client.models.retrieve('nope'),
    (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
  );
});

test('completion from token ids with return_token_ids equals the reference greedy (base and adapter)', async () => {
  for (const id of [null, 'ad-sql']) {
    const r = await client.completions.create({
      model: id ?? 'stories260K',
      prompt: PROMPT,
      max_tokens: 6,
      temperature: 0,
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    const got = (r.choices[0] as unknown as { token_ids: number[] }).token_ids;
    assert.deepEqual(got, referenceGreedy(model, PROMPT, 6, id ? weights.get(id) : undefined), `model ${id ?? 'base'}`);
    assert.equal(r.choices[0].text, app.loraledger.tokenizer.decode(got));
    assert.equal(r.usage?.prompt_tokens, PROMPT.length);
    assert.equal(r.usage?.completion_tokens, 6);
    assert.deepEqual((r as unknown as { loraledger: unknown }).loraledger, { adapter: id });
  }
});

test('logit_bias, penalties and min_p reach the engine: +100 forces a token, a frequency penalty stops repeats', async () => {
  const ids = async (extra: Record<string, unknown>) => {
    const r = (await client.completions.create({
      model: 'stories260K',
      prompt: [1, 45],
      max_tokens: 6,
      temperature: 0,
      ignore_eos: true,
      return_token_ids: true,
      ...extra,
    } as OpenAI.CompletionCreateParamsNonStreaming)) as unknown as { choices: Array<{ token_ids: number[] }> };
    return r.choices[0]!.token_ids;
  };
  assert.deepEqual(await ids({ logit_bias: { '300': 100 } }), [300, 300, 300, 300, 300, 300]);
  // with the bias and a frequency penalty of 2 per repeat the bias wins until it is spent: a
  // forced token that repeats loses 2 per time, so 300 does not fill all six places
  const plain = await ids({});
  const penalised = await ids({ logit_bias: { '300': 5 }, frequency_penalty: 2 });
  assert.ok(penalised.filter((t) => t === 300).length < 6, `${penalised}`);
  assert.deepEqual(await ids({ presence_penalty: 0, frequency_penalty: 0, repetition_penalty: 1, min_p: 0 }), plain);
});

test('/tokenize and /detokenize (vLLM): the served tokenizer, round trip, chat template, errors named', async () => {
  const call = async (path: string, body: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const text = '[45] [210] [33]';
  const t = await call('/tokenize', { model: 'stories260K', prompt: text });
  assert.equal(t.status, 200);
  assert.deepEqual(t.json.tokens, [45, 210, 33]); // this tokenizer spells token i as [i] and adds no BOS
  assert.equal(t.json.count, 3);
  assert.equal(t.json.max_model_len, 512);
  assert.deepEqual((await call('/detokenize', { model: 'ad-sql', tokens: t.json.tokens })).json, { prompt: text });
  const chat = await call('/tokenize', { model: 'auto', messages: [{ role: 'user', content: text }] });
  const served = await client.chat.completions.create({
    model: 'stories260K',
    messages: [{ role: 'user', content: text }],
    max_tokens: 1,
  });
  assert.equal(chat.json.count, served.usage!.prompt_tokens, 'the chat template as generation applies it');
  const nope = await call('/tokenize', { model: 'nope', prompt: 'x' });
  assert.deepEqual([nope.status, nope.json.error.code, nope.json.error.param], [404, 'model_not_found', 'model']);
  const far = await call('/detokenize', { model: 'stories260K', tokens: [1, 99999] });
  assert.deepEqual([far.status, far.json.error.param], [400, 'tokens']);
  assert.match(far.json.error.message, /tokens\[1\] = 99999 is outside the vocabulary/);
});

test('stop string: output ends before it, finish_reason stop', async () => {
  const ids = referenceGreedy(model, PROMPT, 8);
  const tok = app.loraledger.tokenizer;
  const full = tok.decode(ids);
  // The first token k >= 1 whose text first occurs where it is generated: stop on it.
  const k = ids.findIndex(
    (_, i) =>
      i >= 1 &&
      full.indexOf(tok.decode(ids.slice(0, i + 1)).slice(tok.decode(ids.slice(0, i)).length)) ===
        tok.decode(ids.slice(0, i)).length,
  );
  assert.ok(k >= 1);
  const before = tok.decode(ids.slice(0, k));
  const stop = tok.decode(ids.slice(0, k + 1)).slice(before.length);
  const r = await client.completions.create({
    model: 'stories260K',
    prompt: PROMPT,
    max_tokens: 8,
    temperature: 0,
    stop: [stop, 'never-generated'],
  });
  assert.equal(r.choices[0].text, before);
  assert.equal(r.choices[0].finish_reason, 'stop');
});

test('chat: plain and streaming with include_usage agree (greedy)', async () => {
  const messages = [{ role: 'user' as const, content: 'Once upon a time' }];
  const plain = await client.chat.completions.create({ model: 'ad-poem', messages, max_tokens: 5, temperature: 0 });
  assert.equal(plain.object, 'chat.completion');
  assert.equal(plain.choices[0].message.role, 'assistant');
  assert.equal(plain.choices[0].message.refusal, null, 'OpenAI requires refusal on a message (null: none)');
  assert.equal(plain.model, 'ad-poem');
  assert.equal(plain.usage?.completion_tokens, 5);
  const withLogprobs = await client.chat.completions.create({
    model: 'ad-poem',
    messages,
    max_tokens: 2,
    temperature: 0,
    logprobs: true,
    top_logprobs: 1,
  });
  assert.equal(withLogprobs.choices[0].logprobs!.content!.length, 2);
  assert.equal(withLogprobs.choices[0].logprobs!.refusal, null, 'and on chat logprobs');
  const stream = await client.chat.completions.create({
    model: 'ad-poem',
    messages,
    max_tokens: 5,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  let content = '';
  let roleFirst: string | undefined;
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    if (chunk.choices.length === 0) {
      usage = chunk.usage;
      continue;
    }
    roleFirst ??= chunk.choices[0].delta.role;
    content += chunk.choices[0].delta.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.equal(roleFirst, 'assistant');
  assert.equal(content, plain.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.deepEqual(usage, plain.usage);
});

test('model "auto" routes by the adapters\' descriptions and says why', async () => {
  const r = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'write a sql query for my database' }],
    max_tokens: 2,
  });
  const served = (r as unknown as { loraledger: { adapter: string; routed: { reason: string } } }).loraledger;
  assert.equal(served.adapter, 'ad-sql');
  assert.match(served.routed.reason, /ad-sql/);
  assert.equal(r.model, 'ad-sql', 'model echoes the adapter that served, not "auto"');
});

test('errors through the official client: 404 unknown model, 400 bad params', async () => {
  await assert.rejects(
    client.completions.create({ model: 'nope', prompt: 'x', max_tokens: 1 }),
    (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
  );
  await assert.rejects(
    client.completions.create({ model: 'stories260K', prompt: 'x', temperature: 'hot' as unknown as number }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'temperature',
  );
  await assert.rejects(
    client.chat.completions.create({ model: 'stories260K', messages: [{ role: 'user', content: 'x' }], n: 0 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'n',
  );
});

test('raw HTTP: malformed JSON 400, body over the limit 413', async () => {
  const post = (body: string) =>
    fetch(`${base}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const bad = await post('{"model": "stories260K", "prompt": [1,');
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as ApiError).error.code, 'malformed_json');
  const big = await post(JSON.stringify({ model: 'stories260K', prompt: 'x'.repeat(100_000) }));
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as ApiError).error.code, 'payload_too_large');
});

test('admin: key none/wrong/right, path confinement, missing and invalid folders, vLLM routes', async () => {
  const admin = (path: string, body: unknown, key?: string, method = 'POST') =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  await generateAdapter({ dir: join(root, 'ad-new'), spec: model.spec, seed: 23, rank: 4 });
  assert.equal((await admin('/v1/adapters', { id: 'ad-new', path: join(root, 'ad-new') })).status, 401);
  const wrong = await admin('/v1/adapters', { id: 'ad-new', path: join(root, 'ad-new') }, 'wrong-key-xxxx');
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as ApiError).error.code, 'unauthorized');
  const escape = await admin('/v1/load_lora_adapter', { lora_name: 'evil', lora_path: '../../etc' }, KEY);
  assert.equal(escape.status, 403);
  assert.deepEqual([((await escape.json()) as ApiError).error.code], ['path_not_allowed']);
  const missing = await admin('/v1/load_lora_adapter', { lora_name: 'ghost', lora_path: join(root, 'ghost') }, KEY);
  assert.equal(missing.status, 404, await missing.clone().text());
  assert.match(((await missing.json()) as ApiError).error.message, /does not exist/);
  mkdirSync(join(root, 'broken'));
  writeFileSync(join(root, 'broken', 'adapter_config.json'), '{"peft_type": "LORA", "r": 4}');
  const invalid = await admin('/v1/adapters', { id: 'broken', path: join(root, 'broken') }, KEY);
  assert.equal(invalid.status, 400);
  assert.equal(((await invalid.json()) as ApiError).error.code, 'adapter_invalid');
  const ok = await admin('/v1/load_lora_adapter', { lora_name: 'ad-new', lora_path: join(root, 'ad-new') }, KEY);
  assert.equal(ok.status, 200, await ok.clone().text());
  const list = (await (await admin('/v1/adapters', undefined, KEY, 'GET')).json()) as {
    data: Array<{ id: string; state: string }>;
  };
  const states = Object.fromEntries(list.data.map((a: { id: string; state: string }) => [a.id, a.state]));
  assert.equal(states['ad-new'], 'ready');
  assert.equal(states.broken, 'errored');
  const r = await client.completions.create({ model: 'ad-new', prompt: PROMPT, max_tokens: 2, temperature: 0 });
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal((await admin('/v1/unload_lora_adapter', { lora_name: 'ad-new' }, KEY)).status, 200);
  await assert.rejects(
    client.completions.create({ model: 'ad-new', prompt: PROMPT, max_tokens: 1 }),
    (e: unknown) => e instanceof OpenAI.NotFoundError,
  );
  const del = await admin('/v1/adapters/ad-new', undefined, KEY, 'DELETE');
  assert.equal(del.status, 404);
});

test('WebSocket: two streams multiplexed on one socket, one cancelled midway', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  type Msg = {
    id: string;
    type: string;
    data?: { choices: Array<{ text?: string; token_ids?: number[] }> };
    finish_reason?: string;
  };
  const msgs: Msg[] = [];
  const done = new Map<string, Msg>();
  const finished = new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Msg;
      msgs.push(m);
      if (m.type === 'done' || m.type === 'error') done.set(m.id, m);
      if (
        m.id === 'long' &&
        m.type === 'chunk' &&
        msgs.filter((x) => x.id === 'long' && x.type === 'chunk').length === 3
      )
        ws.send(JSON.stringify({ id: 'long', type: 'cancel' }));
      if (done.size === 2) resolve();
    }),
  );
  ws.send(
    JSON.stringify({
      id: 'short',
      type: 'completions',
      body: { model: 'ad-sql', prompt: PROMPT, max_tokens: 6, temperature: 0, return_token_ids: true },
    }),
  );
  ws.send(
    JSON.stringify({
      id: 'long',
      type: 'completions',
      body: { model: 'stories260K', prompt: PROMPT, max_tokens: 400, ignore_eos: true },
    }),
  );
  await finished;
  ws.close();
  const shortIds = msgs
    .filter((m) => m.id === 'short' && m.type === 'chunk')
    .flatMap((m) => m.data!.choices[0].token_ids ?? []);
  assert.deepEqual(shortIds, referenceGreedy(model, PROMPT, 6, weights.get('ad-sql')));
  assert.equal(done.get('short')!.finish_reason, 'length');
  assert.equal(done.get('long')!.finish_reason, 'cancelled');
  assert.ok(msgs.filter((m) => m.id === 'long' && m.type === 'chunk').length < 400);
});

test('a client that disconnects mid-stream cancels its generation and frees its slot', async () => {
  const ac = new AbortController();
  const res = await fetch(`${base}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    signal: ac.signal,
    body: JSON.stringify({ model: 'stories260K', prompt: PROMPT, max_tokens: 400, ignore_eos: true, stream: true }),
  });
  const reader = res.body!.getReader();
  await reader.read(); // the first chunk arrived: the request is running
  assert.equal(app.loraledger.engine.inFlight, 1);
  ac.abort();
  const deadline = Date.now() + 10_000;
  while (app.loraledger.engine.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(app.loraledger.engine.inFlight, 0);
  while (app.loraledger.engine.get().stats().running > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(app.loraledger.engine.get().stats().running, 0);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /loraledger_request_finished_total\{finish_reason="cancelled"\} [1-9]/);
});

test('the default attribution wiring serves DataNets and the EIP-712 description', async () => {
  const list = await fetch(`${base}/v1/datanets`);
  assert.equal(list.status, 200);
  assert.deepEqual(((await list.json()) as { data: unknown[] }).data, []);
  assert.equal((await fetch(`${base}/v1/attribution/eip712`)).status, 200);
});

test('/metrics has the families after traffic, per-adapter labels bounded', async () => {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const f of [
    'loraledger_time_to_first_token_seconds_count',
    'loraledger_inter_token_latency_seconds_count',
    'loraledger_e2e_request_latency_seconds_count',
    'loraledger_requests_running',
    'loraledger_batch_size',
    'loraledger_adapter_requests_total{adapter="ad-sql"}',
    'loraledger_adapter_tokens_total{adapter="ad-poem",kind="generation"}',
    'loraledger_adapter_cache_lookups_total',
    'loraledger_adapter_load_seconds',
    'loraledger_engine_step_seconds_count',
    'loraledger_http_requests_total',
  ]) {
    assert.ok(text.includes(f), `missing ${f}`);
  }
});
