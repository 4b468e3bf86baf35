// The chunk transformation on its own: chat chunks as runCompletion shapes them (makeChunk /
// makeChoice), with the reply text split into pieces, come out as OpenAI's tool-call deltas; the
// summary gets the non-stream message. Two interleaved choices keep separate parsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoraledgerError } from '../../../common/index.ts';
import { makeChoice, makeChunk, makeResponse, type ChoiceResult, type StreamChunk } from '../chunkShapes.ts';
import type { CompletionRun } from '../runCompletion.ts';
import { TOOL_CALL_FORMATS } from './toolCallFormats.ts';
import { withToolCalls } from './withToolCalls.ts';
import type { ToolPlan } from './toolRequest.ts';

const HEAD = { id: 'chatcmpl-1', created: 1, model: 'm' };
const CALL = '<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>';

/** A run whose choices reply with `texts[i]` in pieces of `size` characters, interleaved. */
function fakeRun(texts: string[], size: number, finish: ChoiceResult['finishReason'] = 'stop'): CompletionRun {
  const summary: CompletionRun['summary'] = {
    choices: texts.map((text, index) => ({
      index,
      text,
      tokenIds: [],
      promptTokenIds: [],
      finishReason: finish,
      logprobs: null,
    })),
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    attribution: null,
    complete: true,
  };
  async function* chunks(): AsyncGenerator<StreamChunk> {
    for (const i of texts.keys()) yield makeChunk('chat', HEAD, [makeChoice('chat', i, '', { role: true })]);
    const longest = Math.max(...texts.map((t) => t.length));
    for (let at = 0; at < longest; at += size)
      for (const [i, t] of texts.entries())
        if (at < t.length) {
          const last = at + size >= t.length;
          yield makeChunk('chat', HEAD, [makeChoice('chat', i, t.slice(at, at + size), last ? { finish } : {})]);
        }
    yield { ...makeChunk('chat', HEAD, []), usage: summary.usage };
  }
  return { chunks: chunks(), summary };
}

const plan = (streamed: boolean): ToolPlan => ({
  format: TOOL_CALL_FORMATS.hermes,
  names: ['f'],
  streamed,
  keepSpecialTokens: false,
});

async function collect(run: CompletionRun): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const c of run.chunks) out.push(c);
  return out;
}

test('deltas: role first, call start with id/type/name, argument fragments, finish tool_calls; text choice untouched', async () => {
  const run = withToolCalls(fakeRun([`Sure.\n${CALL}`, 'just text'], 3), plan(true));
  const chunks = await collect(run);
  const of = (i: number) => chunks.flatMap((c) => c.choices.filter((x) => x.index === i));
  const zero = of(0);
  assert.deepEqual(zero[0]!.delta, { role: 'assistant', content: '' });
  const calls = zero.flatMap((c) => c.delta?.tool_calls ?? []);
  assert.deepEqual(calls[0], { index: 0, id: calls[0]!.id, type: 'function', function: { name: 'f', arguments: '' } });
  assert.match(calls[0]!.id!, /^call_/);
  assert.equal(calls.map((d) => d.function?.arguments ?? '').join(''), '{"x": 1}');
  assert.ok(calls.length > 2, 'arguments in several fragments');
  assert.equal(zero.map((c) => c.delta?.content ?? '').join(''), 'Sure.');
  assert.equal(zero.at(-1)!.finish_reason, 'tool_calls');
  const one = of(1);
  assert.equal(one.map((c) => c.delta?.content ?? '').join(''), 'just text');
  assert.equal(one.at(-1)!.finish_reason, 'stop');
  assert.deepEqual(chunks.at(-1)!.choices, [], 'the usage chunk passes through');
  // the summary holds the non-stream message
  const body = makeResponse('chat', HEAD, run.summary.choices, run.summary.usage, {
    returnTokenIds: false,
    servedBy: { adapter: null },
  }) as { choices: Array<{ message: Record<string, unknown>; finish_reason: string }> };
  assert.deepEqual(body.choices[0]!.message, {
    role: 'assistant',
    content: 'Sure.',
    refusal: null,
    tool_calls: [{ id: calls[0]!.id, type: 'function', function: { name: 'f', arguments: '{"x": 1}' } }],
  });
  assert.equal(body.choices[0]!.finish_reason, 'tool_calls');
  assert.deepEqual(body.choices[1]!.message, { role: 'assistant', content: 'just text', refusal: null });
});

test('a call cut by max_tokens keeps finish_reason length', async () => {
  const run = withToolCalls(fakeRun(['<tool_call>{"name": "f", "arguments": {"x": '], 4, 'length'), plan(false));
  await collect(run);
  assert.equal(run.summary.choices[0]!.finishReason, 'length');
  assert.equal(run.summary.choices[0]!.toolCalls![0]!.function.arguments, '{"x":');
});

test('a call that breaks after its name: plain text without streaming, tool_call_invalid when streaming', async () => {
  const broken = '<tool_call>{"name": "f", "arguments": {"x": 1 2}}</tool_call>';
  const quiet = withToolCalls(fakeRun([broken], 5), plan(false));
  await collect(quiet);
  assert.deepEqual(quiet.summary.choices[0]!.toolCalls, []);
  assert.equal(quiet.summary.choices[0]!.content, broken);
  assert.equal(quiet.summary.choices[0]!.finishReason, 'stop');
  await assert.rejects(collect(withToolCalls(fakeRun([broken], 5), plan(true))), (e) => {
    assert.ok(e instanceof LoraledgerError);
    assert.equal(e.code, 'tool_call_invalid');
    assert.match(e.message, /not valid JSON/);
    return true;
  });
});
