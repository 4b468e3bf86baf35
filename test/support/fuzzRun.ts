// The fuzzer (npm run fuzz; a short run in test/fuzz.e2e.test.ts): hostile requests from
// fuzzRequests.ts against the embedded default (quick profile) with API keys, the admin key and
// attribution on, every route it serves, then hostile WebSocket frames on /v1/ws.
//
//   for each generated request r (fixed seed, so a failure replays):
//     res = app.inject(r)
//     fail when res.status >= 500, when an error body is not OpenAI's shape, when a body carries
//     a stack trace, or when Object.prototype gained a property (prototype pollution)
//   afterwards: /health is ok, and a real completion and a chat completion still answer 200
import assert from 'node:assert/strict';
import fc from 'fast-check';
import WebSocket from 'ws';
import { requestArb, wsFrameArb, type FuzzContext, type FuzzRequest, type FuzzRoute } from './fuzzRequests.ts';
import { startEmbeddedServer } from './embeddedServer.ts';

export interface FuzzReport {
  requests: number;
  wsFrames: number;
  /** Combinations tried, and how many were served (the rest refused with a 4xx). */
  bounds: { tried: number; served: number };
  routes: number;
  byStatus: Record<string, number>;
  /** Distinct failures: what, and one request that shows it. */
  failures: Array<{ problem: string; request: string }>;
  seconds: number;
}

const API_KEY = 'sk-fuzz-0123456789';
const ADMIN_KEY = 'admin-fuzz-0123456789';
const STACK = /\n\s+at [^\n]+:\d+:\d+/;

/** The routes the app serves, from its OpenAPI document, plus the ones hidden from it. */
function routesOf(spec: { paths?: Record<string, Record<string, unknown>> }): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [path, ops] of Object.entries(spec.paths ?? {}))
    for (const method of Object.keys(ops))
      if (['get', 'post', 'put', 'delete', 'patch'].includes(method))
        routes.push({ method: method.toUpperCase(), url: path.replace(/\{([a-z_]+)\}/gi, ':$1') });
  for (const url of ['/factory', '/factory/:asset', '/v1/ws', '/docs', '/docs/json', '/health', '/metrics'])
    if (!routes.some((r) => r.url === url)) routes.push({ method: 'GET', url });
  return routes;
}

function describe(r: FuzzRequest): string {
  const payload =
    r.payload === undefined ? '' : typeof r.payload === 'string' ? r.payload : `<${r.payload.length} bytes>`;
  return `${r.method} ${r.url.slice(0, 200)} ${JSON.stringify(r.headers)} ${payload.slice(0, 300)}`;
}

export async function runFuzz(options: {
  requests: number;
  wsFrames: number;
  /** n x max_tokens x prompt-size combinations checked against their bounds (see boundsPhase). */
  bounds?: number;
  seed: number;
  /** Told about each request slower than 5 s and each 500 done. */
  onSlow?: (what: string) => void;
}): Promise<FuzzReport> {
  const t0 = Date.now();
  const server = await startEmbeddedServer('fuzz', [
    '--api-key',
    API_KEY,
    '--admin-key',
    ADMIN_KEY,
    '--max-active-adapters',
    '4',
    '--max-cached-adapters',
    '16',
    '--max-cached-adapter-bytes',
    '268435456',
  ]);
  const { app } = server;
  const failures = new Map<string, string>();
  const byStatus: Record<string, number> = {};
  const fail = (problem: string, request: string) => {
    if (!failures.has(problem)) failures.set(problem, request);
  };
  try {
    const models = (
      (
        await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${API_KEY}` } })
      ).json() as { data: Array<{ id: string }> }
    ).data.map((m) => m.id);
    const ctx: FuzzContext = {
      apiKey: API_KEY,
      adminKey: ADMIN_KEY,
      models: [...models, 'auto'],
      bodyLimit: app.loraledger.config.bodyLimit,
    };
    const routes = routesOf(app.swagger() as { paths?: Record<string, Record<string, unknown>> });
    const arb = requestArb(routes, ctx);
    const batch = 250;
    for (let done = 0; done < options.requests; done += batch) {
      options.onSlow?.(`${done} requests sent`);
      const sample = fc.sample(arb, { seed: options.seed + done, numRuns: Math.min(batch, options.requests - done) });
      for (const r of sample) {
        const t = Date.now();
        if (process.env.FUZZ_TRACE) process.stderr.write(`> ${describe(r).slice(0, 300)}\n`);
        let timer: NodeJS.Timeout | undefined;
        const res = await Promise.race([
          app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload }),
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 30_000))),
        ]);
        clearTimeout(timer);
        if (Date.now() - t > 5000) options.onSlow?.(`${Date.now() - t} ms: ${describe(r)}`);
        if (res === null) {
          fail(`no answer within 30 s on ${r.route}`, describe(r));
          continue;
        }
        byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
        const code = /"code":"([a-z_]+)"/.exec(res.body.slice(0, 2000))?.[1] ?? '';
        if (res.statusCode >= 500)
          fail(`${res.statusCode} ${code} on ${r.route}: ${res.body.slice(0, 200)}`, describe(r));
        if (STACK.test(res.body)) fail(`stack trace in a ${res.statusCode} body on ${r.route}`, describe(r));
        if (
          res.statusCode >= 400 &&
          res.statusCode !== 404 &&
          r.method !== 'HEAD' &&
          /json/.test(String(res.headers['content-type']))
        ) {
          const e = (res.json() as { error?: Record<string, unknown> }).error;
          if (!e || typeof e.message !== 'string' || typeof e.type !== 'string' || !('code' in e))
            fail(`${res.statusCode} body not in OpenAI's error shape on ${r.route}`, describe(r));
        }
        if (Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).polluted !== undefined)
          fail(`Object.prototype polluted after ${r.route}`, describe(r));
      }
    }

    // WebSocket frames, on a real socket; the socket is reopened whenever the server closes it
    const wsUrl = server.base.replace(/^http/, 'ws') + '/ws';
    let frames = 0;
    let lastFrame = '';
    let oversized = false;
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${API_KEY}` } });
        ws.on('message', (data) => {
          const text = String(data);
          if (STACK.test(text)) fail('stack trace in a WebSocket message', text.slice(0, 300));
          const m = JSON.parse(text) as { type?: string; error?: { code?: string; type?: string } };
          if (m.type === 'error' && m.error?.type === 'server_error')
            fail(`WebSocket server_error ${m.error.code}`, text.slice(0, 300));
        });
        ws.on('close', (code) => {
          if (code === 1011 || (code === 1006 && !oversized)) fail(`WebSocket closed with ${code}`, lastFrame);
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        setTimeout(() => reject(new Error('the WebSocket did not open within 10 s')), 10_000).unref();
      });
    options.onSlow?.('WebSocket frames');
    let ws = await open();
    const unauth = await new Promise<number>((resolve) => {
      const bad = new WebSocket(wsUrl);
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.on('open', () => resolve(101));
      bad.on('error', () => resolve(-1));
      setTimeout(() => resolve(0), 10_000).unref();
    });
    if (unauth !== 401) fail(`/v1/ws without a key answered ${unauth}`, '');
    const wsSample = fc.sample(wsFrameArb(ctx, routes), { seed: options.seed, numRuns: options.wsFrames });
    for (const frame of wsSample) {
      if (ws.readyState !== WebSocket.OPEN) ws = await open();
      lastFrame =
        typeof frame === 'string'
          ? frame.slice(0, 300)
          : `<${frame.length} bytes> ${frame.toString('hex').slice(0, 200)}`;
      oversized = Buffer.byteLength(frame) > ctx.bodyLimit;
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(frame, { binary: Buffer.isBuffer(frame) });
      frames++;
      if (oversized) {
        // over --body-limit: the server closes with 1009 (message too big) while the client may still be
        // sending the rest, so TCP can reset the connection before the close frame is read (1006)
        const code = await closed;
        if (code !== 1009 && code !== 1006) fail(`an oversized WebSocket message closed with ${code}`, lastFrame);
        continue;
      }
      if (frames % 50 === 0) await new Promise((r) => setTimeout(r, 20)); // let replies flow
    }
    await new Promise((r) => setTimeout(r, 500));
    ws.close();

    const bounds = await boundsPhase(app, models, options.bounds ?? 0, options.seed, fail);

    // still serving, correctly
    const auth = { authorization: `Bearer ${API_KEY}` };
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200, `health after fuzzing: ${health.body}`);
    const done = await app.inject({
      method: 'POST',
      url: '/v1/completions',
      headers: auth,
      payload: { model: models[0], prompt: 'Once upon a time', max_tokens: 4 },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((done.json() as { choices: unknown[] }).choices.length, 1);
    const chat = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'auto', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 },
    });
    assert.equal(chat.statusCode, 200, chat.body);
    return {
      requests: options.requests,
      wsFrames: frames,
      bounds,
      routes: routes.length,
      byStatus,
      failures: [...failures].map(([problem, request]) => ({ problem, request })),
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await server.close();
  }
}

/**
 * n x max_tokens x prompt size: each combination is either refused with a 4xx in OpenAI's shape, or
 * served within its bounds: n choices per prompt, each at most max_tokens tokens, usage adding up.
 */
async function boundsPhase(
  app: Awaited<ReturnType<typeof startEmbeddedServer>>['app'],
  models: string[],
  count: number,
  seed: number,
  fail: (problem: string, request: string) => void,
): Promise<{ tried: number; served: number }> {
  const limit = app.loraledger.config.bodyLimit;
  const arb = fc.record({
    chat: fc.boolean(),
    model: fc.constantFrom(...models, 'auto'),
    n: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: -2, max: 64 })),
    maxTokens: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: -2, max: 100_000 }), fc.constant(2 ** 31)),
    promptChars: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(limit - 200, limit - 60, limit, limit + 1)),
  });
  let served = 0;
  const auth = { authorization: `Bearer ${API_KEY}` };
  for (const c of fc.sample(arb, { seed, numRuns: count })) {
    const prompt = 'a '.repeat(Math.max(1, c.promptChars) >> 1).slice(0, Math.max(1, c.promptChars));
    const payload = c.chat
      ? { model: c.model, messages: [{ role: 'user', content: prompt }], n: c.n, max_tokens: c.maxTokens }
      : { model: c.model, prompt, n: c.n, max_tokens: c.maxTokens };
    const what = `${c.chat ? 'chat' : 'completion'} n=${c.n} max_tokens=${c.maxTokens} prompt=${c.promptChars} chars`;
    const url = c.chat ? '/v1/chat/completions' : '/v1/completions';
    const res = await app.inject({ method: 'POST', url, headers: auth, payload });
    if (res.statusCode >= 500) {
      fail(`${res.statusCode} on ${what}: ${res.body.slice(0, 200)}`, what);
      continue;
    }
    if (res.statusCode !== 200) {
      const e = (res.json() as { error?: { code?: string } }).error;
      if (!e?.code) fail(`${res.statusCode} without an OpenAI error on ${what}`, what);
      continue;
    }
    served++;
    const body = res.json() as {
      choices: Array<{ message?: { content: string }; text?: string }>;
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    if (body.choices.length !== c.n) fail(`${body.choices.length} choices for n=${c.n}`, what);
    if (body.usage.completion_tokens > c.n * c.maxTokens) fail(`more than n x max_tokens tokens on ${what}`, what);
    if (body.usage.total_tokens !== body.usage.prompt_tokens + body.usage.completion_tokens)
      fail(`usage does not add up on ${what}`, what);
  }
  return { tried: count, served };
}
