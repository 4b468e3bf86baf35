// Real responses of every OpenAI route loraledger serves, validated against OpenAI's wire schemas:
// JSON Schemas generated from the official `openai` package's types (test/support/openaiWireSchema.ts;
// no npm package ships OpenAI's OpenAPI document). Covered: responses (body, every stream event),
// chat completions (with logprobs; body and stream chunks), completions (with logprobs; body and
// stream chunks), models list and retrieve. Served by the embedded default (quick) on the real engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidateFunction } from 'ajv';
import { openaiWireValidators, type WireName } from './support/openaiWireSchema.ts';
import { startEmbeddedServer, type EmbeddedServer } from './support/embeddedServer.ts';
import { EngineError } from '../common/index.ts';
import { ResponseEvents } from '../server/generation/responsesStream.ts';
import { describeFailure } from '../server/generation/responsesServe.ts';

let server: EmbeddedServer;
let base: string;
let wire: Record<WireName, ValidateFunction>;
let eventValidator: (type: string) => ValidateFunction | undefined;

before(async () => {
  ({ wire, eventValidator } = openaiWireValidators());
  server = await startEmbeddedServer('conformance');
  base = server.base;
});
after(() => server?.close());

function conforms(name: WireName, value: unknown, what: string): void {
  const v = wire[name];
  assert.ok(v(value), `${what} is not a valid ${name}: ${JSON.stringify(v.errors?.slice(0, 3), null, 1)}`);
}

async function post(path: string, body: Record<string, unknown>): Promise<Response> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res;
}

/** The `data:` objects of an SSE body (and the `event:` names, for the Responses stream). */
async function sse(res: Response): Promise<Array<{ event?: string; data: Record<string, unknown> }>> {
  const out = [];
  for (const frame of (await res.text()).split('\n\n')) {
    const event = /^event: (.+)$/m.exec(frame)?.[1];
    const data = /^data: (\{.*)$/m.exec(frame)?.[1];
    if (data) out.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return out;
}

const GEN = { model: 'cooking', temperature: 0 };

function eventsConform(events: Array<{ event?: string; data: Record<string, unknown> }>): void {
  for (const e of events) {
    assert.equal(e.event, e.data.type, 'the SSE event name is the event type');
    const type = e.data.type as string;
    const v = eventValidator(type);
    assert.ok(v, `${type} is not an event type of OpenAI's ResponseStreamEvent`);
    assert.ok(v(e.data), `${type} does not conform: ${JSON.stringify(v.errors?.slice(0, 3), null, 1)}`);
  }
}

const WEATHER = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 12 } },
  required: ['city'],
  additionalProperties: false,
};

test('the schemas bite: a chat message without refusal and a response without output are rejected', () => {
  const message = { role: 'assistant', content: 'x' };
  const chat = {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message, finish_reason: 'stop', logprobs: null }],
  };
  assert.equal(wire.chatCompletion(chat), false);
  assert.equal(
    wire.chatCompletion({ ...chat, choices: [{ ...chat.choices[0], message: { ...message, refusal: null } }] }),
    true,
  );
  assert.equal(wire.response({ id: 'r', object: 'response' }), false);
});

test('POST /v1/responses: the body and every stream event conform', async () => {
  const body = await (await post('/responses', { ...GEN, input: 'Bake bread?', max_output_tokens: 6 })).json();
  conforms('response', body, 'the response body');
  const events = await sse(
    await post('/responses', { ...GEN, input: 'Bake bread?', max_output_tokens: 6, stream: true }),
  );
  assert.ok(events.length >= 8);
  eventsConform(events);
  const items = (await (
    await post('/responses', {
      ...GEN,
      max_output_tokens: 2,
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Snow' },
        { role: 'assistant', content: 'Snow in Oslo.' },
      ],
    })
  ).json()) as { id: string };
  const list = await (await fetch(`${base}/responses/${items.id}/input_items?order=asc`)).json();
  assert.equal((list as { data: unknown[] }).data.length, 5);
  conforms('inputItems', list, 'the input_items list');
  const lp = (await (
    await post('/responses', { ...GEN, input: 'Salt?', max_output_tokens: 3, top_logprobs: 2 })
  ).json()) as {
    output: Array<{ content: Array<{ logprobs: Array<{ top_logprobs: unknown[] }> }> }>;
    usage: { output_tokens: number };
  };
  conforms('response', lp, 'a response with logprobs');
  const lps = lp.output[0]!.content[0]!.logprobs;
  assert.equal(lps.length, lp.usage.output_tokens, 'one logprob per generated token');
  assert.ok(lps.every((t) => t.top_logprobs.length === 2));
  const bare = { ...GEN, input: 'x', max_output_tokens: 1, tools: [{ type: 'function', name: 'f' }] };
  conforms(
    'response',
    await (await post('/responses', bare)).json(),
    'a response echoing a tool sent without parameters',
  );
});

test('POST /v1/chat/completions with logprobs: the body and the stream chunks conform', async () => {
  const req = {
    ...GEN,
    messages: [{ role: 'user', content: 'Bake bread?' }],
    max_tokens: 5,
    logprobs: true,
    top_logprobs: 2,
  };
  conforms('chatCompletion', await (await post('/chat/completions', req)).json(), 'the chat completion');
  const chunks = await sse(
    await post('/chat/completions', { ...req, stream: true, stream_options: { include_usage: true } }),
  );
  assert.ok(chunks.length >= 3);
  for (const c of chunks) conforms('chatChunk', c.data, 'a chat chunk');
});

test('POST /v1/completions with logprobs: the body and the stream chunks conform', async () => {
  const req = { ...GEN, prompt: 'Bread is', max_tokens: 5, logprobs: 2 };
  conforms('completion', await (await post('/completions', req)).json(), 'the completion');
  // The document has no completion-chunk schema: streams reuse the completion object, and OpenAI's
  // own streams carry finish_reason: null until a choice ends, as ours do. Only that field is let off.
  for (const { data } of await sse(await post('/completions', { ...req, stream: true }))) {
    const choices = (data.choices as Array<Record<string, unknown>>).map((c) =>
      c.finish_reason === null ? { ...c, finish_reason: 'length' } : c,
    );
    conforms('completion', { ...data, choices }, 'a completion chunk');
  }
});

test('GET /v1/models and /v1/models/:id conform', async () => {
  const list = (await (await fetch(`${base}/models`)).json()) as { object: string; data: unknown[] };
  assert.equal(list.object, 'list');
  for (const m of list.data) conforms('model', m, 'a listed model');
  conforms('model', await (await fetch(`${base}/models/cooking`)).json(), 'models/cooking');
});

test('tool calls conform: a chat completion with tool_calls (body and chunks) and a Responses stream with function_call items', async () => {
  const chat = {
    ...GEN,
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER } }],
    tool_choice: 'required',
    parallel_tool_calls: false,
    max_tokens: 200,
  };
  const body = (await (await post('/chat/completions', chat)).json()) as {
    choices: Array<{ message: { tool_calls?: unknown[] } }>;
  };
  assert.equal(body.choices[0]!.message.tool_calls?.length, 1);
  conforms('chatCompletion', body, 'a chat completion with tool_calls');
  for (const c of await sse(await post('/chat/completions', { ...chat, stream: true })))
    conforms('chatChunk', c.data, 'a chat chunk with tool_calls');
  const responses = {
    ...GEN,
    input: 'Weather in Paris?',
    tools: [{ type: 'function', name: 'get_weather', parameters: WEATHER, strict: true }],
    tool_choice: 'required',
    parallel_tool_calls: false,
    max_output_tokens: 200,
  };
  const events = await sse(await post('/responses', { ...responses, stream: true }));
  assert.ok(events.some((e) => e.event === 'response.function_call_arguments.delta'));
  eventsConform(events);
  conforms('response', await (await post('/responses', responses)).json(), 'a response with a function_call');
});

test('response.failed conforms (made directly: a run that fails after its stream started is hard to provoke)', () => {
  const ev = new ResponseEvents({
    id: 'resp_x',
    created_at: 1,
    model: 'cooking',
    body: { model: 'cooking', input: 'x' },
    servedBy: { adapter: 'cooking' },
    completionId: 'chatcmpl-x',
  });
  ev.start();
  ev.choice({ index: 0, delta: { content: 'partial' }, logprobs: null, finish_reason: null });
  const failed = ev.fail(describeFailure(new EngineError('engine_failed', 'the worker stopped')));
  assert.ok(eventValidator('response.failed')!(failed), JSON.stringify(eventValidator('response.failed')!.errors));
});
