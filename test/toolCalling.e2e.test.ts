// Tool calling on chat completions as real clients use it, unchanged, over a real socket against the
// embedded default (quick profile) on the real engine: the official `openai` client with tools and
// tool_choice "required" / a named function (enforced by constrained decoding, so the tiny model's
// calls always parse), streamed too; a conversation carrying tool results; LangChain's
// ChatOpenAI.bindTools and withStructuredOutput. Arguments are validated against each tool's schema
// with ajv, the independent reference. Bad tool fields are 400s naming the field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';

let server: EmbeddedServer;
let app: FastifyInstance;
let base: string;
let client: OpenAI;

before(async () => {
  server = await startEmbeddedServer('tools');
  ({ app, base } = server);
  client = new OpenAI({ baseURL: base, apiKey: 'unused', maxRetries: 0 });
});
after(() => server?.close());

const WEATHER = {
  type: 'object',
  properties: {
    city: { type: 'string', maxLength: 12 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city', 'unit'],
  additionalProperties: false,
};
const TIMER = {
  type: 'object',
  properties: { minutes: { type: 'integer', minimum: 1, maximum: 90 } },
  required: ['minutes'],
  additionalProperties: false,
};
const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: WEATHER } },
  { type: 'function', function: { name: 'set_timer', description: 'Kitchen timer', parameters: TIMER } },
];
const ajv = new Ajv({ strict: false });
const validators = { get_weather: ajv.compile(WEATHER), set_timer: ajv.compile(TIMER) };
const ASK: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Set a timer for the bread.' }];

/** Each call names a tool and its arguments parse and validate against that tool's schema. */
function checkCalls(calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }>) {
  assert.ok(calls.length >= 1, 'at least one call');
  for (const c of calls) {
    assert.match(c.id, /^call_[A-Za-z0-9]{24}$/);
    assert.equal(c.type, 'function');
    const validate = validators[c.function.name as keyof typeof validators];
    assert.ok(validate, `unknown function ${c.function.name}`);
    const args: unknown = JSON.parse(c.function.arguments);
    assert.ok(validate(args), `${c.function.arguments}: ${ajv.errorsText(validate.errors)}`);
  }
}

// The quick model's byte-level vocabulary is small: one call is about 65 tokens.
test('official client: tool_choice "required" at temperature 1 always yields a call that validates', async () => {
  for (const seed of [1, 2, 3]) {
    const r = await client.chat.completions.create({
      model: 'cooking',
      messages: ASK,
      tools: TOOLS,
      tool_choice: 'required',
      parallel_tool_calls: false,
      temperature: 1,
      seed,
      max_tokens: 200,
    });
    const choice = r.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls', JSON.stringify(choice.message));
    assert.equal(choice.message.role, 'assistant');
    assert.equal(choice.message.tool_calls!.length, 1);
    checkCalls(choice.message.tool_calls as Parameters<typeof checkCalls>[0]);
  }
});

test('official client: "required" with parallel calls: every finished call validates', async () => {
  const r = await client.chat.completions.create({
    model: 'cooking',
    messages: ASK,
    tools: TOOLS,
    tool_choice: 'required',
    temperature: 1,
    seed: 11,
    max_tokens: 300,
  });
  const choice = r.choices[0]!;
  const calls = choice.message.tool_calls as Parameters<typeof checkCalls>[0];
  // cut by max_tokens, the last call may be unfinished (as OpenAI returns it); the others are whole
  checkCalls(choice.finish_reason === 'length' ? calls.slice(0, -1) : calls);
  assert.ok(['tool_calls', 'length'].includes(choice.finish_reason));
});

test('official client: a named function with parallel_tool_calls false gives exactly that one call', async () => {
  const r = await client.chat.completions.create({
    model: 'auto',
    messages: ASK,
    tools: TOOLS,
    tool_choice: { type: 'function', function: { name: 'set_timer' } },
    parallel_tool_calls: false,
    temperature: 0.8,
    max_tokens: 200,
  });
  const choice = r.choices[0]!;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls!.length, 1);
  assert.equal(choice.message.content, null);
  const call = choice.message.tool_calls![0]! as Parameters<typeof checkCalls>[0][number];
  assert.equal(call.function.name, 'set_timer');
  checkCalls([call]);
});

test('official client, streamed: delta.tool_calls with id/type/name first, then argument fragments', async () => {
  const stream = await client.chat.completions.create({
    model: 'cooking',
    messages: ASK,
    tools: TOOLS,
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    temperature: 1,
    seed: 7,
    max_tokens: 250,
    stream: true,
  });
  const calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> = [];
  let fragments = 0;
  let finish: string | null = null;
  let content = '';
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (!c) continue;
    content += c.delta.content ?? '';
    for (const d of c.delta.tool_calls ?? []) {
      if (d.id) {
        assert.equal(d.type, 'function');
        assert.ok(d.function?.name, 'the first delta of a call names the function');
        calls[d.index] = { id: d.id, type: d.type!, function: { name: d.function!.name!, arguments: '' } };
      } else fragments++;
      calls[d.index]!.function.arguments += d.function?.arguments ?? '';
    }
    if (c.finish_reason) finish = c.finish_reason;
  }
  assert.equal(finish, 'tool_calls');
  assert.equal(content, '', 'nothing of the call syntax leaks into content');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.function.name, 'get_weather');
  assert.ok(fragments >= 2, `arguments arrive in fragments (${fragments})`);
  checkCalls(calls);
});

test('a conversation with an assistant tool call and its result renders and answers', async () => {
  const r = await client.chat.completions.create({
    model: 'cooking',
    messages: [
      ...ASK,
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'set_timer', arguments: '{"minutes": 40}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"ok": true}' },
    ],
    tools: TOOLS,
    tool_choice: 'none',
    temperature: 0,
    max_tokens: 8,
  });
  const choice = r.choices[0]!;
  assert.notEqual(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls, undefined);
  assert.equal(typeof choice.message.content, 'string');
  // the tools and the tool traffic are in the prompt: more tokens than the question alone
  const plain = await client.chat.completions.create({
    model: 'cooking',
    messages: ASK,
    temperature: 0,
    max_tokens: 1,
  });
  assert.ok(r.usage!.prompt_tokens > plain.usage!.prompt_tokens + 50);
  // /tokenize renders the same conversation with the same tools to the same count
  const counted = await app.inject({
    method: 'POST',
    url: '/tokenize',
    payload: {
      model: 'cooking',
      messages: [
        ...ASK,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'set_timer', arguments: '{"minutes": 40}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"ok": true}' },
      ],
      tools: TOOLS,
    },
  });
  assert.equal(counted.statusCode, 200, counted.body);
  assert.equal(counted.json().count, r.usage!.prompt_tokens);
});

test('tool_choice auto: replies are parsed (a reply without a call comes back as plain content)', async () => {
  const r = await client.chat.completions.create({
    model: 'cooking',
    messages: ASK,
    tools: TOOLS,
    temperature: 0,
    max_tokens: 10,
  });
  const choice = r.choices[0]!;
  if (choice.message.tool_calls?.length) checkCalls(choice.message.tool_calls as Parameters<typeof checkCalls>[0]);
  else {
    assert.equal(typeof choice.message.content, 'string');
    assert.ok(['stop', 'length'].includes(choice.finish_reason));
  }
});

test('bad tool fields are 400s naming the field', async () => {
  const post = (body: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'cooking', messages: ASK, max_tokens: 4, ...body },
    });
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type', /only "function" tools/],
    [{ tools: [{ type: 'function', function: { name: 'bad name!' } }] }, 'tools[0].function.name', /letters, digits/],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'wat' } } }] },
      'tools[0].function.parameters',
      /not a valid JSON schema/,
    ],
    [{ tools: [TOOLS[0], TOOLS[0]] }, 'tools', /twice/],
    [{ tools: TOOLS, tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice', /not in tools/],
    [{ tool_choice: 'required' }, 'tool_choice', /needs tools/],
    [{ tools: TOOLS, tool_choice: 'sometimes' }, 'tool_choice', /not one of/],
    [
      {
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', patternProperties: {} } } }],
        tool_choice: 'required',
      },
      'tools[0].function.parameters',
      /patternProperties/,
    ],
    [{ messages: [...ASK, { role: 'tool', content: 'x' }] }, 'messages[1].tool_call_id', /needs tool_call_id/],
    [
      {
        messages: [
          ...ASK,
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
          },
        ],
      },
      'messages[1].tool_calls[0].function.arguments',
      /not valid JSON/,
    ],
    [{ messages: [{ role: 'user', content: null }] }, 'messages[0].content', /missing/],
    [{ functions: [{ name: 'f' }] }, 'functions', /deprecated/],
  ];
  for (const [body, param, message] of cases) {
    const r = await post(body);
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)} -> ${r.body}`);
    const e = r.json().error;
    assert.equal(e.param, param, r.body);
    assert.match(e.message, message);
    assert.equal(e.type, 'invalid_request_error');
  }
});

/** LangChain's OpenAI chat model pointed at this server, as a user would configure it. */
async function langchainModel() {
  const { ChatOpenAI } = await import('@langchain/openai');
  return new ChatOpenAI({
    model: 'cooking',
    apiKey: 'unused',
    configuration: { baseURL: base },
    temperature: 1,
    maxTokens: 200,
    maxRetries: 0,
  });
}

test('LangChain: ChatOpenAI.bindTools with a forced tool gives tool_calls whose args validate', async () => {
  const model = await langchainModel();
  const bound = model.bindTools(TOOLS, { tool_choice: 'set_timer' });
  const msg = await bound.invoke('Set a timer for the bread.');
  assert.equal(msg.tool_calls?.length, 1, JSON.stringify(msg));
  const call = msg.tool_calls![0]!;
  assert.equal(call.name, 'set_timer');
  assert.match(call.id ?? '', /^call_/);
  assert.ok(validators.set_timer(call.args), ajv.errorsText(validators.set_timer.errors));
  // streamed through LangChain: the chunks concatenate into the same kind of call
  let full: Awaited<ReturnType<typeof bound.invoke>> | undefined;
  for await (const chunk of await bound.stream('Set a timer for the bread.'))
    full = full === undefined ? chunk : (full.concat(chunk) as typeof full);
  assert.equal(full?.tool_calls?.[0]?.name, 'set_timer', JSON.stringify(full));
  assert.ok(validators.set_timer(full!.tool_calls![0]!.args));
});

test('LangChain: withStructuredOutput by function calling and by json_schema both validate', async () => {
  const model = await langchainModel();
  const schema = { ...WEATHER, title: 'weather', description: 'A city and a unit' };
  for (const method of ['functionCalling', 'jsonSchema'] as const) {
    const structured = model.withStructuredOutput(schema, { method, name: 'weather' });
    const out = await structured.invoke('Weather in Lyon?');
    assert.ok(
      validators.get_weather(out),
      `${method}: ${JSON.stringify(out)} ${ajv.errorsText(validators.get_weather.errors)}`,
    );
  }
});

test('/v1/ws: tool-call deltas stream on the WebSocket as they do over SSE', async () => {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(base.replace('http', 'ws') + '/ws');
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const messages: Array<{ type: string; data?: OpenAI.ChatCompletionChunk; finish_reason?: string }> = [];
  const done = new Promise<void>((resolve) =>
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      messages.push(m);
      if (m.type === 'done' || m.type === 'error') resolve();
    }),
  );
  ws.send(
    JSON.stringify({
      id: 'w1',
      type: 'chat.completions',
      body: {
        model: 'cooking',
        messages: ASK,
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'set_timer' } },
        temperature: 1,
        seed: 5,
        max_tokens: 200,
      },
    }),
  );
  await done;
  ws.close();
  const deltas = messages.flatMap((m) => m.data?.choices[0]?.delta.tool_calls ?? []);
  assert.equal(deltas[0]?.function?.name, 'set_timer', JSON.stringify(messages.at(-1)));
  assert.match(deltas[0]?.id ?? '', /^call_/);
  const args = deltas.map((d) => d.function?.arguments ?? '').join('');
  assert.ok(validators.set_timer(JSON.parse(args)), args);
  assert.equal(messages.at(-1)?.type, 'done');
  assert.equal(messages.at(-1)?.finish_reason, 'tool_calls');
});

test('a call that breaks after its name (forced with guided_regex): plain text, or tool_call_invalid when streamed', async () => {
  const broken = '<tool_call>\n{"name": "set_timer", "arguments": {"minutes": 1 2}}\n</tool_call>';
  const body = {
    model: 'cooking',
    messages: ASK,
    tools: TOOLS,
    guided_regex: broken.replace(/[{}]/g, (c) => `\\${c}`),
    temperature: 1,
    max_tokens: 200,
  };
  const r = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: body });
  assert.equal(r.statusCode, 200, r.body);
  const choice = r.json().choices[0];
  assert.equal(choice.message.content, broken);
  assert.equal(choice.message.tool_calls, undefined);
  assert.equal(choice.finish_reason, 'stop');
  const s = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { ...body, stream: true } });
  const frames = s.body.split('\n\n').filter((f) => f.startsWith('data: {'));
  const last = JSON.parse(frames.at(-1)!.slice(6));
  assert.equal(last.error?.code, 'tool_call_invalid', s.body);
  assert.match(last.error.message, /set_timer is not valid JSON/);
  assert.ok(s.body.trimEnd().endsWith('data: [DONE]'));
});

test('rag + an enforced tool call: passages retrieved, the call validates, attribution signed', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    payload: {
      model: 'cooking',
      messages: [{ role: 'user', content: 'How long should bread dough rise?' }],
      tools: TOOLS,
      tool_choice: { type: 'function', function: { name: 'set_timer' } },
      temperature: 1,
      seed: 9,
      max_tokens: 200,
      rag: { datanets: ['kitchen-recipes'], top_k: 2 },
    },
  });
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  assert.equal(body.choices[0].finish_reason, 'tool_calls');
  checkCalls(body.choices[0].message.tool_calls);
  assert.equal(body.attribution.status, 'signed', JSON.stringify(body.attribution));
  assert.equal(body.attribution.sources.length, 2);
});

test("official client's agent loop (runTools, streamed): our deltas assemble, the function runs with valid args", async () => {
  const seen: unknown[] = [];
  const runner = client.chat.completions.runTools({
    model: 'cooking',
    messages: ASK,
    stream: true,
    temperature: 1,
    seed: 4,
    max_tokens: 200,
    tool_choice: { type: 'function', function: { name: 'set_timer' } },
    tools: [
      {
        type: 'function',
        function: {
          name: 'set_timer',
          description: 'Kitchen timer',
          parameters: TIMER,
          parse: JSON.parse,
          function: (args: unknown) => {
            seen.push(args);
            return { ok: true };
          },
        },
      },
    ],
  });
  await runner.done();
  assert.equal(seen.length, 1);
  assert.ok(validators.set_timer(seen[0]), JSON.stringify(seen[0]));
  const messages = runner.messages;
  const call = messages.find((m) => m.role === 'assistant' && 'tool_calls' in m && m.tool_calls?.length);
  assert.ok(call, 'the assembled assistant message carries the tool call');
  assert.ok(messages.some((m) => m.role === 'tool' && m.content === '{"ok":true}'));
});
