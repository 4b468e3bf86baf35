// Exactness under adapter churn (issue 4 (a)): many adapters, caches far smaller than the set of
// adapters, concurrent greedy requests in random adapter order. Each request must return exactly
// what its adapter returns alone, computed by the plain TypeScript reference forward
// (kernels/referenceForward.ts), on the real trained stories260K checkpoint, real onnxruntime,
// real engine worker, real PEFT adapter folders.
//
// Also: an adapter pinned by running requests is never evicted from its slot (vLLM #14497),
// checked end to end through the engine's own notices and event order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAdapter } from '../factory/index.ts';
import { loadAdapterWeights, readAdapterMeta } from '../adapters/index.ts';
import { type AdapterWeights } from '../kernels/model/index.ts';
import { loadCheckpoint, LORA_TARGETS, type Checkpoint, type LoraTarget } from '../kernels/model/index.ts';
import { Prng } from '../common/index.ts';
import {
  referenceGreedy,
  startEngine,
  type EngineClient,
  type EngineNotice,
  type EngineOptions,
  type GenerateEvent,
  type GenerateRequest,
} from '../kernels/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-churn-'));
const N_ADAPTERS = 14;
const ids = Array.from({ length: N_ADAPTERS }, (_, i) => `churn-${String(i).padStart(2, '0')}`);
let model: Checkpoint;
const weights = new Map<string, AdapterWeights>();

const options = (o: Partial<EngineOptions> = {}): EngineOptions => ({
  modelDir: MODEL,
  precision: 'fp32',
  provider: 'cpu',
  loraKernel: 'grouped',
  maxLoraRank: 8,
  maxActiveAdapters: 2,
  maxCachedAdapters: 4,
  maxCachedAdapterBytes: 64e6,
  maxBatchSize: 6,
  maxBatchTokens: 32,
  maxQueue: 64,
  maxModelLen: 256,
  cacheDir: join(tmp, 'graphs'),
  threads: 1,
  ...o,
});

const request = (id: string, promptIds: number[], maxTokens: number, adapterId: string | null): GenerateRequest => ({
  id,
  promptIds,
  adapterId,
  maxTokens,
  sampling: { temperature: 0, topP: 1, topK: 0 },
  stopTokenIds: [],
  ignoreEos: true,
});

/** Tokens, the final event, and when (in arrival order) the first token and the end arrived. */
async function collect(
  stream: AsyncIterable<GenerateEvent>,
  clock: () => number,
): Promise<{ tokens: number[]; last: GenerateEvent; firstAt: number; endAt: number }> {
  const tokens: number[] = [];
  let firstAt = -1;
  for await (const e of stream) {
    if (e.type !== 'token') return { tokens, last: e, firstAt, endAt: clock() };
    if (firstAt < 0) firstAt = clock();
    tokens.push(e.tokenId);
  }
  throw new Error('stream ended without done/error');
}

const startWith = (list: string[], o: Partial<EngineOptions> = {}): Promise<EngineClient> =>
  startEngine({ ...options(o), adapters: list.map((id) => ({ id, path: join(tmp, id) })) });

before(async () => {
  model = await loadCheckpoint(MODEL);
  const rng = new Prng(4242);
  for (const [i, id] of ids.entries()) {
    const dir = join(tmp, id);
    // Ranks 2/4/8 (slot stacks padded to 8); every third adapter targets a random subset.
    const targets: LoraTarget[] | undefined = i % 3 === 2 ? LORA_TARGETS.filter(() => rng.next() < 0.5) : undefined;
    await generateAdapter({
      dir,
      spec: model.spec,
      seed: 100 + i,
      rank: [2, 4, 8][i % 3]!,
      bStd: 0.4,
      targets: targets && targets.length > 0 ? targets : ['q_proj', 'down_proj'],
    });
    weights.set(id, await loadAdapterWeights(readAdapterMeta(dir, id), model.spec));
  }
});
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const kernel of ['grouped', 'gather'] as const) {
  test(`${kernel} kernel: 24 concurrent greedy requests over 14 adapters (4 cached, 2 active) each equal their adapter alone`, async () => {
    const engine = await startWith(ids, { loraKernel: kernel });
    const notices: EngineNotice[] = [];
    engine.onNotice((n) => {
      if (n.type !== 'step') notices.push(n);
    });
    try {
      const rng = new Prng(7);
      const jobs = Array.from({ length: 24 }, (_, j) => {
        const adapterId = rng.next() < 1 / 6 ? null : ids[rng.int(N_ADAPTERS)]!;
        const promptIds = [1, ...Array.from({ length: 1 + rng.int(20) }, () => 3 + rng.int(500))];
        return { id: `r${j}`, adapterId, promptIds, maxTokens: 6 + rng.int(6) };
      });
      assert.ok(new Set(jobs.map((j) => j.adapterId)).size >= 10, 'the workload spreads over many adapters');
      let tick = 0;
      const got = await Promise.all(
        jobs.map((j) => collect(engine.generate(request(j.id, j.promptIds, j.maxTokens, j.adapterId)), () => tick++)),
      );
      let changed = 0;
      jobs.forEach((j, i) => {
        assert.equal(got[i]!.last.type, 'done', `${j.id}: ${JSON.stringify(got[i]!.last)}`);
        const ref = referenceGreedy(
          model,
          j.promptIds,
          j.maxTokens,
          j.adapterId ? weights.get(j.adapterId) : undefined,
        );
        assert.deepEqual(got[i]!.tokens, ref, `${j.id} (${j.adapterId ?? 'base'}) differs from its reference`);
        if (j.adapterId && ref.join() !== referenceGreedy(model, j.promptIds, j.maxTokens).join()) changed++;
      });
      const adapterJobs = jobs.filter((j) => j.adapterId).length;
      assert.ok(
        changed >= adapterJobs * 0.75,
        `adapters change the output in ${changed}/${adapterJobs} requests: the check is not vacuous`,
      );
      // Churn really happened: host evictions, and more slot loads than slots.
      const count = (type: string, tier: string) =>
        notices.filter((n) => n.type === type && 'tier' in n && n.tier === tier).length;
      assert.ok(count('adapter_evicted', 'host') >= 4, `host evictions: ${count('adapter_evicted', 'host')}`);
      assert.ok(count('adapter_loaded', 'host') > 4, `disk -> host loads: ${count('adapter_loaded', 'host')}`);
      assert.ok(count('adapter_loaded', 'slot') > 2, `host -> slot loads: ${count('adapter_loaded', 'slot')}`);
      assert.equal(notices.filter((n) => n.type === 'adapter_errored').length, 0);
    } finally {
      await engine.close();
    }
  });
}

test('adapters pinned by running requests are never evicted from their slots (vLLM #14497)', async () => {
  const engine = await startWith(ids, { maxCachedAdapters: 2, maxBatchSize: 8 });
  const events: string[] = []; // slot-tier notices, in arrival order
  engine.onNotice((n) => {
    if ((n.type === 'adapter_evicted' || n.type === 'adapter_loaded') && n.tier === 'slot')
      events.push(`${n.type}:${n.id}`);
  });
  try {
    let tick = 0;
    const clock = () => tick++;
    const [pa, pb] = ['churn-00', 'churn-01'];
    const longPrompt = (s: number) => [1, ...Array.from({ length: 6 }, (_, i) => 3 + ((s * 53 + i * 29) % 500))];
    // Two long requests pin both slots; the first token of each means it holds its slot.
    const long = [pa, pb].map((a, i) =>
      engine.generate(request(`long-${i}`, longPrompt(i), 40, a))[Symbol.asyncIterator](),
    );
    const firsts = await Promise.all(long.map((it) => it.next()));
    firsts.forEach((f) => assert.equal(f.value.type, 'token'));
    const longDone = long.map(async (it, i) => {
      const r = await collect({ [Symbol.asyncIterator]: () => it }, clock);
      return { ...r, tokens: [(firsts[i]!.value as { tokenId: number }).tokenId, ...r.tokens] };
    });
    // Six short requests on six other adapters: they need a slot, and every slot is pinned.
    const shortIds = ids.slice(2, 8);
    const shorts = shortIds.map((a, i) =>
      collect(engine.generate(request(`short-${i}`, longPrompt(10 + i), 4, a)), clock),
    );
    const [l0, l1] = await Promise.all(longDone);
    const s = await Promise.all(shorts);
    assert.deepEqual(l0.tokens, referenceGreedy(model, longPrompt(0), 40, weights.get(pa)));
    assert.deepEqual(l1.tokens, referenceGreedy(model, longPrompt(1), 40, weights.get(pb)));
    shortIds.forEach((a, i) =>
      assert.deepEqual(
        s[i]!.tokens,
        referenceGreedy(model, longPrompt(10 + i), 4, weights.get(a)),
        `short-${i} (${a})`,
      ),
    );
    // A pinned adapter evicted mid-request would have to be loaded into a slot again (or its request
    // would read another adapter's weights, which the exact outputs above rule out).
    for (const a of [pa, pb])
      assert.equal(events.filter((e) => e === `adapter_loaded:${a}`).length, 1, `${a} slot loads: ${events.join(' ')}`);
    // Both slots were pinned until a long request ended: no short request could start before that.
    const firstLongEnd = Math.min(l0.endAt, l1.endAt);
    s.forEach((r, i) => assert.ok(r.firstAt > firstLongEnd, `short-${i} got a slot while both slots were pinned`));
    assert.ok(
      events.some((e) => e.startsWith('adapter_evicted:')),
      'the short requests did evict the long ones once they ended',
    );
  } finally {
    await engine.close();
  }
});
