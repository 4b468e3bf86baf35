// Stored Responses (`store` not false), kept in memory for `previous_response_id`,
// `GET /v1/responses/:id` and `DELETE /v1/responses/:id`. Bounded: an LRU over the last
// --responses-store-size responses (reading one counts as a use); the oldest is forgotten first.
// Nothing is written to disk: a restart forgets them all, as OpenAI's 30-day store would not.
import { LRUCache } from 'lru-cache';
import { RequestError } from '../../common/index.ts';

/** One chat-completions message of a conversation (what planChat renders through the template). */
export type TurnMessage =
  | {
      role: 'system' | 'developer' | 'user' | 'assistant';
      content: string;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface StoredResponse {
  /** The Response object as it was returned. */
  response: Record<string, unknown>;
  /** The conversation up to and including this response's output (instructions excluded, as OpenAI does). */
  history: TurnMessage[];
  /** This request's input items as `GET /v1/responses/:id/input_items` lists them. */
  inputItems: Array<Record<string, unknown>>;
}

type OutputItem = { id?: string; type?: string } & Record<string, unknown>;

export class ResponseStore {
  readonly #items: LRUCache<string, StoredResponse>;
  /** Output item id -> the stored response holding it (for `item_reference` input items). */
  readonly #owner = new Map<string, string>();

  constructor(maxResponses: number) {
    this.#items = new LRUCache({
      max: Math.max(1, maxResponses),
      dispose: (e) => {
        for (const item of (e.response.output ?? []) as OutputItem[]) if (item.id) this.#owner.delete(item.id);
      },
    });
  }

  put(id: string, entry: StoredResponse): void {
    this.#items.set(id, entry);
    for (const item of (entry.response.output ?? []) as OutputItem[]) if (item.id) this.#owner.set(item.id, id);
  }

  /** An output item of a stored response, by its id (`msg_…`, `fc_…`), or a 404 naming `param`. */
  item(itemId: string, param: string): OutputItem {
    const owner = this.#owner.get(itemId);
    const found = owner
      ? ((this.#items.get(owner)?.response.output ?? []) as OutputItem[]).find((o) => o.id === itemId)
      : undefined;
    if (!found)
      throw new RequestError(
        'not_found',
        `No item with id ${JSON.stringify(itemId)} in a stored response (never stored, deleted, or evicted: the server keeps the last --responses-store-size responses, in memory).`,
        { param },
      );
    return found;
  }

  /** The stored response, or a 404 naming `param` (`previous_response_id`, or `response_id` for the routes). */
  get(id: string, param: string): StoredResponse {
    const e = this.#items.get(id);
    if (!e)
      throw new RequestError(
        'not_found',
        `No stored response with id ${JSON.stringify(id)}: it was never stored (store: false), was deleted, or was evicted (the server keeps the last --responses-store-size responses, in memory).`,
        { param },
      );
    return e;
  }

  delete(id: string): boolean {
    return this.#items.delete(id);
  }

  get size(): number {
    return this.#items.size;
  }
}
