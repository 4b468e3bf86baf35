import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  planAttribution,
  combineScores,
  shapley,
  leaveOneOut,
  linearSurrogate,
  sharesPpm,
  adapterSharePpm,
  largestRemainder,
} from './scoreSources.ts';

const close = (a: number[], b: number[], tol = 1e-12): void => {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= tol, `index ${i}: ${x} vs ${b[i]}`));
};

test('additive game: Shapley and leave-one-out both equal the weights', () => {
  const w = [0.5, -1.25, 2, 0, 3.5];
  const v = (m: number): number => w.reduce((acc, wi, i) => acc + (m & (1 << i) ? wi : 0), -7);
  close(shapley(5, v), w);
  close(leaveOneOut(5, v), w);
});

test('redundant evidence: two passages both holding the answer; LOO gives 0, Shapley splits', () => {
  // v = -10 without the answer, -1 with passage 0 or 1 (or both); passage 2 is noise.
  const v = (m: number): number => (m & 0b011 ? -1 : -10);
  close(leaveOneOut(3, v), [0, 0, 0]);
  // Hand computation for player 0 (k=3, weights 1/3, 1/6, 1/6, 1/3 for |S| = 0, 1, 1, 2):
  // S={}: 9 * 1/3; S={1}: 0; S={2}: 9 * 1/6; S={1,2}: 0  => 3 + 1.5 = 4.5
  close(shapley(3, v), [4.5, 4.5, 0]);
});

test('synergy game: both halves needed; hand-computed Shapley', () => {
  // v(N)=6 only when passages 0 and 1 are both present, plus passage 2 adds 1 alone.
  const v = (m: number): number => ((m & 3) === 3 ? 6 : 0) + (m & 4 ? 1 : 0);
  close(shapley(3, v), [3, 3, 1]);
  close(leaveOneOut(3, v), [6, 6, 1]);
});

test('Shapley is efficient: sum phi = v(N) - v(empty) for a random game', () => {
  const table = Array.from({ length: 64 }, (_, m) => (Math.sin(m * 12.9898) * 43758.5453) % 1);
  const phi = shapley(6, (m) => table[m]!);
  assert.ok(Math.abs(phi.reduce((a, b) => a + b, 0) - (table[63]! - table[0]!)) < 1e-12);
});

test('planAttribution picks Shapley up to 4 passages, the surrogate beyond; combineScores agrees with the direct forms', () => {
  const p4 = planAttribution(4);
  assert.equal(p4.method, 'shapley');
  assert.equal(p4.subsets.length, 16);
  assert.equal(new Set(p4.subsets).size, 16);
  const p5 = planAttribution(5);
  assert.equal(p5.method, 'linear_surrogate');
  // ∅, {0}, {1}, {0,1}, {2}, {0,1,2}, {3}, {0..3}, {4}, {0..4}: 2k subsets
  assert.deepEqual(p5.subsets, [0, 1, 2, 3, 4, 7, 8, 15, 16, 31]);
  const p7 = planAttribution(7, { largeK: 'leave_one_out' });
  assert.equal(p7.method, 'leave_one_out');
  assert.deepEqual(p7.subsets, [127, 126, 125, 123, 119, 111, 95, 63]);
  assert.equal(planAttribution(6, { maxExactK: 6 }).method, 'shapley');
  const v = (m: number): number => (m & 1 ? 2 : 0) + (m & 2 && m & 4 ? 1 : 0) - 0.1 * m;
  close(combineScores(p4, p4.subsets.map(v)), shapley(4, v));
  close(combineScores(p7, p7.subsets.map(v)), leaveOneOut(7, v));
  close(combineScores(p5, p5.subsets.map(v)), linearSurrogate(5, p5.subsets, v));
  assert.equal(planAttribution(3, { method: 'leave_one_out' }).subsets.length, 4);
  assert.deepEqual(planAttribution(0).subsets, [0]);
  assert.deepEqual(combineScores(planAttribution(0), [-3]), []);
  assert.throws(() => combineScores(p4, [1, 2]), /expected 16 values, got 2/);
  assert.throws(() => planAttribution(-1), RangeError);
});

test('linear surrogate: the weights of an additive game, exact Shapley for k <= 2, least squares otherwise', () => {
  const w = [0.5, -1.25, 2, 0, 3.5, -0.75];
  const additive = (m: number): number => w.reduce((acc, wi, i) => acc + (m & (1 << i) ? wi : 0), -7);
  close(
    combineScores(planAttribution(6, { maxExactK: 0 }), planAttribution(6, { maxExactK: 0 }).subsets.map(additive)),
    w,
    1e-9,
  );
  const g = (m: number): number => [-4, -1, -2.5, 3][m]!; // any 2-player game: all 4 subsets are in the design
  close(combineScores(planAttribution(2, { maxExactK: 0 }), [0, 1, 2, 3].map(g)), shapley(2, g), 1e-12);
  // Non-additive k=3 games on the design ∅, {0}, {1}, {0,1}, {2}, {0,1,2}; expected weights from numpy's
  // lstsq (python3 -c "np.linalg.lstsq(X, y)"): synergy [3, 3, 2.5] (Shapley: [3, 3, 1]), redundancy [4.5, 4.5, -2.25].
  const p3 = planAttribution(3, { maxExactK: 0 });
  const synergy = (m: number): number => ((m & 3) === 3 ? 6 : 0) + (m & 4 ? 1 : 0);
  const redundant = (m: number): number => (m & 0b011 ? -1 : -10);
  close(combineScores(p3, p3.subsets.map(synergy)), [3, 3, 2.5], 1e-9);
  close(combineScores(p3, p3.subsets.map(redundant)), [4.5, 4.5, -2.25], 1e-9);
  assert.throws(() => linearSurrogate(2, [0, 3], synergy), /do not determine every weight/);
});

test('sharesPpm: positive scores only, integers summing to exactly 1e6, largest remainder', () => {
  assert.deepEqual(sharesPpm([1, 1, 1]), [333334, 333333, 333333]);
  assert.deepEqual(sharesPpm([2, -5, 1, 0]), [666667, 0, 333333, 0]);
  assert.deepEqual(sharesPpm([-1, 0, Number.NaN]), [0, 0, 0]);
  assert.deepEqual(sharesPpm([]), []);
  for (let seed = 1; seed < 50; seed++) {
    const s = Array.from({ length: 1 + (seed % 9) }, (_, i) => Math.sin(seed * 31 + i * 7) * 3);
    const sh = sharesPpm(s);
    if (s.some((x) => x > 0))
      assert.equal(
        sh.reduce((a, b) => a + b, 0),
        1_000_000,
      );
    sh.forEach((x, i) => {
      assert.ok(Number.isInteger(x));
      if (s[i]! <= 0) assert.equal(x, 0);
    });
  }
});

test('largestRemainder breaks equal remainders by lower index', () => {
  assert.deepEqual(largestRemainder([0.5, 0.5, 0.5, 0.5], 2), [1, 1, 0, 0]);
  assert.deepEqual(largestRemainder([1.2, 1.7, 0.1], 3), [1, 2, 0]);
});

test('adapterSharePpm = 1 - exp(-influence) in ppm, zero when the adapter did not help', () => {
  assert.equal(adapterSharePpm(Math.log(2)), 500_000); // adapter doubled p(answer): half of it is the adapter's
  assert.equal(adapterSharePpm(0), 0);
  assert.equal(adapterSharePpm(-3), 0);
  assert.equal(adapterSharePpm(Number.NaN), 0);
  assert.equal(adapterSharePpm(100), 1_000_000);
});
