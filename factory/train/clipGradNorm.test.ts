import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../common/index.ts';
import { clipGradNorm } from './clipGradNorm.ts';

test('clips to the global L2 norm with coef max_norm / (norm + 1e-6), only when below 1', () => {
  // Norm of [3, 4] and [12] together: 13.
  const g = [Float32Array.of(3, 4), Float32Array.of(12)];
  assert.equal(clipGradNorm(g, 6.5), 13);
  const coef = 6.5 / (13 + 1e-6);
  assert.deepEqual(
    g.map((x) => [...x]),
    [[Math.fround(3 * coef), Math.fround(4 * coef)], [Math.fround(12 * coef)]],
  );
  const h = [Float32Array.of(3, 4), Float32Array.of(12)];
  assert.equal(clipGradNorm(h, 13), 13, 'coef 13 / (13 + 1e-6) < 1 still clips, as in torch');
  assert.ok(h[1]![0]! < 12);
  for (const maxNorm of [20, 0]) {
    const k = [Float32Array.of(3, 4), Float32Array.of(12)];
    assert.equal(clipGradNorm(k, maxNorm), 13);
    assert.deepEqual([...k[0]!, ...k[1]!], [3, 4, 12], `max_norm ${maxNorm} leaves them alone`);
  }
});

test('a non-finite norm leaves the gradients untouched and is returned; a negative max_norm is refused', () => {
  const g = [Float32Array.of(1, Infinity)];
  assert.equal(clipGradNorm(g, 1), Infinity);
  assert.deepEqual([...g[0]!], [1, Infinity]);
  assert.ok(Number.isNaN(clipGradNorm([Float32Array.of(NaN)], 1)));
  assert.throws(() => clipGradNorm([], -1), RequestError);
});
