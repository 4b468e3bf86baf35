import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readCheckpointTensors,
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
  f16ToF32,
  f32ToF16,
  widenF16,
} from './safetensors.ts';
import { LoraledgerError } from '../../common/index.ts';

const shared = new URL('../../../shared/models/', import.meta.url).pathname;

test('reads the fp32 stories260K checkpoint and the BF16 sharded copy agrees within bf16 rounding', async () => {
  const f32 = await readCheckpointTensors(join(shared, 'stories260K'));
  const bf16 = await readCheckpointTensors(join(shared, 'stories260K-bf16-sharded'));
  const emb = f32.get('model.embed_tokens.weight')!;
  assert.deepEqual(emb.shape, [512, 64]);
  assert.ok(bf16.has('lm_head.weight'), 'the sharded copy has an untied lm_head');
  const other = bf16.get('model.embed_tokens.weight')!;
  for (let i = 0; i < emb.data.length; i++) {
    const tol = Math.abs(emb.data[i]!) * 2 ** -8 + 1e-30;
    assert.ok(Math.abs(emb.data[i]! - other.data[i]!) <= tol, `element ${i}`);
  }
});

test('round-trips F32, F16 and BF16 tensors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'st-'));
  const data = new Float32Array([0, 1, -2.5, 3.140625, 65504, 1e-3]);
  const file = join(dir, 'x.safetensors');
  await writeSafetensors(
    file,
    [
      { name: 'a', shape: [2, 3], data },
      { name: 'b', shape: [6], data, dtype: 'F16' },
      { name: 'c', shape: [3, 2], data, dtype: 'BF16' },
    ],
    { format: 'pt' },
  );
  const t = await readSafetensors(file);
  assert.deepEqual([...t.get('a')!.data], [...data]);
  assert.deepEqual(t.get('c')!.shape, [3, 2]);
  for (let i = 0; i < data.length; i++) {
    assert.ok(Math.abs(t.get('b')!.data[i]! - data[i]!) <= Math.abs(data[i]!) * 1e-3 + 1e-6);
    assert.ok(Math.abs(t.get('c')!.data[i]! - data[i]!) <= Math.abs(data[i]!) * 4e-3);
  }
  assert.equal(f16ToF32(f32ToF16(0.5)), 0.5);
});

test('a truncated file is refused with a message naming the tensor and sizes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'st-'));
  const file = join(dir, 'model.safetensors');
  await writeSafetensors(file, [{ name: 'w', shape: [4, 4], data: new Float32Array(16) }]);
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(readSafetensorsHeader(file), (e: unknown) => {
    assert.ok(e instanceof LoraledgerError);
    assert.equal(e.code, 'safetensors_invalid');
    assert.match(e.message, /tensor w ends at byte \d+ but the file has \d+ bytes \(truncated file\)/);
    return true;
  });
  await writeFile(file, Buffer.from('not a safetensors file at all'));
  await assert.rejects(readSafetensorsHeader(file), /header length/);
});

test('widenF16: little-endian halves at any byte offset, scaled, equal to f16ToF32 for all 65536 patterns', () => {
  // hand values: 1, -2, 65504 (largest half), 2^-24 (smallest subnormal), -0, +Inf
  const hand = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00];
  const bytes = new Uint8Array(1 + 2 * hand.length);
  hand.forEach((h, i) => {
    bytes[1 + 2 * i] = h & 0xff;
    bytes[2 + 2 * i] = h >> 8;
  });
  const out = new Float32Array(hand.length + 1);
  widenF16(bytes, 1, hand.length, out, 1, 2);
  assert.deepEqual([...out], [0, 2, -4, 131008, 2 ** -23, -0, Infinity]);
  const all = new Uint8Array(2 * 65536);
  for (let h = 0; h < 65536; h++) {
    all[2 * h] = h & 0xff;
    all[2 * h + 1] = h >> 8;
  }
  const wide = new Float32Array(65536);
  widenF16(all, 0, 65536, wide);
  for (let h = 0; h < 65536; h++) assert.ok(Object.is(wide[h], Math.fround(f16ToF32(h))), `0x${h.toString(16)}`);
});
