// Chat deltas -> typed Responses events: the order OpenAI sends them in, sequence numbers, items
// built from the deltas (text with logprobs, then a streamed function call), and the final object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError, RequestError } from '../../common/index.ts';
import { ResponseEvents } from './responsesStream.ts';
import { describeFailure } from './responsesServe.ts';
import type { ChunkChoice } from './chunkShapes.ts';

const head = {
  id: 'resp_1',
  created_at: 1,
  model: 'cooking',
  body: { model: 'auto', input: 'x', instructions: 'Be brief.' },
  servedBy: { adapter: 'cooking', routed: { reason: 'r', score: 1 } },
  completionId: 'chatcmpl-1',
};
const choice = (delta: Record<string, unknown>, logprobs: unknown = null): ChunkChoice =>
  ({ index: 0, delta, logprobs, finish_reason: null }) as ChunkChoice;
const lp = (token: string) => ({ token, logprob: -1, bytes: [...Buffer.from(token)], top_logprobs: [] });

test('text then a streamed function call: events in OpenAI order, items and the final response', () => {
  const ev = new ResponseEvents(head);
  const events = [
    ...ev.start(),
    ...ev.choice(choice({ role: 'assistant', content: '' })),
    ...ev.choice(choice({ content: 'Let me ' }, { content: [lp('Let'), lp(' me ')], refusal: null })),
    ...ev.choice(choice({ content: 'check.' }, { content: [lp('check.')], refusal: null })),
    ...ev.choice(
      choice({
        tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'get_time', arguments: '' } }],
      }),
    ),
    ...ev.choice(choice({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })),
    ...ev.choice(choice({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })),
    ...ev.finish('tool_calls', { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 }, null),
  ];
  assert.deepEqual(
    events.map((e) => e.sequence_number),
    events.map((_, i) => i),
  );
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ],
  );
  const created = events[0]!.response as Record<string, unknown>;
  assert.deepEqual([created.status, created.output, created.usage], ['in_progress', [], undefined]);
  const msgId = (events[2]!.item as { id: string }).id;
  assert.match(msgId, /^msg_[0-9a-f]{48}$/);
  assert.deepEqual(events[4], {
    type: 'response.output_text.delta',
    sequence_number: 4,
    item_id: msgId,
    output_index: 0,
    content_index: 0,
    delta: 'Let me ',
    logprobs: [lp('Let'), lp(' me ')],
  });
  assert.equal(events[6]!.text, 'Let me check.');
  const fcAdded = events[9]!.item as Record<string, unknown>;
  assert.deepEqual(
    [fcAdded.type, fcAdded.call_id, fcAdded.name, fcAdded.arguments, fcAdded.status],
    ['function_call', 'call_9', 'get_time', '', 'in_progress'],
  );
  assert.equal(events[9]!.output_index, 1);
  assert.deepEqual(
    [events[12]!.name, events[12]!.arguments, events[12]!.output_index],
    ['get_time', '{"city":"Paris"}', 1],
  );
  const final = events.at(-1)!.response as Record<string, unknown>;
  assert.equal(final.status, 'completed');
  assert.equal(final.instructions, 'Be brief.');
  assert.equal(final.model, 'cooking');
  assert.deepEqual(final.loraledger, { ...head.servedBy, completion_id: 'chatcmpl-1' });
  assert.deepEqual(final.usage, {
    input_tokens: 5,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: 9,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 14,
  });
  assert.deepEqual(final.output, [
    {
      id: msgId,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
        {
          type: 'output_text',
          text: 'Let me check.',
          annotations: [],
          logprobs: [lp('Let'), lp(' me '), lp('check.')],
        },
      ],
    },
    { ...fcAdded, arguments: '{"city":"Paris"}', status: 'completed' },
  ]);
  assert.deepEqual(ev.assistantTurn(), {
    role: 'assistant',
    content: 'Let me check.',
    tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_time', arguments: '{"city":"Paris"}' } }],
  });
});

test('max_output_tokens ends in response.incomplete; a failure after the start in response.failed', () => {
  const ev = new ResponseEvents(head);
  ev.start();
  ev.choice(choice({ content: 'abc' }));
  const tail = ev.finish('length', { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 }, { record: 'r1' });
  const last = tail.at(-1)!;
  assert.equal(last.type, 'response.incomplete');
  const r = last.response as Record<string, unknown>;
  assert.deepEqual(
    [r.status, r.incomplete_details, r.attribution],
    ['incomplete', { reason: 'max_output_tokens' }, { record: 'r1' }],
  );
  assert.equal((r.output as Array<{ status: string }>)[0]!.status, 'incomplete');
  const failing = new ResponseEvents(head);
  failing.start();
  const failed = failing.fail({ code: 'server_error', message: 'engine stopped' });
  assert.equal(failed.type, 'response.failed');
  assert.equal(failed.sequence_number, 2);
  assert.deepEqual((failed.response as Record<string, unknown>).error, {
    code: 'server_error',
    message: 'engine stopped',
  });
});

test("a failure's code is the nearest of OpenAI's closed set; ours leads the message", () => {
  assert.deepEqual(describeFailure(new RequestError('invalid_request', 'bad call', { param: 'tools' })), {
    code: 'invalid_prompt',
    message: 'invalid_request: bad call',
  });
  assert.equal(describeFailure(new EngineError('engine_failed', 'worker died')).code, 'server_error');
  assert.equal(describeFailure(new EngineError('overloaded', 'queue full')).code, 'rate_limit_exceeded');
  assert.equal(describeFailure(new Error('boom')).code, 'server_error');
});
