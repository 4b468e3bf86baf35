// The generation pipeline on its own, on the REAL engine serving the trained stories260K (with its
// real tokenizer) behind a transparent tap: merged choices, pull-based reading, early exit and
// abort both cancel the engine requests, engine errors surface as LoraledgerErrors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompletion, type CompletionPlan } from './runCompletion.ts';
import { loadServerTokenizer } from '../integrations.ts';
import { EngineTap, waitFor } from '../../test/support/engineTap.ts';
import { startEngine } from '../../kernels/index.ts';

const MODEL = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-run-'));
const engine = new EngineTap(
  await startEngine({
    modelDir: MODEL,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'grouped',
    maxLoraRank: 8,
    maxActiveAdapters: 2,
    maxCachedAdapters: 2,
    maxCachedAdapterBytes: 1 << 20,
    maxBatchSize: 8,
    maxBatchTokens: 256,
    maxQueue: 8,
    maxModelLen: 2048,
    cacheDir: join(tmp, 'cache'),
    threads: 1,
  }),
);
const tokenizer = await loadServerTokenizer(MODEL);
after(async () => {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
});

function plan(over: Partial<CompletionPlan> = {}): CompletionPlan {
  return {
    kind: 'completion',
    head: { id: `cmpl-t${Math.random().toString(36).slice(2, 8)}`, created: 0, model: 'm' },
    adapterId: null,
    servedBy: { adapter: null },
    prompts: [[5]],
    n: 1,
    maxTokens: 4,
    sampling: { temperature: 0, topP: 1, topK: 0 },
    stop: [],
    ignoreEos: true,
    logprobs: undefined,
    returnTokenIds: true,
    echo: false,
    timeoutSeconds: 0,
    ...over,
  };
}

test('n choices run concurrently and merge into one chunk stream; summary and usage add up', async () => {
  const p = plan({ n: 3, prompts: [[5], [6]] });
  const sent = engine.requests.length;
  const run = runCompletion(p, { engine, tokenizer, signal: new AbortController().signal });
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
  const reqs = engine.requests.slice(sent);
  assert.equal(reqs.length, 6);
  assert.deepEqual(
    reqs.map((r) => r.id).sort(),
    [0, 1, 2, 3, 4, 5].map((i) => `${p.head.id}-${i}`),
  );
  assert.ok(run.summary.complete);
});

test('a consumer that stops early cancels every engine request and reads no further', async () => {
  const p = plan({ n: 2, maxTokens: 2000 });
  const pulled = engine.pulled;
  const run = runCompletion(p, { engine, tokenizer, signal: new AbortController().signal });
  let k = 0;
  for await (const _ of run.chunks) if (++k === 3) break;
  assert.ok(await waitFor(() => engine.live.size === 0 && engine.stats().running === 0));
  assert.ok([`${p.head.id}-0`, `${p.head.id}-1`].every((id) => engine.cancelled.has(id)));
  assert.ok(engine.pulled - pulled < 10, `engine read ${engine.pulled - pulled} tokens for 3 chunks`);
  assert.equal(run.summary.complete, false);
});

test('abort signal cancels: choices finish with "cancelled"; engine errors surface as LoraledgerErrors', async () => {
  const ac = new AbortController();
  const run = runCompletion(plan({ maxTokens: 2000 }), { engine, tokenizer, signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  for await (const _ of run.chunks) {
    /* drain */
  }
  assert.equal(run.summary.choices[0].finishReason, 'cancelled');
  // The engine refuses a prompt id outside the vocabulary (the HTTP routes check it before).
  const failing = runCompletion(plan({ prompts: [[600]] }), {
    engine,
    tokenizer,
    signal: new AbortController().signal,
  });
  await assert.rejects(
    failing.chunks.next(),
    (e: unknown) => (e as { code?: string }).code === 'invalid_request' && /vocabulary/.test((e as Error).message),
  );
});
