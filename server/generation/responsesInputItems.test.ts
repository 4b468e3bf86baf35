// Input items as GET /v1/responses/:id/input_items lists them, and its cursor pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputItemsOf, inputItemsPage } from './responsesInputItems.ts';
import type { ResponsesBody } from './responsesSchema.ts';

const stored = { id: 'fc_9', type: 'function_call', status: 'completed', call_id: 'c9', name: 'f', arguments: '{}' };

test('input items get ids, a status and parts; item_reference items become the item they name', () => {
  const [s] = inputItemsOf('hi', () => ({}));
  assert.match(s!.id as string, /^msg_/);
  assert.deepEqual(
    { ...s, id: 'x' },
    {
      id: 'x',
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_text', text: 'hi' }],
    },
  );
  const input = [
    { id: 'msg_a', role: 'assistant', content: 'ok' },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
    { type: 'item_reference', id: 'fc_9' },
    { type: 'function_call_output', call_id: 'c9', output: 'done' },
  ] as unknown as ResponsesBody['input'];
  const items = inputItemsOf(input, (id) => (id === 'fc_9' ? stored : {}));
  assert.deepEqual(items[0], {
    id: 'msg_a',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: 'ok', annotations: [] }],
  });
  assert.deepEqual(items[1]!.content, [{ type: 'input_text', text: 'q' }]);
  assert.equal(items[2], stored);
  assert.match(items[3]!.id as string, /^fco_/);
  assert.deepEqual(
    { ...items[3], id: 'x' },
    {
      id: 'x',
      type: 'function_call_output',
      call_id: 'c9',
      output: 'done',
      status: 'completed',
    },
  );
});

test('pages: newest first by default, limit and after as OpenAI cursors', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  const ids = (p: Record<string, unknown>) => (p.data as Array<{ id: string }>).map((i) => i.id);
  const first = inputItemsPage(items, { limit: 2 });
  assert.deepEqual([ids(first), first.first_id, first.last_id, first.has_more], [['e', 'd'], 'e', 'd', true]);
  const next = inputItemsPage(items, { limit: 2, after: 'd' });
  assert.deepEqual([ids(next), next.has_more], [['c', 'b'], true]);
  const asc = inputItemsPage(items, { order: 'asc', after: 'c' });
  assert.deepEqual([ids(asc), asc.has_more], [['d', 'e'], false]);
  assert.deepEqual(inputItemsPage([], {}), {
    object: 'list',
    data: [],
    first_id: null,
    last_id: null,
    has_more: false,
  });
});
