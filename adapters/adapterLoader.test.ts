import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError } from '../common/index.ts';
import { AdapterLoaderThread } from './adapterLoader.ts';
import { generateAdapter } from '../factory/index.ts';
import { loadAdapterWeights } from './loadAdapter.ts';
import { ADAPTER_WEIGHTS_FILE, readAdapterMeta } from './peftFormat.ts';
import { ADAPTER_TEST_SPEC } from '../test/support/tinySpec.ts';

const root = mkdtempSync(join(tmpdir(), 'adapter-loader-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const spec = ADAPTER_TEST_SPEC;

function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AdapterError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

test('the loader thread returns the same delta as an in-thread load, scale folded into b', async () => {
  const dir = join(root, 'good');
  await generateAdapter({ dir, spec, seed: 3, rank: 4, alpha: 12, targets: ['q_proj', 'down_proj'] });
  const loader = new AdapterLoaderThread(spec, 8);
  try {
    const [w, ref] = await Promise.all([
      loader.load({ id: 'good', path: dir }),
      loadAdapterWeights(readAdapterMeta(dir, 'good'), spec, { maxRank: 8 }),
    ]);
    assert.equal(ref.scale, 3, 'alpha 12 / r 4');
    assert.equal(w.scale, 1);
    assert.equal(w.bytes, ref.bytes);
    for (let l = 0; l < spec.numLayers; l++) {
      for (const [t, p] of ref.layers[l]!) {
        const q = w.layers[l]!.get(t)!;
        assert.deepEqual(q.a, p.a, `layer ${l} ${t} a`);
        assert.deepEqual(
          q.b,
          p.b.map((v) => ref.scale * v),
          `layer ${l} ${t} b = scale * B^T`,
        );
      }
    }
    assert.equal(loader.inFlight, 0);
  } finally {
    await loader.close();
  }
});

test('loader errors keep their code; the thread keeps serving; a closed loader refuses', async () => {
  const good = join(root, 'ok');
  await generateAdapter({ dir: good, spec, seed: 4, rank: 2, targets: ['q_proj'] });
  const bad = join(root, 'truncated');
  await generateAdapter({ dir: bad, spec, seed: 5, rank: 2, targets: ['q_proj'] });
  truncateSync(join(bad, ADAPTER_WEIGHTS_FILE), 40);
  const loader = new AdapterLoaderThread(spec, 8);
  await rejectsWith(loader.load({ id: 'missing', path: join(root, 'nope') }), 'adapter_not_found', /does not exist/);
  await rejectsWith(loader.load({ id: 'truncated', path: bad }), 'adapter_invalid', /adapter truncated/);
  const small = new AdapterLoaderThread(spec, 1);
  await rejectsWith(
    small.load({ id: 'ok', path: good }),
    'adapter_invalid',
    /rank r=2 is larger than the server's maxLoraRank 1/,
  );
  await small.close();
  assert.equal((await loader.load({ id: 'ok', path: good })).rank, 2, 'still serving after failures');
  await loader.close();
  await rejectsWith(loader.load({ id: 'ok', path: good }), 'adapter_load_failed', /loader is closed/);
});

test('a loader thread that exits or throws mid-load is replaced and the load is retried on the fresh thread', async () => {
  const dir = join(root, 'retried');
  await generateAdapter({ dir, spec, seed: 9, rank: 4, targets: ['q_proj'] });
  const ref = await loadAdapterWeights(readAdapterMeta(dir, 'retried'), spec, { maxRank: 8, foldScale: true });
  const loader = new AdapterLoaderThread(spec, 8);
  try {
    for (const [i, kind] of (['exit', 'throw'] as const).entries()) {
      loader.injectFault(kind);
      const w = await loader.load({ id: 'retried', path: dir });
      assert.equal(loader.restarts, i + 1, `the ${kind} killed the thread`);
      assert.equal(w.bytes, ref.bytes);
      assert.deepEqual(w.layers[0]!.get('q_proj')!.b, ref.layers[0]!.get('q_proj')!.b);
    }
  } finally {
    await loader.close();
  }
});
