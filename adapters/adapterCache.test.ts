// Unit tests of the caching policy. `load` is a fake returning small AdapterWeights on demand: the
// subject here is which adapter sits where and when, not reading files (loadAdapter.test.ts does that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdapterNotice } from './types.ts';
import { AdapterCache, type AdapterRef, type SlotSink } from './adapterCache.ts';
import type { AdapterWeights } from '../kernels/model/index.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));

function weights(id: string, bytes = 100): AdapterWeights {
  return {
    id,
    rank: 1,
    scale: 1,
    targets: ['q_proj'],
    layers: [new Map([['q_proj', { a: new Float32Array([1]), b: new Float32Array([1]) }]])],
    bytes,
  };
}

/** A cache whose loads finish only when the test says so. */
/** Releases one pin of `id` in the first slot holding it (these tests keep one copy per adapter). */
function rel(h: { cache: AdapterCache }, id: string): void {
  h.cache.release(id, h.cache.slotTable().indexOf(id));
}

function harness(
  o: {
    maxCached?: number;
    maxCachedBytes?: number;
    maxActive?: number;
    sizes?: Record<string, number>;
    compactSlots?: boolean;
    rowsPerSlot?: number;
  } = {},
) {
  const pending = new Map<string, { resolve: (w: AdapterWeights) => void; reject: (e: unknown) => void }>();
  const loads: string[] = [];
  const sinkLog: string[] = [];
  const notices: AdapterNotice[] = [];
  const sink: SlotSink = {
    write: (slot, w) => void sinkLog.push(`write ${slot} ${w.id}`),
    clear: (slot) => void sinkLog.push(`clear ${slot}`),
  };
  const cache = new AdapterCache({
    maxCached: o.maxCached ?? 8,
    maxCachedBytes: o.maxCachedBytes ?? 1e6,
    maxActive: o.maxActive ?? 3,
    compactSlots: o.compactSlots,
    rowsPerSlot: o.rowsPerSlot,
    sink,
    notify: (n) => notices.push(n),
    load: (reg: AdapterRef) => {
      loads.push(reg.id);
      return new Promise((resolve, reject) => pending.set(reg.id, { resolve, reject }));
    },
  });
  const finish = async (id: string) => {
    pending.get(id)!.resolve(weights(id, o.sizes?.[id] ?? 100));
    pending.delete(id);
    await flush();
  };
  const failLoad = async (id: string, err: unknown) => {
    pending.get(id)!.reject(err);
    pending.delete(id);
    await flush();
  };
  /** Registers, loads and acquires `id`; returns its slot. */
  const ready = async (id: string) => {
    cache.register({ id, path: `/adapters/${id}` });
    assert.deepEqual(cache.tryAcquire(id), { pending: true });
    await finish(id);
    const r = cache.tryAcquire(id);
    assert.ok('slot' in r, `expected a slot for ${id}, got ${JSON.stringify(r)}`);
    return r.slot;
  };
  return { cache, loads, sinkLog, notices, finish, failLoad, ready };
}

test('first acquire loads off the hot path, then pins into slot 1; a second acquire shares the slot', async () => {
  const h = harness();
  h.cache.register({ id: 'a', path: '/adapters/a' });
  assert.deepEqual(h.cache.tryAcquire('a'), { pending: true });
  assert.deepEqual(h.cache.tryAcquire('a'), { pending: true });
  assert.deepEqual(h.loads, ['a'], 'concurrent needs share one load');
  await h.finish('a');
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 });
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 });
  assert.deepEqual(h.sinkLog, ['write 1 a']);
  assert.deepEqual(h.cache.stats, {
    cached: 1,
    cachedBytes: 100,
    active: 1,
    pinned: 1,
    loading: 0,
    failed: 0,
    registered: 1,
  });
  const kinds = h.notices.map((n) =>
    n.type === 'adapter_cache' ? `${n.tier} ${n.outcome}` : n.type === 'adapter_loaded' ? `loaded ${n.tier}` : n.type,
  );
  assert.deepEqual(kinds, ['host miss', 'loaded host', 'host hit', 'slot miss', 'loaded slot', 'slot hit']);
  const loaded = h.notices.find((n) => n.type === 'adapter_loaded' && n.tier === 'host');
  assert.ok(loaded && loaded.type === 'adapter_loaded' && loaded.bytes === 100 && loaded.seconds >= 0);
});

test('slot choice: the lowest unpinned slot; an unpinned adapter acquired again moves down to it', async () => {
  const h = harness({ maxActive: 3 });
  assert.equal(await h.ready('a'), 1);
  assert.equal(await h.ready('b'), 2);
  assert.equal(await h.ready('c'), 3);
  rel(h, 'b');
  assert.equal(await h.ready('d'), 2, 'd takes the lowest unpinned slot, evicting b from it');
  assert.ok(h.notices.some((n) => n.type === 'adapter_evicted' && n.id === 'b' && n.tier === 'slot'));
  assert.deepEqual(h.cache.tryAcquire('d'), { slot: 2 }, 'a pinned adapter is shared in place');
  rel(h, 'c');
  rel(h, 'a');
  h.sinkLog.length = 0;
  assert.deepEqual(
    h.cache.tryAcquire('c'),
    { slot: 1 },
    'c (unpinned, slot 3) moves down to slot 1, the lowest unpinned',
  );
  assert.deepEqual(h.sinkLog, ['write 1 c']);
  assert.deepEqual(h.cache.slotTable(), [null, 'c', 'd', null]);
  assert.deepEqual(
    h.cache.tryAcquire('b'),
    { slot: 3 },
    'b is still in the host tier: straight into the lowest unpinned slot',
  );
  assert.deepEqual(h.cache.stats.pinned, 3);
});

test('slot compaction: not for an adapter the host tier dropped, nor with compactSlots false', async () => {
  for (const compactSlots of [true, false]) {
    const h = harness({ maxActive: 3, maxCached: 2, compactSlots });
    await h.ready('a');
    await h.ready('b');
    rel(h, 'a');
    rel(h, 'b');
    assert.deepEqual(h.cache.tryAcquire('b'), { slot: compactSlots ? 1 : 2 }, `compactSlots ${compactSlots}`);
    rel(h, 'b');
  }
  const h = harness({ maxActive: 3, maxCached: 1 });
  await h.ready('x');
  await h.ready('a');
  await h.ready('b'); // the host tier holds only b now; x and a stay in slots 1 and 2
  rel(h, 'x');
  rel(h, 'a');
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 2 }, 'a is no longer in the host tier: it stays where it is');
  assert.deepEqual(h.cache.slotTable(), [null, 'x', 'a', 'b']);
});

test('an adapter pinned by a running request is never evicted from its slot', async () => {
  const h = harness({ maxActive: 2 });
  await h.ready('a');
  await h.ready('b');
  h.cache.register({ id: 'c', path: '/adapters/c' });
  h.cache.prefetch('c');
  await h.finish('c');
  for (let i = 0; i < 3; i++)
    assert.deepEqual(h.cache.tryAcquire('c'), { pending: true }, 'every slot is pinned: wait');
  assert.deepEqual(h.sinkLog, ['write 1 a', 'write 2 b']);
  h.cache.tryAcquire('b'); // b now pinned twice
  rel(h, 'b');
  assert.deepEqual(h.cache.tryAcquire('c'), { pending: true }, 'b is still pinned once');
  rel(h, 'a');
  assert.deepEqual(h.cache.tryAcquire('c'), { slot: 1 });
  assert.deepEqual(h.cache.slotTable(), [null, 'c', 'b']);
});

test('host tier is bounded by count and by bytes; host eviction leaves slots alone', async () => {
  const byCount = harness({ maxCached: 2, maxActive: 4 });
  await byCount.ready('a');
  await byCount.ready('b');
  await byCount.ready('c');
  assert.equal(byCount.cache.stats.cached, 2);
  assert.ok(byCount.notices.some((n) => n.type === 'adapter_evicted' && n.id === 'a' && n.tier === 'host'));
  assert.deepEqual(byCount.cache.tryAcquire('a'), { slot: 1 }, 'a left the host tier but its slot still holds it');

  const byBytes = harness({ maxCachedBytes: 250, maxActive: 4, sizes: { a: 100, b: 100, c: 100 } });
  await byBytes.ready('a');
  await byBytes.ready('b');
  await byBytes.ready('c');
  assert.equal(byBytes.cache.stats.cached, 2);
  assert.equal(byBytes.cache.stats.cachedBytes, 200);
});

test('an adapter larger than the whole host tier fails clearly instead of thrashing', async () => {
  const h = harness({ maxCachedBytes: 250, sizes: { big: 1000 } });
  h.cache.register({ id: 'big', path: '/adapters/big' });
  h.cache.tryAcquire('big');
  await h.finish('big');
  const r = h.cache.tryAcquire('big');
  assert.ok('error' in r);
  assert.equal(r.error.code, 'adapter_load_failed');
  assert.match(r.error.message, /needs 1000 bytes, more than the host cache's maxCachedAdapterBytes 250/);
});

test('a failed load errors only requests needing that adapter; prefetch retries', async () => {
  const h = harness();
  await h.ready('ok');
  h.cache.register({ id: 'bad', path: '/adapters/bad' });
  assert.deepEqual(h.cache.tryAcquire('bad'), { pending: true });
  await h.failLoad('bad', new Error('disk on fire'));
  for (let i = 0; i < 2; i++) {
    const r = h.cache.tryAcquire('bad');
    assert.ok('error' in r);
    assert.equal(r.error.code, 'adapter_load_failed');
    assert.match(r.error.message, /adapter bad could not be loaded: disk on fire/);
  }
  assert.equal(h.loads.filter((x) => x === 'bad').length, 1, 'no reload without a prefetch');
  assert.deepEqual(h.cache.tryAcquire('ok'), { slot: 1 }, 'other adapters are unaffected');
  assert.ok(h.notices.some((n) => n.type === 'adapter_errored' && n.id === 'bad'));
  assert.equal(h.cache.stats.failed, 1);
  h.cache.prefetch('bad');
  assert.equal(h.cache.stats.failed, 0);
  await h.finish('bad');
  assert.deepEqual(h.cache.tryAcquire('bad'), { slot: 2 });
});

test('a load function that throws synchronously is a recorded failure, not a crash', async () => {
  const cache = new AdapterCache({
    maxCached: 2,
    maxCachedBytes: 1000,
    maxActive: 1,
    sink: { write() {}, clear() {} },
    load: () => {
      throw new Error('sync boom');
    },
  });
  cache.register({ id: 'x', path: '/x' });
  assert.deepEqual(cache.tryAcquire('x'), { pending: true });
  await flush();
  const r = cache.tryAcquire('x');
  assert.ok('error' in r && /sync boom/.test(r.error.message));
});

test('a sink that cannot take the adapter errors that request and frees the slot', async () => {
  let throwOnWrite = true;
  const cache = new AdapterCache({
    maxCached: 2,
    maxCachedBytes: 1000,
    maxActive: 1,
    sink: {
      write() {
        if (throwOnWrite) throw new Error('rank 64 exceeds the slot stacks');
      },
      clear() {},
    },
    load: async (reg) => weights(reg.id),
  });
  cache.register({ id: 'x', path: '/x' });
  cache.tryAcquire('x');
  await flush();
  const r = cache.tryAcquire('x');
  assert.ok('error' in r && /rank 64 exceeds/.test(r.error.message));
  assert.deepEqual(cache.slotTable(), [null, null]);
  throwOnWrite = false;
  cache.prefetch('x');
  await flush();
  assert.deepEqual(cache.tryAcquire('x'), { slot: 1 });
});

test('unregister takes effect once unpinned; a load finishing after unregister is dropped', async () => {
  const h = harness();
  await h.ready('a');
  h.cache.unregister('a');
  const refused = h.cache.tryAcquire('a');
  assert.ok('error' in refused && refused.error.code === 'adapter_not_found');
  assert.deepEqual(h.cache.slotTable(), [null, 'a', null, null], 'still pinned: stays until released');
  assert.throws(() => h.cache.register({ id: 'a', path: '/adapters/a' }), /still being unregistered/);
  rel(h, 'a');
  assert.deepEqual(h.cache.slotTable(), [null, null, null, null]);
  assert.ok(h.sinkLog.includes('clear 1'));
  assert.equal(h.cache.stats.cached, 0);
  assert.equal(h.cache.stats.registered, 0);

  h.cache.register({ id: 'b', path: '/adapters/b' });
  h.cache.prefetch('b');
  h.cache.unregister('b');
  await h.finish('b');
  assert.equal(h.cache.stats.cached, 0, 'late load result is not cached');
});

test('bad calls: unknown ids, conflicting paths, release without acquire, bad sizes', () => {
  const h = harness();
  const r = h.cache.tryAcquire('ghost');
  assert.ok('error' in r && r.error.code === 'adapter_not_found' && /ghost/.test(r.error.message));
  assert.throws(() => h.cache.unregister('ghost'), /adapter ghost is not registered/);
  h.cache.register({ id: 'a', path: '/p1' });
  h.cache.register({ id: 'a', path: '/p1' }); // idempotent
  assert.throws(() => h.cache.register({ id: 'a', path: '/p2' }), /already registered with another path/);
  assert.throws(() => h.cache.release('a', 1), /not pinned/);
  assert.throws(
    () =>
      new AdapterCache({
        maxCached: 0,
        maxCachedBytes: 1,
        maxActive: 1,
        load: async () => weights('x'),
        sink: { write() {}, clear() {} },
      }),
    /maxCached must be a positive integer/,
  );
});

test('rows of one adapter share a slot up to rowsPerSlot, then get another copy in a free slot', async () => {
  const h = harness({ maxActive: 4, rowsPerSlot: 2 });
  assert.equal(await h.ready('a'), 1);
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 }, 'second row shares slot 1');
  h.sinkLog.length = 0;
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 2 }, 'third row: slot 1 is full (2 rows), a copy goes to slot 2');
  assert.deepEqual(h.sinkLog, ['write 2 a']);
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 2 });
  h.cache.release('a', 1);
  h.cache.release('a', 1);
  h.sinkLog.length = 0;
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 }, 'slot 1 is unpinned and still holds a: reused without a copy');
  assert.deepEqual(h.sinkLog, []);
  assert.throws(() => h.cache.release('a', 3), /not pinned there/);
  // No free slot left: share a copy beyond rowsPerSlot instead of waiting.
  await h.ready('b');
  await h.ready('c');
  assert.deepEqual(h.cache.slotTable(), [null, 'a', 'a', 'b', 'c']);
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 });
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 }, 'least pinned copy, 3 rows now');
  // Unregistering waits for every copy's rows, then clears every copy.
  h.cache.unregister('a');
  for (const slot of [1, 1, 1, 2]) h.cache.release('a', slot);
  assert.deepEqual(h.cache.slotTable(), [null, 'a', 'a', 'b', 'c'], 'one row still on slot 2: both copies stay');
  assert.equal('error' in h.cache.tryAcquire('a'), true, 'being unregistered: new rows are refused');
  h.cache.release('a', 2);
  assert.deepEqual(h.cache.slotTable(), [null, null, null, 'b', 'c']);
  assert.ok(['clear 1', 'clear 2'].every((c) => (h.sinkLog as string[]).includes(c)));
});

test('rowsPerSlot 1 gives every row its own copy; bad values are refused', async () => {
  const h = harness({ maxActive: 3, rowsPerSlot: 1 });
  await h.ready('a');
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 2 });
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 3 });
  assert.deepEqual(h.cache.tryAcquire('a'), { slot: 1 }, 'all slots used: shared');
  assert.throws(() => harness({ rowsPerSlot: 0 }), /rowsPerSlot must be a positive integer/);
});
