import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError } from '../common/index.ts';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../kernels/model/index.ts';
import type { ModelSpec } from '../kernels/model/index.ts';
import { generateAdapter, loraTensorName, peftConfigJson } from '../factory/index.ts';
import { loadAdapterWeights, validateAdapterAgainstModel } from './loadAdapter.ts';
import { readAdapterMeta } from './peftFormat.ts';
import { ADAPTER_TEST_SPEC } from '../test/support/tinySpec.ts';

const root = mkdtempSync(join(tmpdir(), 'load-adapter-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const spec = ADAPTER_TEST_SPEC;
const other: ModelSpec = { ...spec, hiddenSize: 32, headDim: 8 };

let n = 0;
const fresh = () => join(root, `a${n++}`);

function rejects(p: Promise<unknown>, pattern: RegExp, code = 'adapter_invalid'): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AdapterError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

/** Writes an adapter folder with hand-made tensors. */
async function handMade(tensors: TensorToWrite[], config: Record<string, unknown> = {}): Promise<string> {
  const dir = fresh();
  await generateAdapter({ dir, spec, seed: 1, rank: 2, targets: ['q_proj'] });
  writeFileSync(
    join(dir, 'adapter_config.json'),
    JSON.stringify({
      ...peftConfigJson({ rank: 2, alpha: 4, targets: ['q_proj'], useRslora: false, baseModel: null }),
      ...config,
    }),
  );
  await writeSafetensors(join(dir, 'adapter_model.safetensors'), tensors);
  return dir;
}
const mat = (rows: number, cols: number) => ({
  shape: [rows, cols],
  data: Float32Array.from({ length: rows * cols }, (_, i) => i + 1),
});

test('loads, transposes into a [Din, R] and b [R, Dout], computes scale and bytes', async () => {
  const dir = fresh();
  await generateAdapter({ dir, spec, seed: 7, rank: 4, alpha: 16, targets: ['q_proj', 'k_proj', 'down_proj'] });
  const meta = readAdapterMeta(dir, 'x');
  const w = await loadAdapterWeights(meta, spec);
  assert.equal(w.rank, 4);
  assert.equal(w.scale, 4);
  assert.deepEqual(w.targets, ['q_proj', 'k_proj', 'down_proj']);
  assert.equal(w.layers.length, 2);
  const raw = await readSafetensors(join(dir, 'adapter_model.safetensors'));
  // Independent check: a[i, r] == A[r, i] and b[r, o] == B[o, r].
  const A = raw.get(loraTensorName(1, 'k_proj', 'A'))!; // [R, Din] = [4, 16]
  const B = raw.get(loraTensorName(1, 'k_proj', 'B'))!; // [Dout, R] = [8, 4]
  const pair = w.layers[1]!.get('k_proj')!;
  for (let i = 0; i < 16; i++) for (let r = 0; r < 4; r++) assert.equal(pair.a[i * 4 + r], A.data[r * 16 + i]);
  for (let r = 0; r < 4; r++) for (let o = 0; o < 8; o++) assert.equal(pair.b[r * 8 + o], B.data[o * 4 + r]);
  assert.ok(
    pair.b.some((v) => v !== 0),
    'B must be non-zero',
  );
  assert.equal(w.layers[0]!.has('v_proj'), false);
  // bytes: per layer q (16+16)*4 + k (16+8)*4 + down (24+16)*4 floats, 2 layers, 4 bytes each
  assert.equal(w.bytes, 2 * 4 * 4 * (32 + 24 + 40));
  const rs = await loadAdapterWeights({ ...meta, useRslora: true }, spec);
  assert.equal(rs.scale, 8);
});

test('a tensor holding NaN or Inf is refused, naming it', async () => {
  for (const bad of [NaN, Infinity]) {
    const b = mat(16, 2);
    b.data[5] = bad;
    const dir = await handMade([
      { name: loraTensorName(0, 'q_proj', 'A'), dtype: 'F32', ...mat(2, 16) },
      { name: loraTensorName(0, 'q_proj', 'B'), dtype: 'F32', ...b },
      { name: loraTensorName(1, 'q_proj', 'A'), dtype: 'F32', ...mat(2, 16) },
      { name: loraTensorName(1, 'q_proj', 'B'), dtype: 'F32', ...mat(16, 2) },
    ]);
    await rejects(
      loadAdapterWeights(readAdapterMeta(dir, 'x'), spec),
      /tensor base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_B\.weight holds NaN or infinite values/,
    );
  }
});

test('BF16 adapters load within bf16 rounding', async () => {
  const dir = fresh();
  await generateAdapter({ dir, spec, seed: 7, rank: 4, targets: ['q_proj'] });
  const dirBf = fresh();
  await generateAdapter({ dir: dirBf, spec, seed: 7, rank: 4, targets: ['q_proj'], dtype: 'BF16' });
  const a = await loadAdapterWeights(readAdapterMeta(dir, 'f'), spec);
  const b = await loadAdapterWeights(readAdapterMeta(dirBf, 'b'), spec);
  const x = a.layers[0]!.get('q_proj')!.a;
  const y = b.layers[0]!.get('q_proj')!.a;
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= Math.abs(x[i]!) * 2 ** -8 + 1e-12);
});

test('accepts name variants: adapter name kept, no base_model prefix, no .weight suffix', async () => {
  for (const [fa, fb] of [
    [
      'base_model.model.model.layers.%.self_attn.q_proj.lora_A.default.weight',
      'base_model.model.model.layers.%.self_attn.q_proj.lora_B.default.weight',
    ],
    ['model.layers.%.self_attn.q_proj.lora_A.weight', 'model.layers.%.self_attn.q_proj.lora_B.weight'],
    [
      'base_model.model.model.layers.%.self_attn.q_proj.lora_A',
      'base_model.model.model.layers.%.self_attn.q_proj.lora_B',
    ],
  ]) {
    const tensors = [0, 1].flatMap((l) => [
      { name: fa!.replace('%', String(l)), ...mat(2, 16) },
      { name: fb!.replace('%', String(l)), ...mat(16, 2) },
    ]);
    const w = await loadAdapterWeights(readAdapterMeta(await handMade(tensors), 'v'), spec);
    assert.equal(w.layers[1]!.get('q_proj')!.a[1], 17); // a[0, 1] = A[1, 0] = 16 + 1
  }
});

test('shapes that do not fit the base model say so exactly', async () => {
  const dir = fresh();
  await generateAdapter({ dir, spec: other, seed: 1, rank: 8, targets: ['q_proj'] });
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(dir, 'o'), spec),
    /layer 0 q_proj lora_A is \[8,32\] but the base model's q_proj takes 16 inputs: adapter for another model\?/,
  );
  const wrongB = await handMade(
    [0, 1].flatMap((l) => [
      { name: loraTensorName(l, 'q_proj', 'A'), ...mat(2, 16) },
      { name: loraTensorName(l, 'q_proj', 'B'), ...mat(12, 2) },
    ]),
  );
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(wrongB, 'b'), spec),
    /layer 0 q_proj lora_B is \[12,2\] but the base model's q_proj gives 16 outputs/,
  );
  const wrongR = await handMade(
    [0, 1].flatMap((l) => [
      { name: loraTensorName(l, 'q_proj', 'A'), ...mat(3, 16) },
      { name: loraTensorName(l, 'q_proj', 'B'), ...mat(16, 3) },
    ]),
  );
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(wrongR, 'r'), spec),
    /layer 0 q_proj has rank 3 .* says r=2/,
  );
  const deep = fresh();
  await generateAdapter({ dir: deep, spec: { ...spec, numLayers: 3 }, seed: 1, rank: 2, targets: ['q_proj'] });
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(deep, 'd'), spec),
    /layer 2 but the base model has 2 layers/,
  );
});

test('missing, undeclared and unknown tensors are refused', async () => {
  const missing = await handMade([
    { name: loraTensorName(0, 'q_proj', 'A'), ...mat(2, 16) },
    { name: loraTensorName(0, 'q_proj', 'B'), ...mat(16, 2) },
  ]);
  await rejects(validateAdapterAgainstModel(readAdapterMeta(missing, 'm'), spec), /layer 1 q_proj lora_A is missing/);
  const undeclared = await handMade(
    [0, 1].flatMap((l) => [
      { name: loraTensorName(l, 'v_proj', 'A'), ...mat(2, 16) },
      { name: loraTensorName(l, 'v_proj', 'B'), ...mat(8, 2) },
    ]),
  );
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(undeclared, 'u'), spec),
    /adapts layer 0 v_proj but adapter_config\.json target_modules does not select it/,
  );
  const emb = await handMade([{ name: 'base_model.model.model.embed_tokens.lora_embedding_A', ...mat(2, 32) }]);
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(emb, 'e'), spec),
    /embed_tokens\.lora_embedding_A is not a lora_A\/lora_B weight/,
  );
});

test('rank above maxLoraRank and broken weights files', async () => {
  const dir = fresh();
  await generateAdapter({ dir, spec, seed: 1, rank: 8, targets: ['q_proj'] });
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(dir, 'big'), spec, { maxRank: 4 }),
    /rank r=8 is larger than the server's maxLoraRank 4/,
  );
  writeFileSync(join(dir, 'adapter_model.safetensors'), Buffer.from([1, 2, 3]));
  await rejects(
    validateAdapterAgainstModel(readAdapterMeta(dir, 'trunc'), spec),
    /too short to hold a safetensors header/,
  );
});

test('generation is deterministic: same seed, same bytes; other seed, other bytes', async () => {
  const [d1, d2, d3] = [fresh(), fresh(), fresh()];
  await generateAdapter({ dir: d1, spec, seed: 3, rank: 2 });
  await generateAdapter({ dir: d2, spec, seed: 3, rank: 2 });
  await generateAdapter({ dir: d3, spec, seed: 4, rank: 2 });
  const { readFileSync } = await import('node:fs');
  const f = (d: string) => readFileSync(join(d, 'adapter_model.safetensors'));
  assert.ok(f(d1).equals(f(d2)));
  assert.ok(!f(d1).equals(f(d3)));
});
