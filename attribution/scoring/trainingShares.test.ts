import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollUp, trainingShares, UNIT_REPUTATION, type TrainingCandidate } from './trainingShares.ts';

const c = (
  exampleId: string,
  influence: number,
  coveredTokens = 0,
  contributor: string | null = '0xa',
): TrainingCandidate => ({
  exampleId,
  docId: null,
  datanet: 'skin',
  contributor,
  influence,
  spanTokens: coveredTokens,
  coveredTokens,
});

test('only positive influence is paid, normalised per request (hand-computed)', () => {
  const s = trainingShares([c('a', 3), c('b', 1), c('n', -5), c('z', 0)], { answerTokens: 10 });
  assert.deepEqual(
    s.map((x) => x.sharePpm),
    [750_000, 250_000, 0, 0],
  );
  assert.deepEqual(
    s.map((x) => x.composite),
    [3, 1, 0, 0],
  );
  assert.deepEqual(
    trainingShares([c('n', -1)], { answerTokens: 10 }).map((x) => x.sharePpm),
    [0],
  );
});

test('a copied span lifts an example to at least the fraction of the answer it supplied', () => {
  // p = [0.9, 0.1, 0]; covered: b supplied 6 of 10 answer tokens -> weights [0.9, 0.6, 0] -> 600000/400000
  const s = trainingShares([c('a', 9), c('b', 1, 6), c('x', 0)], { answerTokens: 10 });
  assert.deepEqual(
    s.map((x) => x.sharePpm),
    [600_000, 400_000, 0],
  );
  // spans alone (no influence computed) still pay: weights [0, 0.2, 0.8]
  const spansOnly = trainingShares([c('a', 0), c('b', 0, 2), c('x', 0, 8)], { answerTokens: 10 });
  assert.deepEqual(
    spansOnly.map((x) => x.sharePpm),
    [0, 200_000, 800_000],
  );
});

test('reputation hook: composite = influence x reputation; default reputation 1; no payout address, no share', () => {
  const half = { reputationPpm: (who: string) => (who === '0xb' ? 500_000 : 1_000_000) };
  const s = trainingShares([c('a', 1, 0, '0xa'), c('b', 2, 0, '0xb'), c('n', 5, 0, null)], {
    answerTokens: 4,
    reputation: half,
  });
  assert.deepEqual(
    s.map((x) => [x.composite, x.reputationPpm, x.sharePpm]),
    [
      [1, 1_000_000, 500_000],
      [1, 500_000, 500_000],
      [0, 1_000_000, 0],
    ],
  );
  assert.equal(UNIT_REPUTATION.reputationPpm('0xanyone', null), 1_000_000);
  assert.throws(
    () => trainingShares([c('a', 1)], { answerTokens: 1, reputation: { reputationPpm: () => 2_000_000 } }),
    /reputation/,
  );
});

test('rollUp sums shares and amounts per key, largest first', () => {
  const r = rollUp(
    [
      { who: 'x', sharePpm: 100, amount: '5' },
      { who: 'y', sharePpm: 300, amount: '7' },
      { who: 'x', sharePpm: 250, amount: '11' },
    ],
    (e) => e.who,
  );
  assert.deepEqual(r, [
    { key: 'x', sharePpm: 350, amount: '16' },
    { key: 'y', sharePpm: 300, amount: '7' },
  ]);
});
