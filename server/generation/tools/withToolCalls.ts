// A chat run's chunks with tool calls parsed out (plan.tools set): each choice's text deltas go
// through its ToolCallStream, and come out as OpenAI streams them:
//   delta.content                 text around the calls (a possible call marker held back until decided)
//   delta.tool_calls[{index, id, type: "function", function: {name, arguments: ""}}]   a call begins
//   delta.tool_calls[{index, function: {arguments}}]                                    its fragments
//   finish_reason "tool_calls"    the reply ended (stop) with at least one call
// The run's summary gets each finished choice's content and tool_calls for the non-stream body.
// A call that turned out malformed after it was announced: where deltas reach the client
// (plan.streamed) the run fails with tool_call_invalid, since its start already went out; for a
// non-stream chat response the reply is returned as plain text.
import { LoraledgerError } from '../../../common/index.ts';
import type { ChunkChoice, StreamChunk, ToolCallDelta } from '../chunkShapes.ts';
import type { CompletionRun } from '../runCompletion.ts';
import { ToolCallStream, type ToolCallEvent } from './toolCallStream.ts';
import { foldToolEvents } from './parseToolCalls.ts';
import type { ToolPlan } from './toolRequest.ts';

export function withToolCalls(run: CompletionRun, plan: ToolPlan): CompletionRun {
  return { summary: run.summary, chunks: parsed(run, plan) };
}

/** The delta for one choice's events (content joined; a call's start and fragments merged). */
function toDelta(events: readonly ToolCallEvent[]): { content?: string; tool_calls?: ToolCallDelta[] } {
  let content = '';
  const calls: ToolCallDelta[] = [];
  for (const e of events) {
    if (e.type === 'content') content += e.text;
    else if (e.type === 'call_start')
      calls.push({ index: e.index, id: e.id, type: 'function', function: { name: e.name, arguments: '' } });
    else if (e.type === 'call_args') {
      const last = calls.at(-1);
      if (last?.index === e.index) last.function!.arguments = (last.function!.arguments ?? '') + e.text;
      else calls.push({ index: e.index, function: { arguments: e.text } });
    }
  }
  return { ...(content !== '' ? { content } : {}), ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}

async function* parsed(run: CompletionRun, plan: ToolPlan): AsyncGenerator<StreamChunk> {
  const known = new Set(plan.names);
  const streams = new Map<number, { parser: ToolCallStream; events: ToolCallEvent[] }>();
  try {
    for await (const chunk of run.chunks) {
      if (chunk.choices.length === 0) {
        yield chunk;
        continue;
      }
      const choices: ChunkChoice[] = [];
      for (const c of chunk.choices) {
        let s = streams.get(c.index);
        if (!s) {
          s = { parser: new ToolCallStream(plan.format, (n) => known.has(n)), events: [] };
          streams.set(c.index, s);
        }
        const events = s.parser.push(c.delta?.content ?? '');
        if (c.finish_reason) events.push(...s.parser.finish(c.finish_reason === 'length'));
        s.events.push(...events);
        const invalid = events.find((e) => e.type === 'invalid');
        if (invalid && plan.streamed)
          throw new LoraledgerError('tool_call_invalid', `choice ${c.index}: ${invalid.reason}`);
        const out: ChunkChoice = {
          ...c,
          delta: { ...(c.delta?.role ? { role: c.delta.role, content: '' } : {}), ...toDelta(events) },
        };
        if (c.finish_reason) out.finish_reason = finish(run, c.index, s.events);
        const empty = Object.keys(out.delta!).length === 0;
        if (!empty || c.finish_reason || c.logprobs || c.token_ids) choices.push(out);
      }
      if (choices.length > 0) yield { ...chunk, choices };
    }
  } finally {
    await run.chunks.return(undefined);
  }
}

/** Records the finished choice's content and calls in the summary; returns its finish reason. */
function finish(run: CompletionRun, index: number, events: readonly ToolCallEvent[]): ChunkChoice['finish_reason'] {
  const result = run.summary.choices[index]!;
  const folded = foldToolEvents(events);
  if (folded.invalid !== null) {
    result.content = result.text;
    result.toolCalls = [];
    return result.finishReason;
  }
  result.content = folded.content;
  result.toolCalls = folded.toolCalls;
  if (folded.toolCalls.length > 0 && result.finishReason === 'stop') result.finishReason = 'tool_calls';
  return result.finishReason;
}
