import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../common/index.ts';
import { ZipfSampler } from './zipf.ts';

test('Zipf probabilities follow 1/k^alpha and sum to 1', () => {
  const z = new ZipfSampler(4, 1, new Prng(1));
  const h = 1 + 1 / 2 + 1 / 3 + 1 / 4;
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(z.probability(k) - 1 / (k + 1) / h) < 1e-12);
  const uniform = new ZipfSampler(5, 0, new Prng(1));
  for (let k = 0; k < 5; k++) assert.ok(Math.abs(uniform.probability(k) - 0.2) < 1e-12);
});

test('Zipf draws match the distribution (chi-square, 20k draws) and are seeded', () => {
  const m = 10;
  const n = 20000;
  const z = new ZipfSampler(m, 1.2, new Prng(42));
  const counts = new Array<number>(m).fill(0);
  for (let i = 0; i < n; i++) counts[z.next()]!++;
  let chi2 = 0;
  for (let k = 0; k < m; k++) {
    const e = n * z.probability(k);
    chi2 += (counts[k]! - e) ** 2 / e;
  }
  assert.ok(chi2 < 27.9, `chi-square ${chi2.toFixed(1)} below the 0.1% critical value for 9 dof`);
  const a = new ZipfSampler(m, 1.2, new Prng(7));
  const b = new ZipfSampler(m, 1.2, new Prng(7));
  assert.deepEqual(
    Array.from({ length: 50 }, () => a.next()),
    Array.from({ length: 50 }, () => b.next()),
  );
});

test('Zipf rejects bad parameters', () => {
  assert.throws(() => new ZipfSampler(0, 1, new Prng(1)), /positive integer/);
  assert.throws(() => new ZipfSampler(3, -1, new Prng(1)), /alpha/);
});
