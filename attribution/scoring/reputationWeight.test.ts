import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reputationWeighted } from './reputationWeight.ts';
import { sharesPpm } from './scoreSources.ts';

const passages = [
  { contributor: '0xa', datanet: 'gov' },
  { contributor: '0xb', datanet: 'gov' },
  { contributor: '0xc', datanet: 'open' },
];

test('composite = influence x reputation: equal influence, reputations 9/16 and 10/14 and 1 -> shares in that ratio', () => {
  const rep = { reputationPpm: (c: string) => ({ '0xa': 562_500, '0xb': 714_286, '0xc': 1_000_000 })[c]! };
  const w = reputationWeighted([2, 2, 2], passages, rep);
  [1.125, 1.428572, 2].forEach((x, i) => assert.ok(Math.abs(w[i]! - x) < 1e-12, `w[${i}] = ${w[i]}`));
  // hand-computed (python): 1e6 x [1.125, 1.428572, 2] / 4.553572 = 247058.79, 313725.58, 439215.63
  assert.deepEqual(sharesPpm(w), [247059, 313725, 439216]); // largest remainders: .79 and .63
});

test('no reputation source: the scores unchanged; negative influence stays unpaid; a reputation out of range is refused', () => {
  assert.deepEqual(reputationWeighted([0.5, -1, 0], passages, undefined), [0.5, -1, 0]);
  assert.deepEqual(
    sharesPpm(reputationWeighted([1, -1, 0], passages, { reputationPpm: () => 500_000 })),
    [1_000_000, 0, 0],
  );
  assert.throws(
    () => reputationWeighted([1, 1, 1], passages, { reputationPpm: () => 2_000_000 }),
    /integer ppm in \[0, 1000000\]/,
  );
});
