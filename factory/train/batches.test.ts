import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng, RequestError } from '../../common/index.ts';
import { padBatch, planEpoch, planEvaluation, splitExamples } from './batches.ts';
import type { TrainExample } from './trainExamples.ts';

/** n seeded examples of 2..maxLen tokens (ids >= 3), loss on the second half of each. */
function examples(n: number, seed = 1, maxLen = 40): TrainExample[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const L = 2 + rng.int(maxLen - 1);
    const tokens = Array.from({ length: L }, () => 3 + rng.int(500));
    const weights = tokens.map((_, t) => (t >= Math.floor(L / 2) && t > 0 ? 1 : 0));
    return { id: `ex${i}`, tokens, weights };
  });
}
const losses = (e: TrainExample) => e.weights.slice(1).reduce((a, b) => a + b, 0);

test('split: seeded, disjoint, complete, order-keeping, and the same for the same seed', () => {
  const ex = examples(50);
  const a = splitExamples(ex, { validationFraction: 0.2, seed: 7 });
  assert.equal(a.validation.length, 10);
  assert.equal(a.train.length, 40);
  const ids = (xs: TrainExample[]) => xs.map((e) => e.id);
  assert.deepEqual([...ids(a.train), ...ids(a.validation)].sort(), ids(ex).sort());
  const pos = (e: TrainExample) => ex.indexOf(e);
  for (const part of [a.train, a.validation]) {
    assert.deepEqual(
      part.map(pos),
      part.map(pos).sort((x, y) => x - y),
      'keeps the input order',
    );
  }
  assert.deepEqual(splitExamples(ex, { validationFraction: 0.2, seed: 7 }), a);
  assert.notDeepEqual(ids(splitExamples(ex, { validationFraction: 0.2, seed: 8 }).validation), ids(a.validation));
  assert.equal(splitExamples(ex, { validationFraction: 0, seed: 7 }).validation.length, 0);
  assert.equal(splitExamples(ex.slice(0, 3), { validationFraction: 0.01, seed: 7 }).validation.length, 1);
  assert.equal(splitExamples(ex.slice(0, 2), { validationFraction: 0.9, seed: 7 }).train.length, 1);
  assert.throws(() => splitExamples(ex, { validationFraction: 1, seed: 7 }), RequestError);
});

test('epoch plan: every example once, same seed -> identical, new epoch -> new order', () => {
  const ex = examples(103);
  const o = { batchSize: 4, seed: 3, epoch: 0, gradientAccumulationSteps: 3, bucketWindow: 5 };
  const plan = planEpoch(ex, o);
  const flat = plan.flatMap((s) => s.microBatches.flat());
  assert.deepEqual(
    [...flat].sort((a, b) => a - b),
    ex.map((_, i) => i),
  );
  assert.equal(plan.flatMap((s) => s.microBatches).filter((mb) => mb.length < 4).length, 1, 'one short micro-batch');
  assert.ok(plan.every((s) => s.microBatches.length <= 3 && s.microBatches.every((mb) => mb.length <= 4)));
  assert.equal(plan.length, Math.ceil(Math.ceil(103 / 4) / 3));
  for (const s of plan) {
    assert.equal(
      s.lossTokens,
      s.microBatches.flat().reduce((a, i) => a + losses(ex[i]!), 0),
    );
  }
  assert.deepEqual(planEpoch(ex, o), plan);
  assert.notDeepEqual(planEpoch(ex, { ...o, epoch: 1 }), plan);
  assert.notDeepEqual(planEpoch(ex, { ...o, seed: 4 }), plan);
  assert.deepEqual(planEpoch([], o), []);
});

test('bucketing: rows of a micro-batch have similar lengths, so there is far less padding', () => {
  const ex = examples(400, 9, 200);
  const padding = (bucketWindow: number) => {
    let pad = 0;
    for (const s of planEpoch(ex, { batchSize: 8, seed: 1, epoch: 0, bucketWindow })) {
      for (const mb of s.microBatches) {
        const b = padBatch(mb.map((i) => ex[i]!));
        pad += b.rows * b.width - mb.reduce((a, i) => a + ex[i]!.tokens.length, 0);
      }
    }
    return pad;
  };
  const bucketed = padding(50);
  const unbucketed = padding(1);
  assert.ok(bucketed * 5 < unbucketed, `padding ${bucketed} with bucketing vs ${unbucketed} without`);
  // Micro-batch order is shuffled: lengths do not simply rise through the epoch.
  const firstLens = planEpoch(ex, { batchSize: 8, seed: 1, epoch: 0 }).map(
    (s) => ex[s.microBatches[0]![0]!]!.tokens.length,
  );
  assert.notDeepEqual(
    firstLens,
    [...firstLens].sort((a, b) => a - b),
  );
});

test('padBatch: right padding with id 0, labels shifted by one, padding never a loss target', () => {
  const rows: TrainExample[] = [
    { id: 'a', tokens: [5, 6, 7, 8], weights: [0, 0, 1, 1] },
    { id: 'b', tokens: [9, 10], weights: [0, 1] },
  ];
  const b = padBatch(rows);
  assert.deepEqual(b.ids, ['a', 'b']);
  assert.equal(b.rows, 2);
  assert.equal(b.width, 4);
  assert.deepEqual([...b.inputIds], [5n, 6n, 7n, 8n, 9n, 10n, 0n, 0n]);
  assert.deepEqual([...b.labels], [6n, 7n, 8n, 0n, 10n, 0n, 0n, 0n]);
  assert.deepEqual([...b.lossMask], [0, 1, 1, 0, 1, 0, 0, 0]);
  assert.deepEqual([...b.seqLen], [4n, 2n]);
  assert.equal(b.lossTokens, 3);
  assert.throws(() => padBatch([]), RequestError);
  assert.throws(() => padBatch([{ id: 'x', tokens: [1, 2], weights: [0] }]), RequestError);
});

test("padBatch over a whole epoch: the masked (input, label) pairs are exactly each example's targets", () => {
  // Independent reference: the multiset of (previous token, target token) over every example's
  // loss targets; the batches must feed exactly these to the loss and nothing from padding.
  const ex = examples(57, 5);
  const want: string[] = [];
  for (const e of ex)
    for (let t = 1; t < e.tokens.length; t++)
      if (e.weights[t]) want.push(`${e.id}:${t - 1}:${e.tokens[t - 1]}>${e.tokens[t]}`);
  const got: string[] = [];
  let stepTokens = 0;
  for (const s of planEpoch(ex, { batchSize: 5, seed: 11, epoch: 2, gradientAccumulationSteps: 2 })) {
    let sum = 0;
    for (const mb of s.microBatches) {
      const b = padBatch(mb.map((i) => ex[i]!));
      sum += b.lossTokens;
      for (let r = 0; r < b.rows; r++) {
        const L = Number(b.seqLen[r]);
        for (let t = 0; t < b.width; t++) {
          const k = r * b.width + t;
          if (t >= L) assert.equal(b.inputIds[k], 0n, 'padding id 0');
          if (t >= L - 1) assert.equal(b.lossMask[k], 0, 'no loss at or after the last real token');
          if (b.lossMask[k] === 1) got.push(`${b.ids[r]}:${t}:${b.inputIds[k]}>${b.labels[k]}`);
        }
      }
    }
    assert.equal(sum, s.lossTokens, 'the step count is the sum of its micro-batches');
    stepTokens += s.lossTokens;
  }
  assert.deepEqual(got.sort(), want.sort());
  assert.equal(stepTokens, want.length);
});

test('evaluation plan: every example once, sorted by length, no shuffle', () => {
  const ex = examples(23);
  const plan = planEvaluation(ex, 4);
  const flat = plan.flat();
  assert.deepEqual(
    [...flat].sort((a, b) => a - b),
    ex.map((_, i) => i),
  );
  const lens = flat.map((i) => ex[i]!.tokens.length);
  assert.deepEqual(
    lens,
    [...lens].sort((a, b) => a - b),
  );
  assert.throws(() => planEvaluation(ex, 0), RequestError);
});
