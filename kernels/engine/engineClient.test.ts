// The engine end to end on a real trained checkpoint (stories260K): real onnxruntime, real
// worker thread, real PEFT adapter folders. Expected tokens and log-probs come from the plain
// TypeScript reference forward (kernels/referenceForward.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAdapter } from '../../factory/index.ts';
import { loadAdapterWeights } from '../../adapters/index.ts';
import { readAdapterMeta } from '../../adapters/index.ts';
import type { AdapterWeights } from '../model/loraWeights.ts';
import { Worker } from 'node:worker_threads';
import { attachEngineWorker, startEngine } from './engineClient.ts';
import { loadCheckpoint, type Checkpoint } from '../model/loadCheckpoint.ts';
import { referenceGreedy, referenceLogits } from '../reference/referenceForward.ts';
import type { EngineClient, EngineOptions, GenerateEvent, GenerateRequest } from './engineContract.ts';
import type { LoraKernel } from '../graph/graphContract.ts';

const MODEL = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-engine-'));
const ADAPTERS = ['ad-a', 'ad-b', 'ad-c'];
let model: Checkpoint;
const weights = new Map<string, AdapterWeights>();

function options(kernel: LoraKernel): EngineOptions {
  return {
    modelDir: MODEL,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: kernel,
    maxLoraRank: 8,
    maxActiveAdapters: 2,
    maxCachedAdapters: 4,
    maxCachedAdapterBytes: 64e6,
    maxBatchSize: 4,
    maxBatchTokens: 24,
    maxQueue: 16,
    maxModelLen: 512,
    cacheDir: join(tmp, 'graphs'),
    threads: 1,
  };
}

function request(
  id: string,
  promptIds: number[],
  maxTokens: number,
  extra: Partial<GenerateRequest> = {},
): GenerateRequest {
  return {
    id,
    promptIds,
    adapterId: null,
    maxTokens,
    sampling: { temperature: 0, topP: 1, topK: 0 },
    stopTokenIds: [],
    ignoreEos: false,
    ...extra,
  };
}

async function collect(
  stream: AsyncIterable<GenerateEvent>,
  onToken?: (n: number) => void,
): Promise<{ tokens: number[]; last: GenerateEvent }> {
  const tokens: number[] = [];
  for await (const e of stream) {
    if (e.type !== 'token') return { tokens, last: e };
    tokens.push(e.tokenId);
    onToken?.(tokens.length);
  }
  throw new Error('stream ended without done/error');
}

const prompt = (n: number, seed: number): number[] => [
  1,
  ...Array.from({ length: n - 1 }, (_, i) => 3 + ((seed * 97 + i * 31) % 500)),
];

before(async () => {
  model = await loadCheckpoint(MODEL);
  for (const [i, id] of ADAPTERS.entries()) {
    const dir = join(tmp, id);
    await generateAdapter({
      dir,
      spec: model.spec,
      seed: 10 + i,
      rank: 4 + 2 * i,
      bStd: 0.4,
      targets: i === 2 ? ['q_proj', 'v_proj', 'down_proj'] : undefined,
    });
    weights.set(id, await loadAdapterWeights(readAdapterMeta(dir, id), model.spec));
  }
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('engine (grouped LoRA kernel)', () => {
  let engine: EngineClient;
  before(async () => {
    engine = await startEngine({
      ...options('grouped'),
      adapters: ADAPTERS.map((id) => ({ id, path: join(tmp, id) })),
    });
  });
  after(async () => {
    await engine.close();
  });

  test('concurrent greedy requests, some joining mid-way, each equal the reference alone', async () => {
    const specs = [
      [3, 1],
      [40, 2],
      [1, 3],
      [17, 4],
      [9, 5],
      [2, 6],
    ].map(([len, seed]) => prompt(len, seed));
    const runs: Array<Promise<{ tokens: number[] }>> = [];
    let joined!: () => void;
    const midway = new Promise<void>((r) => {
      joined = r;
    });
    runs.push(
      collect(engine.generate(request('g0', specs[0], 14)), (n) => {
        if (n === 4) joined();
      }),
    );
    runs.push(collect(engine.generate(request('g1', specs[1], 10))));
    runs.push(collect(engine.generate(request('g2', specs[2], 12))));
    await midway;
    for (let i = 3; i < specs.length; i++) runs.push(collect(engine.generate(request(`g${i}`, specs[i], 8))));
    const got = await Promise.all(runs);
    got.forEach((g, i) =>
      assert.deepEqual(g.tokens, referenceGreedy(model, specs[i], [14, 10, 12, 8, 8, 8][i]), `request g${i}`),
    );
  });

  test('adapter requests mixed with base requests each equal the reference with their adapter', async () => {
    const ids = [null, 'ad-a', 'ad-b', null, 'ad-c', 'ad-a'];
    const prompts = ids.map((_, i) => prompt(4 + 3 * i, 20 + i));
    const got = await Promise.all(
      ids.map((a, i) => collect(engine.generate(request(`m${i}`, prompts[i], 8, { adapterId: a })))),
    );
    ids.forEach((a, i) => {
      const ref = referenceGreedy(model, prompts[i], 8, a ? weights.get(a) : undefined);
      assert.deepEqual(got[i].tokens, ref, `request m${i} (${a ?? 'base'})`);
      if (a) assert.notDeepEqual(ref, referenceGreedy(model, prompts[i], 8), `adapter ${a} changes the output`);
    });
  });

  test('cancel frees the row: a waiting request then runs; a bad request leaves the worker alive', async () => {
    const long = ['c0', 'c1', 'c2', 'c3'].map((id, i) =>
      engine.generate(request(id, prompt(5, 40 + i), 400, { ignoreEos: true })),
    );
    const late = collect(engine.generate(request('late', prompt(6, 50), 5)));
    const first = long[0][Symbol.asyncIterator]();
    assert.equal((await first.next()).value.type, 'token');
    for (const id of ['c1', 'c2', 'c3']) engine.cancel(id);
    await first.return!(undefined); // breaking out cancels too
    for (const s of long.slice(1)) {
      const end = await collect(s);
      assert.equal(end.last.type === 'done' && end.last.finishReason, 'cancelled');
      assert.ok(end.tokens.length < 400);
    }
    assert.deepEqual((await late).tokens, referenceGreedy(model, prompt(6, 50), 5));
    const bad = await collect(engine.generate(request('bad', prompt(3, 1), 4, { adapterId: 'nope' })));
    assert.equal(bad.last.type === 'error' && bad.last.error.code, 'adapter_not_found');
    const oov = await collect(engine.generate(request('oov', [1, 99999], 4)));
    assert.equal(oov.last.type === 'error' && oov.last.error.code, 'invalid_request');
    assert.deepEqual(
      (await collect(engine.generate(request('after', prompt(3, 2), 4)))).tokens,
      referenceGreedy(model, prompt(3, 2), 4),
    );
  });

  test('max_tokens, stop ids and ignore_eos', async () => {
    const p = prompt(5, 60);
    const ref = referenceGreedy(model, p, 10);
    const stop = ref[3];
    const cut = ref.indexOf(stop);
    const s = await collect(engine.generate(request('stop', p, 10, { stopTokenIds: [stop] })));
    assert.deepEqual(s.tokens, ref.slice(0, cut), 'the stop token itself is not emitted');
    assert.deepEqual(s.last, { type: 'done', finishReason: 'stop', promptTokens: 5, completionTokens: cut + 1 });
    const ig = await collect(engine.generate(request('ign', p, 10, { stopTokenIds: [stop], ignoreEos: true })));
    assert.deepEqual(ig.tokens, ref);
    assert.deepEqual(ig.last, { type: 'done', finishReason: 'length', promptTokens: 5, completionTokens: 10 });
  });

  test('seeded sampling is deterministic; logprobs come with top alternatives', async () => {
    const sampled = (id: string, seed: number) =>
      collect(
        engine.generate(request(id, prompt(4, 70), 12, { sampling: { temperature: 1, topP: 0.9, topK: 50, seed } })),
      );
    const [a, b, c] = await Promise.all([sampled('s1', 5), sampled('s2', 5), sampled('s3', 6)]);
    assert.deepEqual(a.tokens, b.tokens);
    assert.notDeepEqual(a.tokens, c.tokens);
    const events: GenerateEvent[] = [];
    for await (const e of engine.generate(request('lp', prompt(4, 71), 3, { logprobs: 2 }))) events.push(e);
    const ref = referenceLogits(model, [
      ...prompt(4, 71),
      ...events.slice(0, 2).map((e) => (e.type === 'token' ? e.tokenId : 0)),
    ]);
    events.slice(0, 3).forEach((e, i) => {
      assert.ok(e.type === 'token' && e.logprob !== undefined && e.topLogprobs?.length === 2);
      const row = ref[3 + i];
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      assert.ok(Math.abs(e.logprob - (row[e.tokenId] - lse)) < 1e-3, `logprob ${e.logprob} vs ${row[e.tokenId] - lse}`);
      assert.equal(e.topLogprobs[0].tokenId, e.tokenId);
    });
  });

  test('score equals the reference teacher-forced log-probs, with and without adapters', async () => {
    const variants = [
      { promptIds: prompt(6, 80), targetIds: [300, 12, 45, 7], adapterId: null },
      { promptIds: prompt(3, 81), targetIds: [9], adapterId: 'ad-b' },
      { promptIds: prompt(6, 80), targetIds: [300, 12, 45, 7], adapterId: 'ad-c' },
      { promptIds: prompt(20, 82), targetIds: [5, 6], adapterId: 'ad-a' },
    ];
    const got = await engine.score(variants);
    variants.forEach((v, i) => {
      const logits = referenceLogits(
        model,
        [...v.promptIds, ...v.targetIds],
        v.adapterId ? weights.get(v.adapterId) : undefined,
      );
      const want = v.targetIds.map((t, j) => {
        const row = logits[v.promptIds.length - 1 + j];
        return row[t] - Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
      });
      got[i].tokenLogprobs.forEach((lp, j) =>
        assert.ok(Math.abs(lp - want[j]) < 1e-3, `variant ${i} token ${j}: ${lp} vs ${want[j]}`),
      );
      assert.ok(Math.abs(got[i].total - want.reduce((a, b) => a + b, 0)) < 1e-3);
    });
    await assert.rejects(engine.score([{ promptIds: [1], targetIds: [2], adapterId: 'nope' }]), {
      code: 'adapter_not_found',
    });
  });
});

test('gather LoRA kernel gives the same tokens as the reference; close() ends pending requests', async () => {
  const engine = await startEngine({
    ...options('gather'),
    adapters: ADAPTERS.map((id) => ({ id, path: join(tmp, id) })),
  });
  const ids = ['ad-c', null, 'ad-a'];
  const got = await Promise.all(
    ids.map((a, i) => collect(engine.generate(request(`x${i}`, prompt(5 + i, 90 + i), 6, { adapterId: a })))),
  );
  ids.forEach((a, i) =>
    assert.deepEqual(got[i].tokens, referenceGreedy(model, prompt(5 + i, 90 + i), 6, a ? weights.get(a) : undefined)),
  );
  const pending = collect(engine.generate(request('pending', prompt(3, 1), 500, { ignoreEos: true })));
  await engine.close();
  const end = await pending;
  assert.equal(end.last.type === 'error' && end.last.error.code, 'shutting_down');
  const after = await collect(engine.generate(request('later', [1], 2)));
  assert.equal(after.last.type === 'error' && after.last.error.code, 'shutting_down');
});

test('start-up errors reject startEngine with the catalogue error', async () => {
  await assert.rejects(startEngine({ ...options('grouped'), modelDir: join(tmp, 'no-such-model') }), {
    code: 'model_folder_invalid',
  });
});

test('a worker crash ends pending requests and calls with engine_failed', async () => {
  // A real worker thread that speaks the protocol, then dies on its first generate.
  const code = `
    const { parentPort } = require('node:worker_threads');
    parentPort.postMessage({ t: 'ready', spec: { numLayers: 1 }, stats: { running: 0, waiting: 0, batchSize: 0, kvCapacity: 0, adapters: { cached: 0, cachedBytes: 0, active: 0 } } });
    parentPort.on('message', (m) => { if (m.t === 'generate') setTimeout(() => { throw new Error('boom'); }, 20); });`;
  const engine = await attachEngineWorker(new Worker(code, { eval: true }));
  const scored = engine.score([{ promptIds: [1], targetIds: [2], adapterId: null }]);
  const end = await collect(engine.generate(request('doomed', [1], 4)));
  assert.equal(end.last.type === 'error' && end.last.error.code, 'engine_failed');
  await assert.rejects(scored, { code: 'engine_failed' });
  const later = await collect(engine.generate(request('later', [1], 4)));
  assert.equal(later.last.type === 'error' && later.last.error.code, 'engine_failed');
  await engine.close();
});
