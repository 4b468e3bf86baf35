import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvCache } from './kvCache.ts';

const H = 2;
const Dh = 3;
/** A recognisable value for (row tag, head, position, d). */
const val = (tag: number, h: number, p: number, d: number): number => tag * 1000 + h * 100 + p * 10 + d;

/** new_key-shaped [B, Hkv, T, Dh] block holding `count` positions starting at pos for each src row. */
function block(tags: number[], T: number, pos: number): Float32Array {
  const out = new Float32Array(tags.length * H * T * Dh);
  tags.forEach((tag, b) => {
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < Dh; d++) out[((b * H + h) * T + t) * Dh + d] = val(tag, h, pos + t, d);
  });
  return out;
}

function read(kv: KvCache, row: number, pos: number, h: number, d: number): number {
  const { key } = kv.view(0, row, 1);
  return key[(h * kv.capacity + pos) * Dh + d];
}

test('write lands each head at its positions; views are zero-copy row ranges', () => {
  const kv = new KvCache({ numLayers: 1, rows: 3, kvHeads: H, headDim: Dh, initialCapacity: 4, maxCapacity: 32 });
  kv.write(0, 1, 0, 2, block([7, 8], 3, 0), block([7, 8], 3, 0), 1, 3); // src row 1 (tag 8), 2 of 3 positions
  assert.equal(read(kv, 1, 0, 1, 2), val(8, 1, 0, 2));
  assert.equal(read(kv, 1, 1, 0, 0), val(8, 0, 1, 0));
  assert.equal(read(kv, 1, 2, 0, 0), 0, 'the padding position was not written');
  const v = kv.view(0, 1, 2);
  assert.equal(v.key.buffer, kv.keys[0].buffer);
  assert.equal(v.key.length, 2 * H * kv.capacity * Dh);
});

// Reserves: everything (every resize in place), nothing (every grow reallocates), 16 positions (both).
const RESERVES = [undefined, 0, 16 * 2 * 2 * H * Dh * 4];

for (const reserveBytes of RESERVES)
  test(`capacity grows by doubling and shrinks when short, keeping the valid prefix; copyRow moves a row (reserve ${reserveBytes ?? 'default'})`, () => {
    const kv = new KvCache({
      numLayers: 1,
      rows: 2,
      kvHeads: H,
      headDim: Dh,
      initialCapacity: 4,
      maxCapacity: 64,
      reserveBytes,
    });
    kv.write(0, 0, 0, 3, block([5], 3, 0), block([5], 3, 0), 0, 3);
    kv.fit(9, 3);
    assert.equal(kv.capacity, 16);
    assert.equal(read(kv, 0, 2, 1, 1), val(5, 1, 2, 1));
    kv.write(0, 0, 3, 6, block([5], 6, 3), block([5], 6, 3), 0, 6);
    kv.fit(40, 9);
    assert.equal(kv.capacity, 64);
    assert.equal(read(kv, 0, 8, 1, 2), val(5, 1, 8, 2));
    kv.fit(10, 9);
    assert.equal(kv.capacity, 32, 'halves while need <= C/4');
    kv.copyRow(0, 1, 9);
    for (let p = 0; p < 9; p++) assert.equal(read(kv, 1, p, 1, 0), val(5, 1, p, 0));
    assert.throws(() => kv.fit(65, 9), RangeError);
  });

for (const reserveBytes of RESERVES)
  test(`a resize moves only the live rows: rows below liveRows keep their data (reserve ${reserveBytes ?? 'default'})`, () => {
    const kv = new KvCache({
      numLayers: 1,
      rows: 4,
      kvHeads: H,
      headDim: Dh,
      initialCapacity: 4,
      maxCapacity: 64,
      reserveBytes,
    });
    for (const [row, tag] of [
      [0, 1],
      [2, 3],
      [3, 4],
    ])
      kv.write(0, row, 0, 3, block([tag], 3, 0), block([tag], 3, 0), 0, 3);
    kv.fit(9, 3, 3); // row 3 holds stale data of a finished request: not moved
    assert.equal(kv.capacity, 16);
    const check = (): void => {
      for (let p = 0; p < 3; p++)
        for (let h = 0; h < H; h++) {
          assert.equal(read(kv, 0, p, h, 1), val(1, h, p, 1));
          assert.equal(read(kv, 2, p, h, 2), val(3, h, p, 2));
        }
    };
    check();
    kv.fit(40, 3, 3); // 64: past a 16-position reserve
    assert.equal(kv.capacity, 64);
    check();
    kv.fit(4, 3, 3); // back down (halving while need <= C/4) to 8, in place
    assert.equal(kv.capacity, 8);
    check();
  });
