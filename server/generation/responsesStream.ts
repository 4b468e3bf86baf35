// The chat pipeline's chunks -> OpenAI's typed Responses stream events, in OpenAI's order:
//   response.created, response.in_progress
//   per output item: response.output_item.added
//     message:       response.content_part.added, response.output_text.delta*, response.output_text.done,
//                    response.content_part.done
//     function_call: response.function_call_arguments.delta*, response.function_call_arguments.done
//   response.output_item.done
//   response.completed | response.incomplete (max_output_tokens) | response.failed
// Every event carries `sequence_number` (0, 1, 2, ...). The same events feed SSE, the WebSocket and
// the non-stream body (the final event's `response`), so the three cannot disagree.
import type { ChunkChoice, FinishReason } from './chunkShapes.ts';
import type { CompletionRun } from './runCompletion.ts';
import type { ResponseStore, TurnMessage } from './responseStore.ts';
import {
  newId,
  outputText,
  responseObject,
  type FunctionCallItem,
  type MessageItem,
  type OutputItem,
  type OutputLogprob,
  type ResponseHead,
  type ResponseState,
} from './responsesShapes.ts';

export type ResponseEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** A streamed chat tool-call delta, as OpenAI's chat chunks carry it. */
interface ToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
type ChatDelta = { content?: string; tool_calls?: ToolCallDelta[] };

/** Turns chat deltas into Responses events; one per request. */
export class ResponseEvents {
  readonly state: ResponseState = { status: 'in_progress', output: [], usage: null };
  #seq = 0;
  #open: OutputItem | null = null;
  #calls = new Map<number, FunctionCallItem>(); // chat tool_call index -> item
  #pendingLps: OutputLogprob[] = [];

  constructor(readonly head: ResponseHead) {}

  #ev(type: string, fields: Record<string, unknown>): ResponseEvent {
    return { type, sequence_number: this.#seq++, ...fields };
  }

  #snapshot(): Record<string, unknown> {
    return responseObject(this.head, structuredClone(this.state));
  }

  start(): ResponseEvent[] {
    return [
      this.#ev('response.created', { response: this.#snapshot() }),
      this.#ev('response.in_progress', { response: this.#snapshot() }),
    ];
  }

  /** Events for one chat chunk choice (content and tool-call deltas, logprobs). */
  choice(c: ChunkChoice): ResponseEvent[] {
    const d = (c.delta ?? {}) as ChatDelta;
    const out: ResponseEvent[] = [];
    const lps = (c.logprobs as { content?: OutputLogprob[] } | null)?.content;
    if (lps) this.#pendingLps.push(...lps);
    if (d.content) out.push(...this.#text(d.content));
    for (const tc of d.tool_calls ?? []) out.push(...this.#toolCall(tc));
    return out;
  }

  #text(delta: string): ResponseEvent[] {
    const out: ResponseEvent[] = [];
    let item = this.#open;
    if (item?.type !== 'message') {
      out.push(...this.#close('completed'));
      item = { id: newId('msg'), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      out.push(...this.#add(item));
      const part = { type: 'output_text' as const, text: '', annotations: [] as [], logprobs: [] };
      item.content.push(part);
      out.push(this.#ev('response.content_part.added', { ...this.#where(item), part: structuredClone(part) }));
    }
    const part = item.content[0]!;
    const logprobs = this.#pendingLps.splice(0);
    part.text += delta;
    part.logprobs.push(...logprobs);
    out.push(this.#ev('response.output_text.delta', { ...this.#where(item), delta, logprobs }));
    return out;
  }

  #toolCall(tc: ToolCallDelta): ResponseEvent[] {
    const out: ResponseEvent[] = [];
    let item = this.#calls.get(tc.index);
    if (!item) {
      out.push(...this.#close('completed'));
      item = {
        id: newId('fc'),
        type: 'function_call',
        status: 'in_progress',
        call_id: tc.id ?? `call_${newId('fc').slice(3, 27)}`,
        name: tc.function?.name ?? '',
        arguments: '',
      };
      this.#calls.set(tc.index, item);
      out.push(...this.#add(item));
    } else if (tc.function?.name) item.name += tc.function.name;
    const delta = tc.function?.arguments ?? '';
    if (delta) {
      item.arguments += delta;
      out.push(
        this.#ev('response.function_call_arguments.delta', {
          item_id: item.id,
          output_index: this.#index(item),
          delta,
        }),
      );
    }
    return out;
  }

  #index(item: OutputItem): number {
    return this.state.output.indexOf(item);
  }

  #where(item: MessageItem) {
    return { item_id: item.id, output_index: this.#index(item), content_index: 0 };
  }

  #add(item: OutputItem): ResponseEvent[] {
    this.state.output.push(item);
    this.#open = item;
    return [this.#ev('response.output_item.added', { output_index: this.#index(item), item: structuredClone(item) })];
  }

  /** Finishes the open item (if any). */
  #close(status: 'completed' | 'incomplete'): ResponseEvent[] {
    const item = this.#open;
    if (!item) return [];
    this.#open = null;
    const out: ResponseEvent[] = [];
    if (item.type === 'message') {
      const part = item.content[0]!;
      out.push(
        this.#ev('response.output_text.done', { ...this.#where(item), text: part.text, logprobs: part.logprobs }),
      );
      out.push(this.#ev('response.content_part.done', { ...this.#where(item), part: structuredClone(part) }));
    } else {
      out.push(
        this.#ev('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: this.#index(item),
          name: item.name,
          arguments: item.arguments,
        }),
      );
    }
    item.status = status;
    out.push(this.#ev('response.output_item.done', { output_index: this.#index(item), item: structuredClone(item) }));
    return out;
  }

  /** The last events once the run finished: open item done, then completed or incomplete. */
  finish(
    finishReason: FinishReason | 'tool_calls',
    usage: ResponseState['usage'],
    attribution: Record<string, unknown> | null,
  ): ResponseEvent[] {
    // max_output_tokens (or --request-timeout) cut it short, or the client cancelled it
    const incomplete = finishReason === 'length' || finishReason === 'cancelled';
    const status = incomplete ? 'incomplete' : 'completed';
    const out = this.#close(status);
    for (const item of this.state.output) item.status = status;
    const reason = finishReason === 'length' ? 'max_output_tokens' : null;
    Object.assign(this.state, { status, usage, attribution, incomplete: reason });
    out.push(this.#ev(incomplete ? 'response.incomplete' : 'response.completed', { response: this.#snapshot() }));
    return out;
  }

  /** The last event when the run failed after the stream started. */
  fail(error: { code: string; message: string }): ResponseEvent {
    Object.assign(this.state, { status: 'failed', error });
    return this.#ev('response.failed', { response: this.#snapshot() });
  }

  /** The assistant turn this response adds to the conversation (for previous_response_id). */
  assistantTurn(): TurnMessage {
    const calls = this.state.output.filter((o): o is FunctionCallItem => o.type === 'function_call');
    const turn: TurnMessage = { role: 'assistant', content: outputText(this.state.output) };
    if (calls.length)
      turn.tool_calls = calls.map((c) => ({
        id: c.call_id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments },
      }));
    return turn;
  }
}

export interface ResponseTurn {
  head: ResponseHead;
  /** The conversation this request continues plus its input (instructions excluded). */
  history: TurnMessage[];
  /** Its input items, as stored for input_items. */
  inputItems: Array<Record<string, unknown>>;
}

/**
 * The events of one response. The first chunk is awaited before anything is yielded (so errors
 * before generation keep their HTTP status); a later failure ends in `response.failed` when
 * `failAsEvent`, else it is thrown. A completed response with `store` not false is stored.
 */
export async function* responseEvents(
  turn: ResponseTurn,
  run: CompletionRun,
  opts: { store: ResponseStore; failAsEvent: boolean; describe: (err: unknown) => { code: string; message: string } },
): AsyncGenerator<ResponseEvent> {
  const ev = new ResponseEvents(turn.head);
  let next = await run.chunks.next();
  yield* ev.start();
  try {
    for (; !next.done; next = await run.chunks.next()) {
      const c = next.value.choices[0];
      if (c) yield* ev.choice(c);
    }
  } catch (err) {
    if (!opts.failAsEvent) throw err;
    yield ev.fail(opts.describe(err));
    return;
  }
  const s = run.summary;
  const last = ev.finish(s.choices[0]?.finishReason ?? 'stop', s.usage, s.attribution);
  if (turn.head.body.store !== false) {
    const final = last.at(-1)!.response as Record<string, unknown>;
    opts.store.put(turn.head.id, {
      response: final,
      history: [...turn.history, ev.assistantTurn()],
      inputItems: turn.inputItems,
    });
  }
  yield* last;
}
