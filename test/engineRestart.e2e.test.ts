// Issue 19, "the engine fails, the server does not": the real worker engine on stories260K with
// fault injection (tests only). A fault fires inside a forward step while a stream and a plain
// request are running: both end with 503 engine_failed (the stream with an error event and
// [DONE]), /health says `restarting`, new work gets 503 engine_not_ready, the worker comes back by
// itself, the adapters serve the same greedy tokens as before, and loraledger_engine_restarts_total
// counts it. A step error ends only the running requests, without a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineFault } from '../kernels/index.ts';
import { openStream, postJson, startFaultServer, waitForHealth, type FaultServer } from './support/faultServer.ts';

let s: FaultServer;
before(async () => {
  s = await startFaultServer({ name: 'restart', adapters: ['ad-a', 'ad-b', 'ad-c', 'ad-d'] });
});
after(async () => s?.close());

const greedy = async (model: string): Promise<number[]> => {
  const r = await postJson(`${s.base}/v1/completions`, {
    model,
    prompt: [1, 403, 29],
    max_tokens: 8,
    temperature: 0,
    ignore_eos: true,
    return_token_ids: true,
  });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.choices[0].token_ids;
};
const restartsMetric = async (): Promise<number> => {
  const text = await (await fetch(`${s.base}/metrics`)).text();
  const m = /^loraledger_engine_restarts_total (\d+)/m.exec(text);
  assert.ok(m, 'the counter is exported');
  return Number(m[1]);
};
const LONG = { prompt: [1, 45], max_tokens: 400, temperature: 0, ignore_eos: true };

/** Crashes the worker mid-step with `fault` while a stream and a plain request run; checks everything after. */
async function crashAndRecover(fault: EngineFault, before: Map<string, number[]>): Promise<void> {
  const restarts = await restartsMetric();
  const stream = await openStream(s.base, { model: 'ad-a', ...LONG });
  assert.equal(stream.response.status, 200);
  const first = JSON.parse((await stream.next())!);
  assert.equal(first.choices.length, 1, 'a token arrived before the fault');
  const plain = postJson(`${s.base}/v1/completions`, { model: 'ad-b', ...LONG });
  await new Promise((r) => setTimeout(r, 30)); // the plain request reaches the batch
  s.app.loraledger.engine.peek()!.injectFault!(fault);

  const frames = await stream.rest();
  assert.equal(frames.at(-1), '[DONE]', 'the stream ends with [DONE]');
  const err = JSON.parse(frames.at(-2)!);
  assert.equal(err.error?.code, 'engine_failed', frames.at(-2));
  assert.ok(frames.length < LONG.max_tokens, 'it ended early, not after all its tokens');
  const p = await plain;
  assert.equal(p.status, 503, JSON.stringify(p.json));
  assert.equal(p.json.error.code, 'engine_failed');
  assert.equal(p.json.error.type, 'server_error');

  // restarting: /health says so, new work is refused with 503, not a hang or a 500
  const h = await fetch(`${s.base}/health`);
  const hb = (await h.json()) as { status: string; error?: string };
  // (a restart spawns a worker and loads the model: seconds, far longer than these two requests)
  assert.deepEqual([h.status, hb.status], [503, 'restarting']);
  assert.match(hb.error ?? '', /engine worker/);
  const refused = await postJson(`${s.base}/v1/completions`, { model: 'ad-a', prompt: [1], max_tokens: 1 });
  assert.deepEqual([refused.status, refused.json.error.code], [503, 'engine_not_ready']);
  const waited = await waitForHealth(s.base);
  console.log(`fault ${fault}: /health ok again ${waited} ms after the crash was seen`);

  assert.equal(s.app.loraledger.engine.state, 'ready');
  assert.equal(await restartsMetric(), restarts + 1);
  for (const [model, ids] of before) assert.deepEqual(await greedy(model), ids, `${model} after the restart`);
  const listed = s.app.loraledger.adapters.list() as Array<{ id: string; state: string }>;
  for (const id of ['ad-a', 'ad-b']) assert.equal(listed.find((a) => a.id === id)?.state, 'ready', id);
}

test('a worker that exits or throws mid-step: running requests get 503 engine_failed, the engine restarts, adapters come back', async () => {
  const before = new Map<string, number[]>();
  for (const m of ['stories260K', 'ad-a', 'ad-b']) before.set(m, await greedy(m));
  assert.notDeepEqual(before.get('ad-a'), before.get('stories260K'), 'the adapter changes the output');
  await crashAndRecover('exit', before);
  await crashAndRecover('throw', before);
});

test('a step error ends the running requests with 503 engine_failed and the worker lives on (no restart)', async () => {
  const restarts = await restartsMetric();
  const stream = await openStream(s.base, { model: 'ad-a', ...LONG });
  assert.ok(JSON.parse((await stream.next())!).choices);
  s.app.loraledger.engine.peek()!.injectFault!('step-error');
  const frames = await stream.rest();
  assert.equal(frames.at(-1), '[DONE]');
  assert.equal(JSON.parse(frames.at(-2)!).error.code, 'engine_failed');
  assert.equal((await (await fetch(`${s.base}/health`)).json()).status, 'ok');
  assert.equal(await restartsMetric(), restarts);
  assert.equal((await greedy('ad-b')).length, 8);
});

test('the adapter loader thread exits or throws mid-load: it is replaced, the load retried, the request served', async () => {
  const restarts = await restartsMetric();
  for (const [fault, id] of [
    ['loader-exit', 'ad-c'],
    ['loader-throw', 'ad-d'],
  ] as const) {
    s.app.loraledger.engine.peek()!.injectFault!(fault); // fires in the next load: this adapter's first
    assert.equal((await greedy(id)).length, 8, `${id} served after the ${fault}`);
  }
  assert.equal(await restartsMetric(), restarts, 'the engine itself did not restart');
  assert.equal((await (await fetch(`${s.base}/health`)).json()).status, 'ok');
});
