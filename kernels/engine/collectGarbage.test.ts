import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage } from './collectGarbage.ts';

test('collectGarbage frees dropped ArrayBuffers now (without --expose-gc)', async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test runs without --expose-gc');
  let big: Float32Array | null = new Float32Array(16 * 2 ** 20).fill(1); // [16 Mi] floats = 64 MiB, touched
  const held = process.memoryUsage().arrayBuffers;
  assert.ok(held >= big.byteLength);
  big = null;
  await collectGarbage();
  const after = process.memoryUsage().arrayBuffers;
  assert.ok(held - after >= 63 * 2 ** 20, `arrayBuffers ${held} -> ${after}`);
});
