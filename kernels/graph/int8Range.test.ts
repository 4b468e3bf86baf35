import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int8Levels, int8RangeFor } from './int8Range.ts';
import { quantizeInt8 } from './quantizeWeights.ts';

test('int8 weight range: VNNI / AMX x86 and ARM keep 8 bits, other x86 gets 7', () => {
  const flags = (s: string): Set<string> => new Set(s.split(' '));
  assert.equal(int8RangeFor('x64', flags('sse4_2 avx2 fma')), 'reduced'); // AVX2 only: vpmaddubsw saturates
  assert.equal(int8RangeFor('x64', flags('avx2 avx512f avx512bw')), 'reduced'); // AVX-512 without VNNI saturates too
  assert.equal(int8RangeFor('x64', flags('avx2 avx512f avx512_vnni')), 'full');
  assert.equal(int8RangeFor('x64', flags('avx2 avx_vnni')), 'full');
  assert.equal(int8RangeFor('x64', flags('avx2 amx_int8 amx_tile')), 'full');
  assert.equal(int8RangeFor('x64', null), 'reduced'); // flags unknown: the safe choice
  assert.equal(int8RangeFor('arm64', null), 'full');
});

test('quantizeInt8 keeps |q| within the range and the per-channel max on the top level', () => {
  const w = Float32Array.from([0.5, -1, 0.25, 2, -4, 1]); // [Dout 2, Din 3]
  for (const range of ['full', 'reduced'] as const) {
    const Q = int8Levels(range);
    const { q, scale } = quantizeInt8(w, 2, 3, Q); // q [Din 3, Dout 2]
    assert.deepEqual(Array.from(scale), [1 / Q, 4 / Q].map(Math.fround));
    assert.equal(Math.max(...Array.from(q, Math.abs)), Q);
    assert.equal(q[1 * 2 + 0], -Q); // W[0,1] = -1 is row 0's max
    assert.equal(q[1 * 2 + 1], -Q); // W[1,1] = -4 is row 1's max
  }
});
