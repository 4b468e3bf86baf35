import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256 as viemKeccak, toBytes } from 'viem';
import { keccak256 } from './keccak256.ts';

test('keccak256 matches the known empty-string hash', () => {
  assert.equal(keccak256(''), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
});

test('keccak256 matches viem on strings and byte arrays of every length around the 136-byte rate', () => {
  for (const n of [1, 3, 31, 32, 33, 134, 135, 136, 137, 271, 272, 273, 1000]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 255);
    assert.equal(keccak256(bytes), viemKeccak(bytes), `length ${n}`);
  }
  const s = 'héllo, DataNet ✓ '.repeat(20);
  assert.equal(keccak256(s), viemKeccak(toBytes(s)));
});
