// Responses request -> chat request, checked against hand-written chat bodies; each refused input
// names its field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoraledgerError, RequestError } from '../../common/index.ts';
import { ResponseStore } from './responseStore.ts';
import { renameParam, toChatRequest } from './responsesRequest.ts';
import type { ResponsesBody } from './responsesSchema.ts';

const store = new ResponseStore(2);
const chat = (b: Record<string, unknown>) =>
  toChatRequest({ model: 'm', input: 'hi', ...b } as unknown as ResponsesBody, store);

test('string input, instructions, sampling, tools, tool_choice, text.format and logprobs map to the chat request', () => {
  const { chat: c, history } = chat({
    instructions: 'Be brief.',
    max_output_tokens: 7,
    temperature: 0.5,
    top_p: 0.9,
    seed: 3,
    tools: [{ type: 'function', name: 'get_time', description: 'now', parameters: { type: 'object' }, strict: true }],
    tool_choice: { type: 'function', name: 'get_time' },
    text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
    top_logprobs: 2,
    store: false,
  });
  assert.deepEqual(history, [{ role: 'user', content: 'hi' }]);
  assert.deepEqual(c, {
    model: 'm',
    temperature: 0.5,
    top_p: 0.9,
    seed: 3,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ],
    max_completion_tokens: 7,
    tools: [
      {
        type: 'function',
        function: { name: 'get_time', description: 'now', parameters: { type: 'object' }, strict: true },
      },
    ],
    tool_choice: { type: 'function', function: { name: 'get_time' } },
    response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
    logprobs: true,
    top_logprobs: 2,
  });
  assert.deepEqual(
    (chat({ text: { format: { type: 'json_object' } } }).chat as Record<string, unknown>).response_format,
    { type: 'json_object' },
  );
  assert.equal(
    (chat({ text: { format: { type: 'text' } } }).chat as Record<string, unknown>).response_format,
    undefined,
  );
});

test('items: messages with parts, consecutive function_call items share one assistant turn, outputs become tool messages', () => {
  const { history } = chat({
    input: [
      { role: 'developer', content: [{ type: 'input_text', text: 'Use tools.' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'Time in ' },
          { type: 'input_text', text: 'Paris?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'get_time', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'call_2', name: 'get_tz', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: '12:00' },
      { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'CET' }] },
    ],
  });
  assert.deepEqual(history, [
    { role: 'developer', content: 'Use tools.' },
    { role: 'user', content: 'Time in Paris?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_tz', arguments: '{}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '12:00' },
    { role: 'tool', tool_call_id: 'call_2', content: 'CET' },
  ]);
});

test('previous_response_id: the stored conversation comes first, without its instructions; unknown ids are 404', () => {
  store.put('resp_a', {
    response: { id: 'resp_a' },
    history: [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
    ],
    inputItems: [],
  });
  const { chat: c, history } = chat({ previous_response_id: 'resp_a', input: 'three', instructions: 'New rules.' });
  assert.deepEqual(c.messages, [
    { role: 'system', content: 'New rules.' },
    { role: 'user', content: 'one' },
    { role: 'assistant', content: 'two' },
    { role: 'user', content: 'three' },
  ]);
  assert.equal(history.length, 3);
  assert.throws(
    () => chat({ previous_response_id: 'resp_nope' }),
    (e: unknown) => e instanceof RequestError && e.code === 'not_found' && e.param === 'previous_response_id',
  );
  // the LRU keeps 2: a third evicts the least recently used
  store.put('resp_b', { response: {}, history: [], inputItems: [] });
  store.get('resp_a', 'x');
  store.put('resp_c', { response: {}, history: [], inputItems: [] });
  assert.throws(() => store.get('resp_b', 'previous_response_id'), /evicted/);
  assert.equal(store.size, 2);
});

test('what needs OpenAI cloud or is not text is refused naming the field', () => {
  const refused = (b: Record<string, unknown>, param: string, message: RegExp) =>
    assert.throws(
      () => chat(b),
      (e: unknown) =>
        e instanceof RequestError && e.code === 'invalid_request' && e.param === param && message.test(e.message),
      param,
    );
  const fn = { type: 'function', name: 'f' };
  refused({ tools: [fn, { type: 'web_search_preview' }] }, 'tools[1].type', /web_search_preview.*built-in tool/);
  refused({ tools: [{ type: 'file_search' }] }, 'tools[0].type', /file_search/);
  refused({ tools: [{ type: 'computer_use_preview' }] }, 'tools[0].type', /computer_use_preview/);
  refused({ tools: [{ type: 'function' }] }, 'tools[0].name', /required/);
  refused(
    {
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: 'x' },
          ],
        },
      ],
    },
    'input[0].content[1].type',
    /input_image/,
  );
  refused({ input: [{ type: 'reasoning', summary: [] }] }, 'input[0].type', /reasoning/);
  refused({ input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', /must be/);
  refused({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id', /string/);
  refused({ tool_choice: { type: 'file_search' } }, 'tool_choice', /not supported/);
  refused({ tool_choice: 'sometimes' }, 'tool_choice', /not one of/);
  refused({ text: { format: { type: 'grammar' } } }, 'text.format', /grammar/);
  refused({ background: true }, 'background', /background/);
  refused({ truncation: 'auto' }, 'truncation', /truncation/);
  refused({ reasoning: { effort: 'high' } }, 'reasoning', /reason/);
});

test('chat errors name the Responses field the caller sent', () => {
  const e = renameParam(
    new RequestError('context_length_exceeded', 'Reduce max_completion_tokens', { param: 'max_completion_tokens' }),
  );
  assert.ok(e instanceof RequestError);
  assert.equal((e as LoraledgerError).param, 'max_output_tokens');
  assert.equal((e as LoraledgerError).message, 'Reduce max_output_tokens');
  assert.equal(
    (renameParam(new RequestError('empty_prompt', 'messages are empty', { param: 'messages' })) as LoraledgerError)
      .param,
    'input',
  );
  const other = new RequestError('invalid_request', 'x', { param: 'temperature' });
  assert.equal(renameParam(other), other);
});

test('item_reference items stand for output items of stored responses; unknown or evicted ones are 404 naming them', () => {
  const refs = new ResponseStore(1);
  refs.put('resp_r', {
    response: {
      output: [
        {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hi', annotations: [] }],
        },
        { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'f', arguments: '{}' },
      ],
    },
    history: [],
    inputItems: [],
  });
  const input = [
    { type: 'item_reference', id: 'msg_1' },
    { type: 'item_reference', id: 'fc_1' },
    { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
  ];
  const { history } = toChatRequest({ model: 'm', input } as unknown as ResponsesBody, refs);
  assert.deepEqual(history, [
    {
      role: 'assistant',
      content: 'Hi',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
  ]);
  const missing = (store: ResponseStore) =>
    assert.throws(
      () =>
        toChatRequest(
          { model: 'm', input: [{ type: 'item_reference', id: 'fc_1' }] } as unknown as ResponsesBody,
          store,
        ),
      (e: unknown) => e instanceof RequestError && e.code === 'not_found' && e.param === 'input[0].id',
    );
  missing(new ResponseStore(1));
  refs.put('resp_s', { response: { output: [] }, history: [], inputItems: [] }); // evicts resp_r and its items
  missing(refs);
});
