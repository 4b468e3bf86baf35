import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MaskTimes } from './maskTimes.ts';

test('MaskTimes: p50 / p99 over the window, refreshed every 512 masks (the count is always current)', () => {
  const m = new MaskTimes();
  assert.deepEqual(m.stats(), { tokens: 0, p50Ms: 0, p99Ms: 0 });
  for (let i = 1; i <= 1000; i++) m.add(i / 1000); // 0.001 .. 1 ms
  const s = m.stats();
  assert.deepEqual([s.tokens, s.p50Ms, s.p99Ms], [1000, 0.501, 0.991]); // nearest rank, by hand
  m.add(50);
  assert.deepEqual(m.stats(), { tokens: 1001, p50Ms: 0.501, p99Ms: 0.991 }, 'not refreshed yet');
  for (let i = 0; i < 600; i++) m.add(50);
  assert.ok(m.stats().p99Ms === 50 && m.stats().tokens === 1601);
});
