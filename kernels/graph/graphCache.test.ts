import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession } from './createSession.ts';
import { generateModel } from '../../factory/index.ts';
import { builderSources, ensureDecoderGraph, ensureTrainingGraph } from './graphCache.ts';
import { hostInt8Range } from './int8Range.ts';
import { EngineError } from '../../common/index.ts';

test('a built graph is reused on the second start and rebuilt when options or weights change', async () => {
  const modelDir = mkdtempSync(join(tmpdir(), 'h1-cache-m-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'h1-cache-c-'));
  await generateModel({ dir: modelDir, seed: 1 });
  const graph = { precision: 'fp32' as const, loraKernel: 'grouped' as const };
  const first = await ensureDecoderGraph({ modelDir, cacheDir, graph });
  assert.equal(first.reused, false);
  const mtime = statSync(first.onnxPath).mtimeMs;
  const second = await ensureDecoderGraph({ modelDir, cacheDir, graph });
  assert.equal(second.reused, true);
  assert.equal(second.onnxPath, first.onnxPath);
  assert.equal(statSync(second.onnxPath).mtimeMs, mtime);
  const int8 = await ensureDecoderGraph({ modelDir, cacheDir, graph: { ...graph, precision: 'int8' } });
  assert.equal(int8.reused, false);
  assert.notEqual(int8.key, first.key);
  utimesSync(join(modelDir, 'model.safetensors'), new Date(), new Date(Date.now() + 5000));
  assert.equal((await ensureDecoderGraph({ modelDir, cacheDir, graph })).reused, false);
  assert.ok(
    readdirSync(cacheDir).every((n) => !n.includes('.tmp')),
    'no temporary build folders left',
  );
  const session = await createSession(first.onnxPath, { provider: 'cpu', threads: 1, allowSpinning: false });
  assert.ok(session.inputNames.includes('lora_idx_in'));
  await session.release();
});

test('createSession: a broken graph file is an EngineError naming the file', async () => {
  await assert.rejects(
    createSession(join(tmpdir(), 'h1-nothing-here.onnx'), { provider: 'cpu', threads: 1 }),
    (e: unknown) => e instanceof EngineError && /h1-nothing-here\.onnx/.test(e.message),
  );
});

test('the cache key hashes the builder and checkpoint reader, not the engine', async () => {
  const names = (await builderSources()).map((f) => f.slice(f.lastIndexOf('/kernels/') + 1));
  for (const f of [
    'kernels/graph/buildDecoderGraph.ts',
    'kernels/graph/graphLinear.ts',
    'kernels/graph/graphContract.ts',
    'kernels/model/modelSpec.ts',
    'kernels/model/loadCheckpoint.ts',
    'kernels/model/safetensors.ts',
  ]) {
    assert.ok(names.includes(f), `${f} is hashed`);
  }
  assert.ok(
    names.every((f) => !f.startsWith('kernels/engine/')),
    `no engine file is hashed: ${names.join(', ')}`,
  );
});

test('the training graph key names the precision and the int8 range', async () => {
  const modelDir = mkdtempSync(join(tmpdir(), 'h1-cache-tm-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'h1-cache-tc-'));
  await generateModel({ dir: modelDir, seed: 2 });
  const lora = { rank: 2, targets: ['q_proj'] as const };
  const key = async (graph: Parameters<typeof ensureTrainingGraph>[0]['graph']) =>
    (await ensureTrainingGraph({ modelDir, cacheDir, graph })).key;
  const fp32 = await key({ lora });
  assert.equal(await key({ lora, precision: 'fp32' }), fp32, 'fp32 is the default');
  const full = await key({ lora, precision: 'int8', int8Range: 'full' });
  const reduced = await key({ lora, precision: 'int8', int8Range: 'reduced' });
  const int4 = await key({ lora, precision: 'int4' });
  assert.equal(new Set([fp32, full, reduced, int4]).size, 4);
  assert.equal(await key({ lora, precision: 'int8' }), hostInt8Range() === 'full' ? full : reduced, "this CPU's range");
});
