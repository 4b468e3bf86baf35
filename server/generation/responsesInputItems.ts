// A request's input as OpenAI lists it back (`GET /v1/responses/:id/input_items`): each item with
// an id and a status, text as input_text parts (output_text for assistant messages), item_reference
// items replaced by the item they name. responsesRequest.ts has already refused anything else.
import { newId } from './responsesShapes.ts';
import type { ResponsesBody } from './responsesSchema.ts';

type Item = Record<string, unknown>;

const parts = (content: unknown, role: unknown): unknown =>
  typeof content === 'string'
    ? [
        {
          type: role === 'assistant' ? 'output_text' : 'input_text',
          text: content,
          ...(role === 'assistant' ? { annotations: [] } : {}),
        },
      ]
    : content;

function listed(item: Item): Item {
  const type = item.type ?? 'message';
  if (type === 'message')
    return {
      id: item.id ?? newId('msg'),
      type: 'message',
      role: item.role,
      status: 'completed',
      content: parts(item.content, item.role),
    };
  if (type === 'function_call') return { ...item, id: item.id ?? newId('fc'), status: 'completed' };
  return { ...item, id: item.id ?? newId('fco'), status: 'completed' }; // function_call_output
}

export function inputItemsOf(input: ResponsesBody['input'], lookup: (itemId: string) => Item): Item[] {
  if (typeof input === 'string') return [listed({ role: 'user', content: input })];
  return input.map((raw) => {
    const item = raw as Item;
    return item.type === 'item_reference' ? lookup(item.id as string) : listed(item);
  });
}

/** One page of the list, OpenAI's cursor style: `order` (default desc), `limit` (default 20), `after` an id. */
export function inputItemsPage(
  items: Item[],
  q: { order?: 'asc' | 'desc'; limit?: number; after?: string },
): Record<string, unknown> {
  const ordered = q.order === 'asc' ? items : [...items].reverse();
  const start = q.after ? ordered.findIndex((i) => i.id === q.after) + 1 : 0;
  const data = ordered.slice(start, start + (q.limit ?? 20));
  return {
    object: 'list',
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
    has_more: start + data.length < ordered.length,
  };
}
