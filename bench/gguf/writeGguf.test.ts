import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGguf, encodeTensor } from './writeGguf.ts';
import { readGgufHeader } from './readGgufHeader.ts';
import { permuteRope } from './permuteRope.ts';
import { f16ToF32 } from '../../kernels/model/index.ts';
import { quantizeInt4 } from '../../kernels/index.ts';

test('GGUF round trip: header, metadata, tensor infos and F32 data read back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gguf-'));
  try {
    const file = join(dir, 'x.gguf');
    const w = Float32Array.from({ length: 6 * 64 }, (_, i) => Math.sin(i)); // [6, 64]
    const n = Float32Array.from([1, 2, 3]); // [3]
    await writeGguf(file, {
      metadata: [
        ['general.architecture', { type: 'string', value: 'llama' }],
        ['llama.block_count', { type: 'u32', value: 30 }],
        ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
        ['tokenizer.ggml.tokens', { type: 'string[]', value: ['a', 'bé', '[2]'] }],
        ['tokenizer.ggml.scores', { type: 'f32[]', value: [0, -1, -2.5] }],
        ['tokenizer.ggml.token_type', { type: 'i32[]', value: [3, 1, 6] }],
        ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
      ],
      tensors: [
        { name: 'norm', shape: [3], type: 'F32', data: n },
        { name: 'w', shape: [6, 64], type: 'F32', data: w },
        { name: 'w16', shape: [6, 64], type: 'F16', data: w },
        { name: 'w8', shape: [6, 64], type: 'Q8_0', data: w },
      ],
    });
    const h = await readGgufHeader(file);
    assert.equal(h.version, 3);
    assert.equal(h.metadata.get('general.architecture'), 'llama');
    assert.equal(h.metadata.get('llama.block_count'), 30);
    assert.equal(h.metadata.get('llama.rope.freq_base'), 10000);
    assert.deepEqual(h.metadata.get('tokenizer.ggml.tokens'), ['a', 'bé', '[2]']);
    assert.deepEqual(h.metadata.get('tokenizer.ggml.scores'), [0, -1, -2.5]);
    assert.deepEqual(h.metadata.get('tokenizer.ggml.token_type'), [3, 1, 6]);
    assert.equal(h.metadata.get('tokenizer.ggml.add_bos_token'), false);
    assert.deepEqual(
      h.tensors.map((t) => [t.name, t.type, t.shape]),
      [
        ['norm', 'F32', [3]],
        ['w', 'F32', [6, 64]],
        ['w16', 'F16', [6, 64]],
        ['w8', 'Q8_0', [6, 64]],
      ],
    );
    for (const t of h.tensors) assert.equal(t.offset % 32, 0, `${t.name} is 32-byte aligned`);
    const bytes = await readFile(file);
    const back = new Float32Array(
      bytes.buffer.slice(
        bytes.byteOffset + h.tensors[1]!.offset,
        bytes.byteOffset + h.tensors[1]!.offset + w.byteLength,
      ),
    );
    assert.deepEqual(back, w);
    const n16 = bytes.readUInt16LE(h.tensors[2]!.offset + 2 * 7);
    assert.ok(Math.abs(f16ToF32(n16) - w[7]!) < 1e-3);
    assert.equal(
      bytes.length,
      h.tensors[3]!.offset + 416,
      'file ends after the last tensor (12 Q8_0 blocks = 408 bytes, padded to 32)',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Q8_0 blocks dequantize to within half a step of the input', () => {
  const data = Float32Array.from({ length: 64 }, (_, i) => (i - 20) / 7); // [64]
  const buf = encodeTensor({ name: 'q', shape: [64], type: 'Q8_0', data });
  assert.equal(buf.length, 2 * 34);
  for (let b = 0; b < 2; b++) {
    const d = f16ToF32(buf.readUInt16LE(b * 34));
    for (let j = 0; j < 32; j++) {
      const x = data[b * 32 + j]!;
      assert.ok(Math.abs(buf.readInt8(b * 34 + 2 + j) * d - x) <= d * 0.5 + 1e-3 * Math.abs(x), `value ${b * 32 + j}`);
    }
  }
});

test('Q4_0 matches ggml quantize_row_q4_0_ref byte for byte, and dequantizes to within half a step', () => {
  const data = Float32Array.from({ length: 32 }, (_, i) => (i - 20) / 7); // [32]: one block
  const buf = encodeTensor({ name: 'q', shape: [32], type: 'Q4_0', data });
  // Expected bytes from a numpy transcription of ggml's reference (d = max / -8 in f32, codes
  // min(15, (int8)(x / d + 8.5)), f16 scale, byte j = code j | code j+16 << 4), run once with python3.
  assert.equal(buf.toString('hex'), 'b7356070718182829293a3a4a4b4b5c5c6c6');
  const d = f16ToF32(buf.readUInt16LE(0));
  for (let j = 0; j < 32; j++) {
    const code = j < 16 ? buf[2 + j]! & 15 : buf[2 + j - 16]! >> 4;
    assert.ok(Math.abs((code - 8) * d - data[j]!) <= Math.abs(d) * 0.5 + 1e-3, `value ${j}`);
  }
});

test('Q4_0 from loraledger int4 codes dequantizes to the int4 weights loraledger runs (scale rounded to f16)', () => {
  const [rows, cols] = [2, 64];
  const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 5))); // [2, 64]
  const int4 = quantizeInt4(data, rows, cols); // packed [2, 2, 16], scales [4]
  const buf = encodeTensor({ name: 'w', shape: [rows, cols], type: 'Q4_0', data, int4 });
  assert.equal(buf.length, 4 * 18);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const blk = r * 2 + (c >> 5);
      const j = c & 31;
      // loraledger: MatMulNBits layout, code j of a block in byte j >> 1 (low nibble for even j)
      const ours = (((int4.packed[blk * 16 + (j >> 1)]! >> (j & 1 ? 4 : 0)) & 15) - 8) * int4.scales[blk]!;
      // ggml Q4_0: f16 d, then code j in byte j (j < 16, low nibble) or byte j - 16 (high nibble)
      const d = f16ToF32(buf.readUInt16LE(blk * 18));
      const q = j < 16 ? buf[blk * 18 + 2 + j]! & 15 : buf[blk * 18 + 2 + j - 16]! >> 4;
      const theirs = (q - 8) * d;
      assert.ok(Math.abs(theirs - ours) <= Math.abs(ours) * 1e-3 + 1e-7, `w[${r}, ${c}]: ${theirs} vs ${ours}`);
    }
});

test('permuteRope matches convert_hf_to_gguf permute (reshape(h,2,Dh/2,c).swapaxes(1,2))', () => {
  // 2 heads, Dh 4, 1 column: rows per head [a0 a1 b0 b1] -> [a0 b0 a1 b1]
  const w = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]);
  assert.deepEqual([...permuteRope(w, 2, 1)], [0, 2, 1, 3, 10, 12, 11, 13]);
  assert.throws(() => permuteRope(new Float32Array(6), 2, 1), /do not split/);
});
