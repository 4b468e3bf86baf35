// A whole reply -> content and tool calls (non-streaming), by the same machine that streams them
// (toolCallStream.ts), so both paths agree. A call that turned out malformed after it began makes
// the whole reply plain text: the content is exactly what the model wrote and there are no calls.
import { ToolCallStream, newToolCallId, type ToolCallEvent } from './toolCallStream.ts';
import type { ToolCallFormat } from './toolCallFormats.ts';

/** One tool call in OpenAI's shape (`message.tool_calls[i]`). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ParsedReply {
  /** Text around the calls; null when there are calls and no text. */
  content: string | null;
  toolCalls: ToolCall[];
  /** Why the reply was returned as plain text although it began a call (null otherwise). */
  invalid: string | null;
}

/** Folds a choice's events (in order) into content and calls. */
export function foldToolEvents(events: readonly ToolCallEvent[]): ParsedReply {
  let content = '';
  const calls: ToolCall[] = [];
  let invalid: string | null = null;
  for (const e of events) {
    if (e.type === 'content') content += e.text;
    else if (e.type === 'call_start')
      calls[e.index] = { id: e.id, type: 'function', function: { name: e.name, arguments: '' } };
    else if (e.type === 'call_args') calls[e.index]!.function.arguments += e.text;
    else if (e.type === 'call_end') calls[e.index]!.function.arguments = e.arguments;
    else invalid = e.reason;
  }
  return { content: calls.length > 0 && content.trim() === '' ? null : content, toolCalls: calls, invalid };
}

export function parseToolCalls(
  text: string,
  format: ToolCallFormat,
  opts: { isKnown: (name: string) => boolean; truncated?: boolean; newId?: () => string },
): ParsedReply {
  const stream = new ToolCallStream(format, opts.isKnown, opts.newId ?? newToolCallId);
  const folded = foldToolEvents([...stream.push(text), ...stream.finish(opts.truncated ?? false)]);
  if (folded.invalid !== null) return { content: text, toolCalls: [], invalid: folded.invalid };
  return folded;
}
