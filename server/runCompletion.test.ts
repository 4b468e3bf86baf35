// The generation pipeline on its own (ScriptedEngine + the bracket vocabulary): merged choices,
// pull-based reading, early exit and abort both cancel the engine requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCompletion, type CompletionPlan } from './runCompletion.ts';
import { ScriptedEngine } from '../test/support/scriptedEngine.ts';
import { bracketTokenizer } from '../test/support/bracketTokenizer.ts';

function plan(over: Partial<CompletionPlan> = {}): CompletionPlan {
  return {
    kind: 'completion', head: { id: 'cmpl-t', created: 0, model: 'm' }, adapterId: null, servedBy: { adapter: null },
    prompts: [[5]], n: 1, maxTokens: 4, sampling: { temperature: 0, topP: 1, topK: 0 }, stop: [], ignoreEos: true,
    logprobs: undefined, returnTokenIds: true, echo: false, timeoutSeconds: 0, ...over,
  };
}

test('n choices run concurrently and merge into one chunk stream; summary and usage add up', async () => {
  const engine = new ScriptedEngine();
  const run = runCompletion(plan({ n: 3, prompts: [[5], [6]] }), { engine, tokenizer: bracketTokenizer, signal: new AbortController().signal });
  const seen = new Map<number, number[]>();
  let last;
  for await (const c of run.chunks) {
    last = c;
    for (const ch of c.choices) seen.set(ch.index, [...(seen.get(ch.index) ?? []), ...(ch.token_ids ?? [])]);
  }
  assert.deepEqual([...seen.keys()].sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok([...seen.values()].every((ids) => ids.length === 4));
  assert.deepEqual(last!.choices, []);
  assert.deepEqual(run.summary.usage, { prompt_tokens: 2, completion_tokens: 24, total_tokens: 26 });
  assert.equal(engine.requests.length, 6);
  assert.deepEqual(engine.requests.map((r) => r.id).sort(), [0, 1, 2, 3, 4, 5].map((i) => `cmpl-t-${i}`));
  assert.ok(run.summary.complete);
});

test('a consumer that stops early cancels every engine request and reads no further', async () => {
  const engine = new ScriptedEngine();
  const run = runCompletion(plan({ n: 2, maxTokens: 10_000 }), { engine, tokenizer: bracketTokenizer, signal: new AbortController().signal });
  let k = 0;
  for await (const _ of run.chunks) if (++k === 3) break;
  const deadline = Date.now() + 2000;
  while (engine.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(engine.running, 0);
  assert.deepEqual([...engine.cancelled].sort(), ['cmpl-t-0', 'cmpl-t-1']);
  assert.ok(engine.produced < 10, `engine read ${engine.produced} tokens for 3 chunks`);
  assert.equal(run.summary.complete, false);
});

test('abort signal cancels: choices finish with "cancelled"; engine errors surface as LoraledgerErrors', async () => {
  const engine = new ScriptedEngine({ gapMs: 2 });
  const ac = new AbortController();
  const run = runCompletion(plan({ maxTokens: 10_000 }), { engine, tokenizer: bracketTokenizer, signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  for await (const _ of run.chunks) { /* drain */ }
  assert.equal(run.summary.choices[0].finishReason, 'cancelled');
  const busy = new ScriptedEngine({ maxRunning: 0, maxQueue: 0 });
  const failing = runCompletion(plan(), { engine: busy, tokenizer: bracketTokenizer, signal: new AbortController().signal });
  await assert.rejects(failing.chunks.next(), (e: unknown) => (e as { code?: string }).code === 'overloaded');
});
