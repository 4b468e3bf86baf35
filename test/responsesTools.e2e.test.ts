// The Responses API with tools and structured outputs, as real clients use it, unchanged, over a
// real socket against the embedded default (quick profile) on the real engine: the official
// `openai` client (tool_choice required / named, streamed argument deltas, function_call_output
// follow-ups), text.format json_schema, /v1/ws, the Vercel AI SDK's default provider (streamText
// with tools, generateObject with zod, an agent loop) and LangChain's ChatOpenAI with
// useResponsesApi. Arguments and objects are validated with ajv against their schemas, the
// independent reference; a follow-up is checked against the same conversation sent to
// chat.completions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Ajv } from 'ajv';
import WebSocket from 'ws';
import { z } from 'zod';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';

let server: EmbeddedServer;
let base: string;
let client: OpenAI;

before(async () => {
  server = await startEmbeddedServer('responses-tools');
  base = server.base;
  client = new OpenAI({ baseURL: base, apiKey: 'unused', maxRetries: 0 });
});
after(() => server?.close());

const GREEDY = { temperature: 0, max_output_tokens: 12 } as const;

const WEATHER = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 12 } },
  required: ['city'],
  additionalProperties: false,
};
const TOOLS = [
  {
    type: 'function' as const,
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: WEATHER,
    strict: true,
  },
];
const ajv = new Ajv();
const validWeather = ajv.compile(WEATHER);
const CALLS = { model: 'cooking', tools: TOOLS, max_output_tokens: 300 } as const;
/** A fixed seed (passed to the sampler) where several calls may be sampled, so a run is reproducible. */
const SEEDED = { temperature: 1, seed: 11 } as { temperature: number };
type Call = OpenAI.Responses.ResponseFunctionToolCall;
const callsOf = (r: OpenAI.Responses.Response) => r.output.filter((o): o is Call => o.type === 'function_call');

function assertCalls(calls: Call[], what: string): void {
  assert.ok(calls.length >= 1, `${what}: no function call`);
  for (const c of calls) {
    assert.equal(c.name, 'get_weather');
    assert.match(c.id!, /^fc_/);
    assert.ok(c.call_id.length > 0);
    assert.equal(c.status, 'completed');
    assert.ok(validWeather(JSON.parse(c.arguments)), `${what}: arguments ${c.arguments} do not fit the schema`);
  }
}

test('official client with tools: tool_choice "required" and a named function give valid function_call items; their outputs continue the conversation', async () => {
  const r = await client.responses.create({
    ...CALLS,
    input: 'Weather in Paris?',
    tool_choice: 'required',
    ...SEEDED,
  });
  assert.equal(r.status, 'completed');
  assertCalls(callsOf(r), 'required');
  const named = await client.responses.create({
    ...CALLS,
    input: 'Weather in Rome?',
    tool_choice: { type: 'function', name: 'get_weather' },
    parallel_tool_calls: false,
  });
  assert.equal(callsOf(named).length, 1, 'parallel_tool_calls: false gives one call');
  assertCalls(callsOf(named), 'named');

  const calls = callsOf(r);
  const follow = await client.responses.create({
    ...CALLS,
    ...GREEDY,
    previous_response_id: r.id,
    tool_choice: 'none',
    input: calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: 'Sunny, 21 C' })),
  });
  const ref = await client.chat.completions.create({
    model: 'cooking',
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: calls.map((c) => ({
          id: c.call_id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.call_id, content: 'Sunny, 21 C' })),
    ],
    tools: TOOLS.map(({ type, name, description, parameters, strict }) => ({
      type,
      function: { name, description, parameters, strict },
    })),
    tool_choice: 'none',
    temperature: 0,
    max_tokens: GREEDY.max_output_tokens,
  });
  assert.equal(
    follow.usage!.input_tokens,
    ref.usage!.prompt_tokens,
    'the calls and their outputs were rendered as chat renders them',
  );
  assert.equal(follow.output_text, ref.choices[0]!.message.content ?? '');
});

test('official client responses.stream with tools: argument deltas add up to each final function_call', async () => {
  const stream = client.responses.stream({
    ...CALLS,
    input: 'Weather in Oslo?',
    tool_choice: 'required',
    ...SEEDED,
  });
  const deltas = new Map<string, string>();
  stream.on('response.function_call_arguments.delta', (e) =>
    deltas.set(e.item_id, (deltas.get(e.item_id) ?? '') + e.delta),
  );
  const types = new Set<string>();
  for await (const e of stream) types.add(e.type);
  const final = await stream.finalResponse();
  assertCalls(callsOf(final), 'streamed');
  for (const c of callsOf(final)) assert.equal(deltas.get(c.id!), c.arguments);
  for (const t of ['response.output_item.added', 'response.function_call_arguments.done', 'response.output_item.done'])
    assert.ok(types.has(t), t);
});

test('text.format json_schema: the answer parses and fits the schema', async () => {
  const RECIPE = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 10 }, minutes: { type: 'integer', minimum: 1, maximum: 300 } },
    required: ['name', 'minutes'],
    additionalProperties: false,
  };
  const r = await client.responses.create({
    model: 'cooking',
    input: 'A bread recipe as JSON',
    text: { format: { type: 'json_schema', name: 'recipe', schema: RECIPE, strict: true } },
    max_output_tokens: 200,
    temperature: 1,
  });
  assert.equal(r.status, 'completed');
  assert.ok(ajv.compile(RECIPE)(JSON.parse(r.output_text)), r.output_text);
});

test('WebSocket "type": "responses" with tools: function-call argument deltas stream on the socket', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const events: Array<{ type: string; delta?: string; item_id?: string; response?: OpenAI.Responses.Response }> = [];
  const done = new Promise<{ status: string }>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; data?: (typeof events)[number]; status: string };
      if (m.type === 'event') events.push(m.data!);
      else resolve(m);
    }),
  );
  ws.send(
    JSON.stringify({
      id: 1,
      type: 'responses',
      body: { ...CALLS, input: 'Weather in Lima?', tool_choice: 'required', parallel_tool_calls: false },
    }),
  );
  assert.equal((await done).status, 'completed');
  ws.close();
  const final = events.at(-1)!.response!;
  assertCalls(callsOf(final), 'ws');
  const args = events.filter((e) => e.type === 'response.function_call_arguments.delta');
  assert.ok(args.length > 1, 'arguments arrive in pieces');
  assert.equal(
    args
      .filter((e) => e.item_id === callsOf(final)[0]!.id)
      .map((e) => e.delta)
      .join(''),
    callsOf(final)[0]!.arguments,
  );
});

test('Vercel AI SDK default provider: streamText with tools (toolChoice required) and generateObject with a zod schema', async () => {
  const openai = createOpenAI({ baseURL: base, apiKey: 'unused' });
  const s = streamText({
    model: openai('cooking'),
    prompt: 'Weather in Paris?',
    tools: {
      get_weather: tool({ description: 'Weather in a city', inputSchema: z.object({ city: z.string().max(12) }) }),
    },
    toolChoice: 'required',
    providerOptions: { openai: { parallelToolCalls: false } },
    maxOutputTokens: 300,
  });
  const parts = new Set<string>();
  for await (const p of s.fullStream) parts.add(p.type);
  const calls = await s.toolCalls;
  assert.ok(calls.length >= 1);
  for (const c of calls) {
    assert.equal(c.toolName, 'get_weather');
    assert.ok(validWeather(c.input), JSON.stringify(c.input));
  }
  assert.ok(parts.has('tool-input-delta') && parts.has('tool-call'), [...parts].join(' '));
  assert.equal(await s.finishReason, 'tool-calls');

  const recipe = z.object({ name: z.string().max(10), minutes: z.number().int().min(1).max(300) });
  const { object } = await generateObject({
    model: openai('cooking'),
    schema: recipe,
    prompt: 'A bread recipe',
    maxOutputTokens: 200,
  });
  assert.deepEqual(recipe.parse(object), object);
});

test('Vercel AI SDK agent loop: a tool runs, the call and its result go back as function_call / function_call_output items, the model answers', async () => {
  const bodies: Array<{ input: Array<Record<string, unknown>> }> = [];
  const openai = createOpenAI({
    baseURL: base,
    apiKey: 'unused',
    fetch: async (url, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return fetch(url, init);
    },
  });
  const ran: string[] = [];
  const result = await generateText({
    model: openai('cooking'),
    prompt: 'Weather in Paris?',
    tools: {
      get_weather: tool({
        description: 'Weather in a city',
        inputSchema: z.object({ city: z.string().max(12) }),
        execute: async ({ city }) => {
          ran.push(city);
          return `Sunny in ${city}`;
        },
      }),
    },
    prepareStep: ({ stepNumber }) => ({ toolChoice: stepNumber === 0 ? 'required' : 'none' }),
    providerOptions: { openai: { parallelToolCalls: false } },
    stopWhen: stepCountIs(2),
    temperature: 0,
    maxOutputTokens: 200,
  });
  assert.equal(result.steps.length, 2);
  assert.equal(ran.length, 1);
  assert.deepEqual(
    result.steps[0]!.toolCalls.map((c) => c.input),
    [{ city: ran[0] }],
  );
  assert.equal(bodies.length, 2, 'one request per step');
  const second = bodies[1]!;
  const call = result.steps[0]!.toolCalls[0]!;
  assert.deepEqual(
    second.input.filter((i) => i.type === 'function_call' || i.type === 'function_call_output').map((i) => i.call_id),
    [call.toolCallId, call.toolCallId],
    'the second request sent the call and its output back',
  );
  assert.equal(result.steps[1]!.toolCalls.length, 0, 'tool_choice none on the second step');
  assert.ok(['stop', 'length'].includes(result.finishReason));
});

test('tool parameters as zod 4 writes them (draft 2020-12 $schema) are accepted and enforced', async () => {
  const parameters = z.toJSONSchema(z.object({ city: z.string().max(12) }));
  assert.equal(parameters.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const r = await client.responses.create({
    ...CALLS,
    tools: [{ type: 'function', name: 'get_weather', parameters, strict: true }],
    input: 'Weather in Quito?',
    tool_choice: 'required',
    parallel_tool_calls: false,
  });
  assertCalls(callsOf(r), 'zod 4 parameters');
});

test('LangChain ChatOpenAI on the Responses API (useResponsesApi): invoke, and withStructuredOutput with a zod schema', async () => {
  const llm = (maxTokens: number) =>
    new ChatOpenAI({
      model: 'cooking',
      apiKey: 'unused',
      configuration: { baseURL: base },
      useResponsesApi: true,
      temperature: 0,
      maxTokens,
    });
  const m = await llm(12).invoke('How long do I bake bread?');
  const ref = await client.responses.create({ model: 'cooking', input: 'How long do I bake bread?', ...GREEDY });
  assert.deepEqual((m.content as Array<{ type: string; text: string }>).map((c) => c.text).join(''), ref.output_text);
  assert.equal(m.usage_metadata?.input_tokens, ref.usage!.input_tokens);
  const recipe = z.object({ name: z.string().max(10) });
  const object = await llm(200).withStructuredOutput(recipe, { method: 'jsonSchema' }).invoke('A bread');
  assert.deepEqual(recipe.parse(object), object);
});
