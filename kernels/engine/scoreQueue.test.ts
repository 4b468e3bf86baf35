// Prefix-shared scoring: the plan (pure) and the real engine on stories260K (real onnxruntime, real
// worker, a real PEFT adapter folder). Expected log-probs come from the plain TypeScript reference
// forward (kernels/reference/referenceForward.ts), one variant at a time from position 0: a prefix
// node whose keys/values were placed wrongly in a leaf's past would move them far beyond 1e-3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAdapter } from '../../factory/index.ts';
import { loadAdapterWeights, readAdapterMeta } from '../../adapters/index.ts';
import type { AdapterWeights } from '../model/loraWeights.ts';
import { startEngine } from './engineClient.ts';
import { loadCheckpoint, type Checkpoint } from '../model/loadCheckpoint.ts';
import { referenceLogits } from '../reference/referenceForward.ts';
import type { EngineClient, ScoreVariant } from './engineContract.ts';
import { fedTokens, planScoreTree } from './scorePlan.ts';

const MODEL = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-score-'));
let model: Checkpoint;
let adapter: AdapterWeights;
let engine: EngineClient;

/** Deterministic token runs (ids 3..502). */
const run = (n: number, seed: number): number[] =>
  Array.from({ length: n }, (_, i) => 3 + ((seed * 97 + i * 31) % 500));
/** Attribution-shaped variants: BOS + header + the passages of each subset (in order) + question, one target. */
function subsetVariants(k: number, adapterId: string | null): ScoreVariant[] {
  const header = run(5, 1);
  const passages = Array.from({ length: k }, (_, i) => run(9 + i, 10 + i));
  const question = run(4, 50);
  return Array.from({ length: 1 << k }, (_, m) => ({
    promptIds: [1, ...(m ? header : []), ...passages.filter((_, i) => m & (1 << i)).flat(), ...question],
    targetIds: run(5, 60),
    adapterId,
  }));
}

before(async () => {
  model = await loadCheckpoint(MODEL);
  await generateAdapter({ dir: join(tmp, 'ad'), spec: model.spec, seed: 7, rank: 4, bStd: 0.4 });
  adapter = await loadAdapterWeights(readAdapterMeta(join(tmp, 'ad'), 'ad'), model.spec);
  engine = await startEngine({
    modelDir: MODEL,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'grouped',
    maxLoraRank: 8,
    maxActiveAdapters: 2,
    maxCachedAdapters: 2,
    maxCachedAdapterBytes: 64e6,
    maxBatchSize: 4, // several calls per tree level: nodes and leaves of one level wait for each other
    maxBatchTokens: 96,
    maxQueue: 16,
    maxModelLen: 512,
    cacheDir: join(tmp, 'graphs'),
    threads: 1,
    adapters: [{ id: 'ad', path: join(tmp, 'ad') }],
  });
});
after(async () => {
  await engine?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('plan: the 2^k subsets share every passage prefix once; sharing off feeds every variant whole', () => {
  const variants = subsetVariants(3, null);
  const items = planScoreTree(variants);
  const leaves = items.filter((it) => it.variant >= 0);
  assert.deepEqual(leaves.map((it) => it.variant).sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  items.forEach((it, i) => assert.ok(it.parent < i, 'parents come before their children'));
  // Each leaf's tokens continue its ancestors' exactly: the past (each ancestor up to where the item
  // below it starts) covers seq[0 .. start).
  for (const leaf of leaves) {
    const seq = fedTokens(variants[leaf.variant]!);
    let end = leaf.start;
    for (let a = leaf.parent; a >= 0; a = items[a]!.parent) {
      const it = items[a]!;
      assert.ok(it.start < end && end <= it.start + it.len, `ancestor ${a} [${it.start}, +${it.len}) vs ${end}`);
      assert.deepEqual(fedTokens(variants[it.source]!).slice(it.start, end), seq.slice(it.start, end));
      end = it.start;
    }
    assert.equal(end, 0);
    assert.equal(leaf.start + leaf.len, seq.length);
  }
  const fed = (its: typeof items) => its.reduce((n, it) => n + it.len, 0);
  const whole = planScoreTree(variants, { minSavedTokens: Infinity });
  assert.equal(whole.length, 8);
  assert.ok(whole.every((it) => it.parent === -1 && it.start === 0));
  // Hand count: unshared = sum of the 8 fed lengths; shared = header once per branch + each
  // passage once per distinct ordered prefix + each subset's own tail (question + 4 target tokens).
  const unshared = variants.reduce((n, v) => n + v.promptIds.length + v.targetIds.length - 1, 0);
  assert.equal(fed(whole), unshared);
  assert.ok(fed(items) < 0.7 * unshared, `shared plan feeds ${fed(items)} of ${unshared} tokens`);
  // A chain of prefixes {0} ⊂ {0,1} ⊂ {0,1,2} plus singletons: one spine node, every leaf reads it.
  const chain = [0b001, 0b011, 0b111, 0b010, 0b100, 0].map((m) => variants[m]!);
  const spine = planScoreTree(chain);
  assert.equal(spine.filter((it) => it.variant < 0).length, 1, 'one node');
  assert.ok(spine.every((it) => it.variant < 0 || it.parent === 0));
  // A variant with no target needs nothing; one whose prompt is a prefix of another's still gets its own leaf.
  const odd = planScoreTree([
    { promptIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], targetIds: [], adapterId: null },
    { promptIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], targetIds: [4], adapterId: null },
    { promptIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], targetIds: [4, 5], adapterId: null },
  ]);
  assert.deepEqual(
    odd
      .filter((it) => it.variant >= 0)
      .map((it) => it.variant)
      .sort(),
    [1, 2],
  );
  assert.equal(odd.find((it) => it.variant === 1)!.logitsAt.at(-1)! + odd.find((it) => it.variant === 1)!.start, 9);
});

/** Every variant's log-probs match the reference forward pass fed from position 0, within 1e-3 nats. */
function assertMatchesReference(variants: ScoreVariant[], got: Array<{ tokenLogprobs: number[] }>): void {
  variants.forEach((v, i) => {
    const logits = referenceLogits(model, [...v.promptIds, ...v.targetIds], v.adapterId ? adapter : undefined);
    const want = v.targetIds.map((t, j) => {
      const row = logits[v.promptIds.length - 1 + j]!;
      return row[t]! - Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    });
    assert.equal(got[i]!.tokenLogprobs.length, v.targetIds.length);
    got[i]!.tokenLogprobs.forEach((lp, j) =>
      assert.ok(Math.abs(lp - want[j]!) < 1e-3, `variant ${i} token ${j}: ${lp} vs ${want[j]}`),
    );
  });
}

/** Greedy tokens of a generation under 'ad' that keeps its keys/values; `onToken` sees each (and may cancel). */
async function generateRetained(
  id: string,
  promptIds: number[],
  maxTokens: number,
  onToken: (tokens: number[]) => void = () => {},
): Promise<{ tokens: number[]; finishReason: string }> {
  const tokens: number[] = [];
  let finishReason = '';
  for await (const e of engine.generate({
    id,
    promptIds,
    adapterId: 'ad',
    maxTokens,
    sampling: { temperature: 0, topP: 1, topK: 0 },
    stopTokenIds: [],
    ignoreEos: true,
    retainKv: true,
  })) {
    if (e.type === 'token') {
      tokens.push(e.tokenId);
      onToken(tokens);
    }
    if (e.type === 'done') finishReason = e.finishReason;
  }
  return { tokens, finishReason };
}

test('engine.score over shared prefixes equals the reference, base and adapter, many calls per level', async () => {
  const surrogate = [0, 1, 3, 7, 15, 2, 4, 8].map((m) => subsetVariants(4, 'ad')[m]!); // a spine with branches
  const variants = [
    ...subsetVariants(3, null),
    ...subsetVariants(3, 'ad'),
    ...subsetVariants(2, null).slice(1),
    ...surrogate,
  ];
  assertMatchesReference(variants, await engine.score(variants));
});

/** The engine's scoring counters once the worker's stats after the last call have arrived. */
async function scoreStatsAfter(calls: number) {
  for (let i = 0; i < 200; i++) {
    const s = engine.stats().score;
    if (s && s.calls > calls) return s;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no scoring stats arrived');
}

test("scoring reads a finished generation's retained keys/values: same log-probs, fewer tokens fed; a second use misses", async () => {
  const k = 3;
  const all = subsetVariants(k, 'ad');
  const served = all[(1 << k) - 1]!.promptIds;
  const answer = (await generateRetained('retained-1', served, 6)).tokens;
  assert.equal(answer.length, 6);
  // attribution's surrogate design over the served answer, plus the full prompt on the base model
  const variants: ScoreVariant[] = [0, 1, 3, 2, 4, 7].map((m) => ({ ...all[m]!, targetIds: answer }));
  variants.push({ promptIds: served, targetIds: answer, adapterId: null });
  const before = engine.stats().score ?? { fedTokens: 0, reusedTokens: 0, reuseMisses: 0, calls: 0 };
  const got = await engine.score(variants, { reuseKvOf: 'retained-1' });
  const mid = await scoreStatsAfter(before.calls);
  assertMatchesReference(variants, got);
  // The full variant's leaf starts at its last prompt token; every adapter variant reads the BOS at least.
  const fedAlone = planScoreTree(variants).reduce((n, it) => n + it.len, 0);
  assert.ok(
    mid.reusedTokens - before.reusedTokens >= served.length - 1,
    `reused ${mid.reusedTokens - before.reusedTokens}`,
  );
  assert.ok(mid.fedTokens - before.fedTokens < fedAlone, `fed ${mid.fedTokens - before.fedTokens} of ${fedAlone}`);
  assert.equal(mid.reuseMisses, before.reuseMisses);
  // taken once: the same request again feeds every token, and agrees
  const again = await engine.score(variants, { reuseKvOf: 'retained-1' });
  const end = await scoreStatsAfter(mid.calls);
  assert.equal(end.reuseMisses, mid.reuseMisses + 1);
  assert.equal(end.fedTokens - mid.fedTokens, fedAlone);
  again.forEach((r, i) => assert.ok(Math.abs(r.total - got[i]!.total) < 1e-3));
});

test('plan with a root: variants under its adapter that share enough tokens start where they leave it', () => {
  const all = subsetVariants(3, 'ad');
  const root = { tokens: [...all[7]!.promptIds, ...run(5, 60).slice(0, 3)], adapterId: 'ad' };
  const variants = [all[7]!, all[3]!, all[1]!, all[0]!, { ...all[7]!, adapterId: null }];
  const items = planScoreTree(variants, { root });
  assert.deepEqual(items[0], {
    parent: -1,
    start: 0,
    len: root.tokens.length,
    source: -1,
    variant: -1,
    adapterId: 'ad',
    logitsAt: [],
  });
  const leafOf = (v: number) => items.find((it) => it.variant === v)!;
  // the full prompt: everything but its last prompt token is in the root (its logits need that token fed)
  assert.deepEqual([leafOf(0).parent, leafOf(0).start], [0, all[7]!.promptIds.length - 1]);
  // prefixes {0,1} and {0} leave the root after their passages
  assert.deepEqual([leafOf(1).parent, leafOf(1).start], [0, 1 + 5 + 9 + 10]);
  assert.deepEqual([leafOf(2).parent, leafOf(2).start], [0, 1 + 5 + 9]);
  // ∅ shares only BOS: below minSavedTokens, so planned from position 0; the base variant never uses the root
  assert.deepEqual([leafOf(3).parent, leafOf(3).start], [-1, 0]);
  assert.deepEqual([leafOf(4).parent, leafOf(4).start], [-1, 0]);
});

test("a stream cancelled mid-answer (a stop string) leaves its keys/values too: its answer's scoring reads them", async () => {
  const all = subsetVariants(2, 'ad');
  const served = all[3]!.promptIds;
  const { tokens: answer, finishReason } = await generateRetained('retained-cancel', served, 40, (tokens) => {
    if (tokens.length === 3) engine.cancel('retained-cancel'); // as the server does on a stop string
  });
  assert.equal(finishReason, 'cancelled');
  assert.ok(answer.length >= 3 && answer.length < 40, `${answer.length} tokens`);
  const kept = answer.slice(0, 3); // the answer up to the stop string
  const variants: ScoreVariant[] = [3, 1, 0].map((m) => ({ ...all[m]!, targetIds: kept }));
  const before = engine.stats().score ?? { fedTokens: 0, reusedTokens: 0, reuseMisses: 0, calls: 0 };
  const got = await engine.score(variants, { reuseKvOf: 'retained-cancel' });
  const after = await scoreStatsAfter(before.calls);
  assert.equal(after.reuseMisses, before.reuseMisses);
  assert.ok(
    after.reusedTokens - before.reusedTokens >= served.length - 1,
    'the full prompt read the retained keys/values',
  );
  assertMatchesReference(variants, got);
});
