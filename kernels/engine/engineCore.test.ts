// EngineCore's constrained rows with a fake forward pass (logits [B, 1, V] where token v scores v)
// and scripted matchers: the mask decides the pick, the stop id ends the row once the grammar allows
// it, an all-masked step ends the row, and a matcher that refuses a token fails only its own row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTER_TEST_SPEC as spec } from '../../test/support/tinySpec.ts';
import { EngineCore } from './engineCore.ts';
import { LoraSlots } from './loraSlots.ts';
import { MaskTimes } from './constrain/maskTimes.ts';
import type { ConstraintProvider, RowConstraint } from './constrain/constraintEngine.ts';
import type { EngineOptions, GenerateEvent, GenerateRequest } from './engineContract.ts';
import type { FeedTensor } from './loraPlan.ts';

const V = spec.vocabSize;
const EOS = 0;
const options: EngineOptions = {
  modelDir: '',
  precision: 'fp32',
  provider: 'cpu',
  loraKernel: 'gather',
  maxLoraRank: 4,
  maxActiveAdapters: 1,
  maxCachedAdapters: 1,
  maxCachedAdapterBytes: 1e6,
  maxBatchSize: 4,
  maxBatchTokens: 64,
  maxQueue: 8,
  maxModelLen: 64,
  cacheDir: '',
  threads: 1,
};

/** Allows the ids of `script[step]` at each step (an empty set: nothing); `refuse` ids fail accept. */
function scripted(script: number[][], refuse: number[] = []): RowConstraint {
  let step = 0;
  return {
    async mask() {
      const m = new Int32Array(Math.ceil(V / 32));
      for (const id of script[step] ?? []) m[id >> 5] |= 1 << (id & 31);
      return m;
    },
    accept(id) {
      if (refuse.includes(id) || !(script[step] ?? []).includes(id)) return false;
      step++;
      return true;
    },
    dispose() {},
  };
}

function run(rows: Array<{ req: Partial<GenerateRequest>; matcher?: RowConstraint }>) {
  const events = new Map<string, GenerateEvent[]>();
  const matchers = new Map(rows.map((r, i) => [`r${i}`, r.matcher]));
  const core = new EngineCore({
    spec,
    options,
    forward: async (feeds: Record<string, FeedTensor>) => {
      const [B, T] = feeds.input_ids!.dims as [number, number];
      const logits = new Float32Array(B * V);
      for (let b = 0; b < B; b++) for (let v = 0; v < V; v++) logits[b * V + v] = v / 4;
      const kv = () =>
        Array.from({ length: spec.numLayers }, () => new Float32Array(B * spec.numKvHeads * T * spec.headDim));
      return { logits, newKey: kv(), newValue: kv() };
    },
    slots: new LoraSlots(spec, options),
    adapters: { tryAcquire: () => ({ slot: 1 }), release() {}, stats: { cached: 0, cachedBytes: 0, active: 0 } },
    emit: (id, e) => events.set(id, [...(events.get(id) ?? []), e]),
    notice() {},
    constraints: {
      maskTimes: new MaskTimes(),
      open: async (_spec, stop) => {
        assert.deepEqual(stop, [EOS]);
        return matchers.get(pending.shift()!)!;
      },
    } satisfies ConstraintProvider,
  });
  const pending: string[] = [];
  return {
    events,
    async go() {
      rows.forEach((r, i) => {
        const id = `r${i}`;
        if (r.matcher) pending.push(id);
        core.submit({
          id,
          promptIds: [3, 4],
          adapterId: null,
          maxTokens: 5,
          sampling: { temperature: 0, topP: 1, topK: 0 },
          stopTokenIds: [EOS],
          ignoreEos: false,
          ...(r.matcher ? { constraint: { type: 'json_object' } } : {}),
          ...r.req,
        });
      });
      await new Promise((r) => setImmediate(r)); // the grammars "compile"
      for (let i = 0; i < 20 && core.hasWork(); i++) await core.step();
    },
  };
}

const tokens = (evs: GenerateEvent[] = []) => evs.flatMap((e) => (e.type === 'token' ? [e.tokenId] : []));
const last = (evs: GenerateEvent[] = []) => evs[evs.length - 1];

test('a constrained row picks within its mask, stops when the grammar allows the stop id, and logprobs are masked', async () => {
  const r = run([
    { req: { logprobs: 2, ignoreEos: true }, matcher: scripted([[5, 6], [7], [EOS]]) },
    { req: {} }, // unconstrained, same batch: greedy picks the top token every step
  ]);
  await r.go();
  assert.deepEqual(tokens(r.events.get('r0')), [6, 7], 'greedy within the mask; ignore_eos does not apply');
  assert.deepEqual(last(r.events.get('r0')), {
    type: 'done',
    finishReason: 'stop',
    promptTokens: 2,
    completionTokens: 3,
  });
  const first = r.events.get('r0')![0] as { logprob: number; topLogprobs: Array<{ tokenId: number; logprob: number }> };
  const lse = Math.log(Math.exp(5 / 4) + Math.exp(6 / 4)); // over the two allowed ids, by hand
  assert.ok(Math.abs(first.logprob - (6 / 4 - lse)) < 1e-6);
  assert.deepEqual(
    first.topLogprobs.map((t) => t.tokenId),
    [6, 5],
  );
  const forced = r.events.get('r0')![1] as { logprob: number };
  assert.ok(Math.abs(forced.logprob) < 1e-6, 'a forced token has logprob 0');
  assert.deepEqual(tokens(r.events.get('r1')), [V - 1, V - 1, V - 1, V - 1, V - 1]);
  assert.equal((last(r.events.get('r1')) as { finishReason: string }).finishReason, 'length');
});

test('an all-masked step ends the row; a refused token fails only its own row', async () => {
  const r = run([
    { req: {}, matcher: scripted([[9], []]) },
    { req: {}, matcher: scripted([[9, 10]], [10]) },
    { req: {} },
  ]);
  await r.go();
  assert.deepEqual(tokens(r.events.get('r0')), [9]);
  assert.deepEqual(last(r.events.get('r0')), {
    type: 'done',
    finishReason: 'stop',
    promptTokens: 2,
    completionTokens: 2,
  });
  assert.deepEqual(tokens(r.events.get('r1')), []);
  assert.equal(last(r.events.get('r1'))!.type, 'error');
  assert.match((last(r.events.get('r1')) as { error: { message: string } }).error.message, /rejected token 10/);
  assert.equal((last(r.events.get('r2')) as { finishReason: string }).finishReason, 'length', 'the batch goes on');
});

test('an engine without constrained decoding refuses a constrained request', async () => {
  const core = new EngineCore({
    spec,
    options,
    forward: async () => {
      throw new Error('not reached');
    },
    slots: new LoraSlots(spec, options),
    adapters: { tryAcquire: () => ({ slot: 1 }), release() {}, stats: { cached: 0, cachedBytes: 0, active: 0 } },
    emit: (id, e) => seen.push([id, e]),
    notice() {},
  });
  const seen: Array<[string, GenerateEvent]> = [];
  const req = (id: string, stopTokenIds: number[]): GenerateRequest => ({
    id,
    promptIds: [1],
    adapterId: null,
    maxTokens: 2,
    sampling: { temperature: 0, topP: 1, topK: 0 },
    stopTokenIds,
    ignoreEos: false,
    constraint: { type: 'json_object' },
  });
  core.submit(req('a', [EOS]));
  assert.match(JSON.stringify(seen[0]), /started without constrained decoding/);
});
