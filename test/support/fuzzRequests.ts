// fast-check generators of hostile requests for every route (the fuzzer: test/support/fuzzRun.ts).
//
//   request   = route (every route the app serves, from its OpenAPI document plus the hidden ones)
//               x method (the route's own, or another) x path parameters x query x auth x body
//   path/query values: path traversal (../, %2e%2e%2f, absolute paths, NUL), unicode edge cases
//               (lone surrogates, RTL marks, emoji, NFC/NFD), __proto__ / constructor, huge, empty
//   bodies:   a plausible body for the route with one field mutated (wrong type, huge, empty,
//             deep nesting, prototype-pollution keys), raw texts with duplicate keys, malformed
//             JSON, invalid UTF-8 bytes, bodies near the body limit, other content types
import fc from 'fast-check';

export interface FuzzRoute {
  method: string;
  /** Fastify pattern, e.g. /v1/files/:id/content */
  url: string;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** Which route it aimed at, for the report. */
  route: string;
}

export interface FuzzContext {
  apiKey: string;
  adminKey: string;
  /** Model ids the server serves (base, adapters, auto). */
  models: string[];
  bodyLimit: number;
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd',
  'C:\\Windows\\system32',
  '....//....//etc/passwd',
  'a\u0000b',
  '%00',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\ud800',
  '\udfff',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '😀👩‍👩‍👧‍👦',
  'e\u0301',
  '\u00e9',
  '\ufeff',
  '\u2028\u2029',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '<script>alert(1)</script>',
  "'; DROP TABLE records; --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  'x'.repeat(5000),
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => s.repeat(2000)) },
);

/** Lone surrogates replaced by U+FFFD (encodeURIComponent throws on them). */
const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** A path segment: hostile, or a plausible id. */
const segment = fc.oneof(
  { weight: 3, arbitrary: hostileString.map((s) => encodeURIComponent(wellFormed(s))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('%ff%fe', '%ED%A0%80', '%c0%af', '%c0%ae%c0%ae%c0%af', '%', '%zz', '..', '.'),
  },
  { weight: 1, arbitrary: hostileString.map((s) => wellFormed(s).replace(/[?#%]/g, '')) },
  { weight: 1, arbitrary: fc.constantFrom('file-abc', 'ftjob-abc', 'resp_abc', '0x' + 'ab'.repeat(32), '1', 'demo') },
);

/** Any JSON value, nested a little, with hostile leaves. */
const jsonLeaf = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 0.5),
  fc.boolean(),
  fc.constant(null),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor')), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

const chatMessage = fc.record({
  role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool', 'developer'), hostileString),
  content: fc.oneof(hostileString, fc.constant('Hello there')),
});

/** A plausible body per route (then mutated); routes without one get any JSON. */
function plausibleBody(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<Record<string, unknown>> {
  const model = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ctx.models) },
    { weight: 1, arbitrary: hostileString },
  );
  const maxTokens = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 1e9, 2 ** 31, 1.5) },
  );
  const n = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 1000, 1e9) },
  );
  switch (`${route.method} ${route.url}`) {
    case 'POST /v1/completions':
      return fc.record(
        {
          model,
          prompt: fc.oneof(hostileString, fc.array(fc.integer({ min: -5, max: 100000 }), { maxLength: 6 })),
          max_tokens: maxTokens,
          n,
          stream: fc.boolean(),
          temperature: fc.double({ min: -1, max: 3 }),
        },
        { requiredKeys: ['model', 'prompt'] },
      );
    case 'POST /v1/chat/completions':
      return fc.record(
        {
          model,
          messages: fc.array(chatMessage, { maxLength: 3 }),
          max_tokens: maxTokens,
          n,
          stream: fc.boolean(),
          rag: jsonValue,
          attribution: jsonValue,
          tools: jsonValue,
          response_format: jsonValue,
        },
        { requiredKeys: ['model', 'messages'] },
      );
    case 'POST /v1/responses':
      return fc.record(
        {
          model,
          input: fc.oneof(hostileString, fc.array(chatMessage, { maxLength: 2 })),
          max_output_tokens: maxTokens,
          stream: fc.boolean(),
          previous_response_id: hostileString,
        },
        { requiredKeys: ['model', 'input'] },
      );
    case 'POST /tokenize':
    case 'POST /detokenize':
      return fc.record(
        {
          model,
          prompt: hostileString,
          tokens: fc.array(fc.integer({ min: -5, max: 1e6 }), { maxLength: 6 }),
          messages: fc.array(chatMessage, { maxLength: 2 }),
        },
        { requiredKeys: [] },
      );
    case 'POST /v1/adapters':
    case 'POST /v1/load_lora_adapter':
      return fc.record(
        { id: hostileString, path: hostileString, lora_name: hostileString, lora_path: hostileString },
        { requiredKeys: [] },
      );
    case 'POST /v1/unload_lora_adapter':
      return fc.record({ lora_name: hostileString }, { requiredKeys: [] });
    case 'POST /v1/datanets':
      return fc.record({ id: hostileString, title: hostileString }, { requiredKeys: [] });
    case 'POST /v1/datanets/:id/documents':
      return fc.record(
        {
          text: hostileString,
          contributor: hostileString,
          share_ppm: fc.integer(),
          id: hostileString,
          format: hostileString,
        },
        { requiredKeys: [] },
      );
    case 'POST /v1/fine_tuning/jobs':
      return fc.record(
        {
          model,
          training_file: hostileString,
          validation_file: hostileString,
          suffix: hostileString,
          hyperparameters: jsonValue,
          method: jsonValue,
        },
        { requiredKeys: [] },
      );
    case 'POST /v1/attribution/influence':
      return fc.record(
        { model, prompt: hostileString, completion: hostileString, top_k: fc.integer() },
        { requiredKeys: [] },
      );
    default:
      return fc.dictionary(hostileString, jsonValue, { maxKeys: 3 });
  }
}

/** One field of the body replaced by a hostile value, or pollution keys added. */
function mutate(body: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: body },
    {
      weight: 3,
      arbitrary: fc.tuple(body, jsonValue, fc.nat()).map(([b, v, i]) => {
        const keys = Object.keys(b);
        return keys.length === 0 ? v : { ...b, [keys[i % keys.length]]: v };
      }),
    },
    { weight: 1, arbitrary: body.map((b) => ({ ...b, constructor: { prototype: { polluted: true } } })) },
    { weight: 1, arbitrary: jsonValue },
  );
}

/** Raw body texts JSON.stringify cannot produce. */
function rawBody(body: fc.Arbitrary<Record<string, unknown>>, ctx: FuzzContext): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    body.map((b) => {
      const s = JSON.stringify(b);
      return s.length > 2 ? `{"__proto__":{"polluted":true},${s.slice(1)}` : '{"__proto__":{"polluted":true}}';
    }),
    body.map((b) => {
      const s = JSON.stringify(b);
      const k = Object.keys(b)[0];
      return k === undefined ? '{"a":1,"a":2}' : `{${JSON.stringify(k)}:"duplicate",${s.slice(1)}`;
    }),
    fc.constantFrom(
      '',
      '{',
      '}',
      '[',
      'null',
      '0',
      '"x"',
      '{"a":}',
      '{a:1}',
      "{'a':1}",
      '{"a":1,}',
      'NaN',
      '[[[[[[[[[[',
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
    ),
    fc.constant('['.repeat(5000) + ']'.repeat(5000)),
    fc.constant(`{"prompt":"${'a'.repeat(Math.max(0, ctx.bodyLimit - 20))}"}`),
    fc.constant(`{"prompt":"${'a'.repeat(ctx.bodyLimit + 10)}"}`),
    fc
      .uint8Array({ maxLength: 64 })
      .map((u) =>
        Buffer.concat([
          Buffer.from('{"prompt":"'),
          Buffer.from([0xff, 0xfe, 0xc0, 0x80]),
          Buffer.from(u),
          Buffer.from('"}'),
        ]),
      ),
    fc.uint8Array({ maxLength: 128 }).map((u) => Buffer.from(u)),
  );
}

const authHeader = (ctx: FuzzContext) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${ctx.apiKey}`) },
    { weight: 2, arbitrary: fc.constant(`Bearer ${ctx.adminKey}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: hostileString.map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`) },
    { weight: 1, arbitrary: fc.constantFrom('Basic YTpi', 'Bearer', 'bearer  ', `Bearer ${ctx.apiKey} extra`) },
  );

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'application/json; charset=latin1',
      'application/octet-stream',
      '',
    ),
  },
);

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

export function requestArb(routes: FuzzRoute[], ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((route) => {
    const params = route.url.split('/').filter((p) => p.startsWith(':')).length;
    const body = plausibleBody(route, ctx);
    return fc
      .record({
        method: fc.oneof(
          { weight: 9, arbitrary: fc.constant(route.method) },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        params: fc.array(segment, { minLength: params, maxLength: params }),
        query: fc.option(fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), { nil: undefined }),
        auth: authHeader(ctx),
        type: contentType,
        payload: fc.oneof(
          { weight: 4, arbitrary: mutate(body).map((b) => JSON.stringify(b) ?? 'null') },
          { weight: 2, arbitrary: rawBody(body, ctx) },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
      })
      .map(({ method, params, query, auth, type, payload }) => {
        let i = 0;
        let url = route.url.replace(/:[a-z_]+/g, () => params[i++] || '%20');
        if (query) url += '?' + new URLSearchParams(query).toString();
        const headers: Record<string, string> = {};
        if (auth !== undefined) headers.authorization = auth;
        const withBody = method !== 'GET' && method !== 'HEAD' && payload !== undefined;
        if (withBody && type !== '') headers['content-type'] = type;
        return { method, url, headers, payload: withBody ? payload : undefined, route: `${route.method} ${route.url}` };
      });
  });
}

/** WebSocket frames: envelopes with hostile ids, types and bodies, and raw garbage. */
export function wsFrameArb(ctx: FuzzContext, routes: FuzzRoute[]): fc.Arbitrary<string | Buffer> {
  const gen = (url: string) => plausibleBody({ method: 'POST', url }, ctx);
  const route = routes[0] ?? { method: 'POST', url: '/v1/completions' };
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({
          id: fc.oneof(hostileString, fc.integer(), fc.double(), fc.constant(null), jsonValue),
          type: fc.oneof(
            fc.constantFrom(
              'completions',
              'chat.completions',
              'responses',
              'cancel',
              '__proto__',
              'constructor',
              'toString',
              'hasOwnProperty',
            ),
            hostileString,
          ),
          body: fc.oneof(
            mutate(gen('/v1/completions')),
            mutate(gen('/v1/chat/completions')),
            mutate(gen('/v1/responses')),
          ),
        })
        .map((e) => JSON.stringify(e)),
    },
    { weight: 2, arbitrary: rawBody(plausibleBody(route, ctx), ctx) },
    { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v) ?? 'null') },
  );
}
