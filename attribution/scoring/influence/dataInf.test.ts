import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../common/prng.ts';
import { dampingOf, dataInfScores, gradientDotScores, type GradientBlocks } from './dataInf.ts';

/** Gauss–Jordan inverse of a d×d matrix (row-major), the independent reference. */
function inverse(m: number[][]): number[][] {
  const d = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const piv = a[c]![c]!;
    for (let j = 0; j < 2 * d; j++) a[c]![j]! /= piv;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let j = 0; j < 2 * d; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(d));
}

/** score_k = vᵀ [(1/n) Σ_i (g_i g_iᵀ + λI)⁻¹] g_k per block, summed: DataInf's definition, explicitly. */
function explicitScores(train: GradientBlocks, v: Float32Array[]): number[] {
  const out = Array.from({ length: train.n }, () => 0);
  train.blocks.forEach((g, l) => {
    const d = train.dims[l]!;
    const row = (i: number) => Array.from(g.subarray(i * d, (i + 1) * d));
    let mean2 = 0;
    for (let i = 0; i < train.n; i++) mean2 += row(i).reduce((s, x) => s + x * x, 0) / train.n;
    const lambda = (0.1 * mean2) / d;
    const m = Array.from({ length: d }, () => Array.from({ length: d }, () => 0));
    for (let i = 0; i < train.n; i++) {
      const gi = row(i);
      const inv = inverse(gi.map((x, r) => gi.map((y, c) => x * y + (r === c ? lambda : 0))));
      for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) m[r]![c]! += inv[r]![c]! / train.n;
    }
    const vl = Array.from(v[l]!);
    const vm = vl.map((_, c) => vl.reduce((s, x, r) => s + x * m[r]![c]!, 0));
    for (let k = 0; k < train.n; k++) out[k]! += row(k).reduce((s, x, c) => s + x * vm[c]!, 0);
  });
  return out;
}

function randomBlocks(rng: Prng, n: number, dims: number[]): GradientBlocks {
  return {
    n,
    dims,
    blocks: dims.map((d) => Float32Array.from({ length: n * d }, () => rng.normal() * (0.5 + rng.next()))),
  };
}

test('DataInf equals the explicit mean of per-example inverses it defines (tiny d, two blocks)', () => {
  const rng = new Prng(7);
  const train = randomBlocks(rng, 6, [3, 5]);
  const v = train.dims.map((d) => Float32Array.from({ length: d }, () => rng.normal()));
  const got = dataInfScores(train, v);
  const want = explicitScores(train, v);
  want.forEach((w, k) =>
    assert.ok(Math.abs(got[k]! - w) <= 1e-6 * (1 + Math.abs(w)), `example ${k}: ${got[k]} vs ${w}`),
  );
});

test('the sign: an answer whose gradient is a training example’s own comes out most helpful, and positive', () => {
  const rng = new Prng(11);
  const train = randomBlocks(rng, 20, [8, 12, 4]);
  for (const k of [0, 7, 19]) {
    const v = train.blocks.map((g, l) => g.slice(k * train.dims[l]!, (k + 1) * train.dims[l]!));
    const s = dataInfScores(train, v);
    const best = s.indexOf(Math.max(...s));
    assert.equal(best, k);
    assert.ok(s[k]! > 0);
  }
});

test('damping and the plain dot product by hand', () => {
  // two examples, one block of d = 2: g0 = (1, 2), g1 = (3, 0); mean ‖g‖² = (5 + 9)/2 = 7; λ = 0.1·7/2
  const train: GradientBlocks = { n: 2, dims: [2], blocks: [Float32Array.of(1, 2, 3, 0)] };
  assert.ok(Math.abs(dampingOf(train.blocks[0]!, 2, 2) - 0.35) < 1e-12);
  assert.deepEqual(Array.from(gradientDotScores(train, [Float32Array.of(1, -1)])), [-1, 3]);
  assert.throws(() => dataInfScores(train, [Float32Array.of(1)]), /block 0/);
});
