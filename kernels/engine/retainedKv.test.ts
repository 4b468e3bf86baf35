// The bounded store of finished generations' keys/values (pure: no engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetainedKv, type RetainedEntry } from './retainedKv.ts';

/** An entry of n positions, 1 layer, 1 head, head size 2: 2 * n * 2 floats = 16n bytes. */
const entry = (n: number, tag = 0): RetainedEntry => ({
  adapterId: null,
  tokens: Array.from({ length: n }, (_, i) => i),
  key: [new Float32Array(2 * n).fill(tag)],
  value: [new Float32Array(2 * n).fill(tag)],
});

test('an entry is taken once; unknown ids miss', () => {
  const kv = new RetainedKv(1000);
  kv.put('a', entry(4, 7));
  assert.deepEqual(kv.stats(), { entries: 1, bytes: 64, dropped: 0 });
  assert.equal(kv.take('a')!.key[0]![0], 7);
  assert.equal(kv.take('a'), undefined);
  assert.equal(kv.take('never'), undefined);
  assert.deepEqual(kv.stats(), { entries: 0, bytes: 0, dropped: 0 });
});

test('the byte bound drops the oldest entries first; an entry over the bound is not kept', () => {
  const kv = new RetainedKv(160); // ten positions
  kv.put('a', entry(4));
  kv.put('b', entry(4));
  kv.put('c', entry(4)); // 192 bytes would be over: a goes
  assert.equal(kv.take('a'), undefined);
  assert.ok(kv.take('b'));
  assert.ok(kv.take('c'));
  kv.put('huge', entry(11));
  assert.equal(kv.take('huge'), undefined);
  assert.equal(kv.stats().dropped, 2);
  // putting an id again replaces its entry (and its bytes)
  kv.put('d', entry(4, 1));
  kv.put('d', entry(4, 2));
  assert.deepEqual(kv.stats(), { entries: 1, bytes: 64, dropped: 2 });
  assert.equal(kv.take('d')!.value[0]![0], 2);
});

test('entries older than the time to live are dropped', () => {
  let now = 0;
  const kv = new RetainedKv(1000, 100, () => now);
  kv.put('old', entry(2));
  now = 60;
  kv.put('young', entry(2));
  now = 120;
  assert.equal(kv.take('old'), undefined);
  assert.ok(kv.take('young'));
  assert.equal(kv.stats().dropped, 1);
});
