import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pearson, ranks, rocAuc, spearman, topK, topKOverlap } from './rankStats.ts';

test('ranks average ties; Spearman and Pearson by hand', () => {
  assert.deepEqual(Array.from(ranks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 4, 9, 16]) - 1) < 1e-12);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
  // ranks (1,2,3) vs (1,3,2): d² = 0+1+1 = 2, ρ = 1 − 6·2/(3·8) = 0.5
  assert.ok(Math.abs(spearman([1, 2, 3], [10, 30, 20]) - 0.5) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
});

test('AUC counts positive-over-negative pairs (ties half); top-k overlap', () => {
  // positives 0.9, 0.4; negatives 0.5, 0.1: pairs won 0.9>0.5, 0.9>0.1, 0.4>0.1 = 3 of 4
  assert.equal(rocAuc([0.9, 0.4, 0.5, 0.1], [true, true, false, false]), 0.75);
  assert.equal(rocAuc([1, 1], [true, false]), 0.5);
  assert.throws(() => rocAuc([1, 2], [true, true]), /negative/);
  assert.deepEqual(topK([3, 9, 1, 9], 3), [1, 3, 0]);
  assert.equal(topKOverlap([3, 9, 1, 9], [9, 8, 7, 0], 2), 0.5);
});
