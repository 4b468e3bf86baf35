// Structured outputs by constrained decoding, end to end on the embedded default (quick build: its
// byte-level BPE tokenizer, four LoRA adapters) over a real socket, with the official `openai` client
// and raw fetch. At temperature 1, with rows of several adapters and the base model sharing batched
// steps, every sampled output must parse and validate against its schema; ajv is the independent
// judge. Regex and choice outputs are checked by the regex / the list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Ajv } from 'ajv';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';
import { tappedStartEngine, type EngineTap } from './support/engineTap.ts';

let server: EmbeddedServer;
let base: string;
let client: OpenAI;
let tap: EngineTap;
let maxRows = 0;
const ADAPTERS = ['cooking', 'dermatology', 'contracts-law', 'python-code'];
const BASE_ID = 'loraledger-demo';

before(async () => {
  server = await startEmbeddedServer('structured', ['--max-batch-size', '24', '--max-batch-tokens', '512'], {
    attribution: null,
    startEngine: tappedStartEngine((t) => {
      tap = t;
      t.onNotice((n) => {
        if (n.type === 'step') maxRows = Math.max(maxRows, n.rows);
      });
    }),
  });
  base = server.base.replace(/\/v1$/, '');
  client = new OpenAI({ baseURL: server.base, apiKey: 'unused', maxRetries: 0 });
});
after(() => server?.close());

const strictObject = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const SCHEMAS: Record<string, Record<string, unknown>> = {
  person: strictObject({
    name: { type: 'string', maxLength: 12 },
    age: { type: 'integer', minimum: 0, maximum: 120 },
  }),
  finding: strictObject({
    kind: { enum: ['rash', 'burn', 'cut'] },
    severe: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string', maxLength: 6 }, maxItems: 3 },
  }),
  recipe: strictObject({
    recipe: strictObject({
      title: { type: 'string', maxLength: 10 },
      steps: { type: 'integer', minimum: 1, maximum: 9 },
    }),
    score: { type: 'number' },
  }),
  batch: strictObject({
    items: {
      type: 'array',
      items: strictObject({ id: { type: 'integer', minimum: 0, maximum: 99 }, ok: { type: 'boolean' } }),
      minItems: 1,
      maxItems: 2,
    },
    note: { anyOf: [{ type: 'string', maxLength: 8 }, { type: 'null' }] },
  }),
};

test('json_schema strict: 200 outputs at temperature 1, mixed adapters in shared batched steps, all parse and validate (ajv)', async () => {
  const ajv = new Ajv({ strict: true });
  const models = [BASE_ID, ...ADAPTERS];
  const calls: Array<Promise<{ schema: string; model: string; texts: string[]; finish: string[] }>> = [];
  let k = 0;
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    for (let r = 0; r < 10; r++) {
      const model = models[k++ % models.length]!;
      const body = {
        model,
        prompt: `Answer in JSON (${name}):`,
        max_tokens: 96,
        temperature: 1,
        n: 5,
        seed: 1000 + 10 * k,
        response_format: { type: 'json_schema', json_schema: { name, schema, strict: true } },
      };
      calls.push(
        client.completions.create(body as unknown as OpenAI.CompletionCreateParamsNonStreaming).then((res) => ({
          schema: name,
          model: res.model,
          texts: res.choices.map((c) => c.text),
          finish: res.choices.map((c) => c.finish_reason),
        })),
      );
    }
  }
  const results = await Promise.all(calls);
  let outputs = 0;
  const bad: string[] = [];
  for (const r of results) {
    const validate = ajv.getSchema(r.schema) ?? (ajv.addSchema(SCHEMAS[r.schema]!, r.schema), ajv.getSchema(r.schema)!);
    r.texts.forEach((text, i) => {
      outputs++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        bad.push(`${r.schema}/${r.model} (${r.finish[i]}): not JSON: ${text}`);
        return;
      }
      if (!validate(value)) bad.push(`${r.schema}/${r.model}: ${ajv.errorsText(validate.errors)}: ${text}`);
      else if (r.finish[i] !== 'stop') bad.push(`${r.schema}/${r.model}: finish ${r.finish[i]}: ${text}`);
    });
  }
  assert.equal(outputs, 200);
  assert.deepEqual(bad, [], `${bad.length} of 200 outputs failed`);
  assert.deepEqual(new Set(results.map((r) => r.model)), new Set(models), 'every adapter and the base served');
  assert.ok(maxRows >= 8, `rows shared batched steps (largest step: ${maxRows} rows)`);
  const sent = tap.requests.filter((q) => q.constraint?.type === 'json_schema');
  assert.ok(new Set(sent.map((q) => q.adapterId)).size === 5, 'constrained rows of all five models');
  const stats = tap.stats().constraintMask!;
  assert.ok(stats.tokens > 200 && stats.p50Ms >= 0 && stats.p99Ms >= stats.p50Ms, JSON.stringify(stats));
});

test('guided_regex and guided_choice (vLLM extras) and json_object, at temperature 1 across adapters', async () => {
  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${base}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Say:', max_tokens: 48, temperature: 1, n: 6, ...body }),
    });
    const json = (await res.json()) as { choices: Array<{ text: string; finish_reason: string }> };
    assert.equal(res.status, 200, JSON.stringify(json));
    return json.choices;
  };
  const [regex, choice, object] = await Promise.all([
    post({ model: 'cooking', guided_regex: '[a-z]{2,5}-[0-9]{3}( ok)?', seed: 1 }),
    post({ model: 'dermatology', guided_choice: ['rash', 'burn', 'no idea'], seed: 2 }),
    post({ model: BASE_ID, response_format: { type: 'json_object' }, max_tokens: 200, seed: 3 }),
  ]);
  for (const c of regex) assert.match(c.text, /^[a-z]{2,5}-[0-9]{3}( ok)?$/);
  for (const c of choice) assert.ok(['rash', 'burn', 'no idea'].includes(c.text), c.text);
  for (const c of object.filter((c) => c.finish_reason === 'stop')) {
    const v = JSON.parse(c.text) as unknown;
    assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), c.text);
  }
});

test('official client: chat.completions.create with response_format json_schema (n=4, logprobs after masking; streamed)', async () => {
  const schema = SCHEMAS.finding!;
  const ask = {
    messages: [{ role: 'user' as const, content: 'Describe the finding as JSON.' }],
    response_format: { type: 'json_schema' as const, json_schema: { name: 'finding', schema, strict: true } },
    temperature: 1,
    max_tokens: 96,
  };
  const res = await client.chat.completions.create({
    ...ask,
    model: 'dermatology',
    n: 4,
    logprobs: true,
    top_logprobs: 3,
  });
  const validate = new Ajv({ strict: true }).compile(schema);
  for (const c of res.choices) {
    assert.equal(c.finish_reason, 'stop');
    assert.ok(validate(JSON.parse(c.message.content!)), c.message.content!);
    // The reported distribution is the masked one: the first token of a JSON object is '{', certain.
    const first = c.logprobs!.content![0]!;
    assert.equal(first.token, '{');
    assert.ok(Math.abs(first.logprob) < 1e-5, `logprob of the only allowed token: ${first.logprob}`);
    assert.equal(first.top_logprobs.length, 1, 'masked tokens are not alternatives');
  }
  // Streamed: the deltas concatenate to output that validates.
  const stream = await client.chat.completions.create({ ...ask, model: 'cooking', stream: true });
  let text = '';
  let finish: string | null = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(finish, 'stop');
  assert.ok(validate(JSON.parse(text)), text);
});

test('bad structured-output requests are 400s naming the field and what is unsupported', async () => {
  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${base}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: BASE_ID, prompt: 'x', max_tokens: 4, ...body }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { error: { code: string; message: string; param: string } },
    };
  };
  const rf = (schema: unknown) => ({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } });
  const unsupported = await post(rf({ type: 'object', patternProperties: { '^a': { type: 'integer' } } }));
  assert.equal(unsupported.status, 400);
  assert.equal(unsupported.body.error.param, 'response_format');
  assert.match(unsupported.body.error.message, /'patternProperties' at # is not supported/);
  const bound = await post(rf({ type: 'number', minimum: 0.5 }));
  assert.match(bound.body.error.message, /'minimum' .*integers only/);
  const two = await post({ guided_regex: 'a+', guided_choice: ['a'] });
  assert.equal(two.status, 400);
  assert.match(two.body.error.message, /guided_regex and guided_choice cannot be combined/);
  const regex = await post({ guided_regex: '(a' });
  assert.equal(regex.status, 400);
  assert.equal(regex.body.error.param, 'guided_regex');
  const prop = await post({ guided_regex: '\\p{L}+' }); // valid in JS, not in xgrammar
  assert.equal(prop.status, 400);
  assert.match(prop.body.error.message, /Unicode property classes/);
  const look = await post({ guided_regex: 'a(?=b)' });
  assert.match(look.body.error.message, /lookaround/);
  const badType = await post({ response_format: { type: 'xml' } });
  assert.equal(badType.status, 400);
  const noSchema = await post({ response_format: { type: 'json_schema', json_schema: { name: 'x' } } });
  assert.match(noSchema.body.error.message, /json_schema.schema must be a JSON schema object/);
  // text stays accepted and unconstrained
  assert.equal((await post({ response_format: { type: 'text' } })).status, 200);
});

test('engine: a constrained request cancelled at once (its grammar new) ends cancelled; the next one completes', async () => {
  const constraint = { type: 'json_schema' as const, schema: strictObject({ fresh: { type: 'boolean' } }) };
  const req = (id: string) => ({
    id,
    promptIds: [1, 2, 3],
    adapterId: 'cooking',
    maxTokens: 16,
    sampling: { temperature: 1, topP: 1, topK: 0, seed: 9 },
    stopTokenIds: tap.spec.eosTokenIds,
    ignoreEos: false,
    constraint,
  });
  const events = tap.generate(req('cancel-me'))[Symbol.asyncIterator]();
  const first = events.next(); // starts the request
  tap.cancel('cancel-me');
  let ev = await first;
  while (!ev.done && ev.value.type === 'token') ev = await events.next(); // a step may have run before the cancel landed
  const end = ev.value as { type: string; finishReason?: string; completionTokens?: number };
  assert.deepEqual([end.type, end.finishReason], ['done', 'cancelled']);
  assert.ok(end.completionTokens! < 16, 'ended before max_tokens');
  const text: number[] = [];
  let finish = '';
  for await (const e of tap.generate(req('after'))) {
    if (e.type === 'token') text.push(e.tokenId);
    else if (e.type === 'done') finish = e.finishReason;
  }
  assert.equal(finish, 'stop');
  assert.match(server.app.loraledger.tokenizer.decode(text), /^\{"fresh": (true|false)\}$/);
});
