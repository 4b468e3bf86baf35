// engineSizing: the "sized at start" defaults from the model and the machine, against sizes worked
// out by hand for the SmolLM-135M shape (hidden 576, 9/3 heads of 64, intermediate 1536, 30 layers):
// per layer, (Din + Dout) summed over q, k, v, o, gate, up, down = 1152 + 768 + 768 + 1152 + 2112 +
// 2112 + 2112 = 10176; at rank 16 in fp32: 10176 * 16 * 4 * 30 = 19,537,920 bytes per adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';
import { adapterBytes, engineSizes, sizeEngine } from './engineSizing.ts';
import type { ModelSpec } from '../kernels/model/index.ts';

const SMOLLM = {
  hiddenSize: 576,
  numHeads: 9,
  numKvHeads: 3,
  headDim: 64,
  intermediateSize: 1536,
  numLayers: 30,
  vocabSize: 49152,
} as ModelSpec;
const GiB = 2 ** 30;
const load = (argv: string[]) => loadConfig({ argv, env: {} });

test('adapter bytes of the SmolLM-135M shape at rank 16', () => {
  assert.equal(adapterBytes(SMOLLM, 16), 19_537_920);
  assert.equal(adapterBytes(SMOLLM, 8), 19_537_920 / 2);
});

test('default flags: a slot per batch row, 64 cached, bytes for all of them', () => {
  // 24 GiB: 1/8 holds 164 adapters, 1/4 holds 329.
  assert.deepEqual(engineSizes(load([]), SMOLLM, 24 * GiB), {
    maxActiveAdapters: 32,
    maxCachedAdapters: 64,
    maxCachedAdapterBytes: 1_375_469_568, // 1.1 * 64 * 19,537,920
  });
  assert.equal(engineSizes(load(['--max-batch-size', '8']), SMOLLM, 24 * GiB).maxActiveAdapters, 8);
});

test('a small machine caps the slots and the cache by memory', () => {
  // 1 GiB: 1/8 holds 6 adapters, 1/4 holds 13.
  const s = engineSizes(load([]), SMOLLM, GiB);
  assert.equal(s.maxActiveAdapters, 6);
  assert.equal(s.maxCachedAdapters, 13);
  // 64 MiB: fewer than one adapter fits; still one slot and one cached.
  const tiny = engineSizes(load([]), SMOLLM, 64 * 2 ** 20);
  assert.equal(tiny.maxActiveAdapters, 1);
  assert.equal(tiny.maxCachedAdapters, 1);
});

test('values the operator set are kept, and bound the sized ones', () => {
  const c = load(['--max-cached-adapters', '4']);
  const s = engineSizes(c, SMOLLM, 24 * GiB);
  assert.equal(s.maxCachedAdapters, 4);
  assert.equal(s.maxActiveAdapters, 4); // never more slots than cached adapters
  const e = engineSizes(load(['--max-active-adapters', '10', '--max-cached-adapter-bytes', '12345']), SMOLLM, 24 * GiB);
  assert.deepEqual(e, { maxActiveAdapters: 10, maxCachedAdapters: 64, maxCachedAdapterBytes: 12345 });
  const sized = sizeEngine(c, SMOLLM, 24 * GiB);
  assert.ok(Object.isFrozen(sized));
  assert.equal(sized.maxActiveAdapters, 4);
  assert.equal(sized.port, c.port);
});
