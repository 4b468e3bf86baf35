// Writes a GGUF v3 file (see ggufFormat.ts for the layout). Tensors are converted from fp32 to
// their declared type (F32 as is, F16 rounded, Q8_0 and Q4_0 block-quantized like ggml's
// quantize_row_q8_0 / quantize_row_q4_0_ref).
import { open } from 'node:fs/promises';
import { f32ToF16 } from '../../kernels/model/index.ts';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  GgufValueType,
  Q8_0_BLOCK,
  Q8_0_BLOCK_BYTES,
  Q4_0_BLOCK_BYTES,
  ggmlTypeBytes,
  type GgufFile,
  type GgufTensor,
  type GgufValue,
} from './ggufFormat.ts';

/** Appends little-endian values to a growing byte list. */
class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v | 0);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      sink.u32(GgufValueType.UINT32);
      sink.u32(v.value);
      return;
    case 'i32':
      sink.u32(GgufValueType.INT32);
      sink.i32(v.value);
      return;
    case 'u64':
      sink.u32(GgufValueType.UINT64);
      sink.u64(v.value);
      return;
    case 'f32':
      sink.u32(GgufValueType.FLOAT32);
      sink.f32(v.value);
      return;
    case 'bool':
      sink.u32(GgufValueType.BOOL);
      sink.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case 'string':
      sink.u32(GgufValueType.STRING);
      sink.str(v.value);
      return;
    case 'string[]':
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.STRING);
      sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'f32[]': {
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.FLOAT32);
      sink.u64(v.value.length);
      sink.push(Buffer.from(Float32Array.from(v.value).buffer));
      return;
    }
    case 'i32[]': {
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.INT32);
      sink.u64(v.value.length);
      sink.push(Buffer.from(Int32Array.from(v.value).buffer));
      return;
    }
  }
}

/** Converts a tensor's fp32 values to the bytes of its GGUF type. */
export function encodeTensor(t: GgufTensor): Buffer {
  const n = t.data.length;
  if (t.type === 'F32') return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.type === 'F16') {
    const out = new Uint16Array(n); // [n]
    for (let i = 0; i < n; i++) out[i] = f32ToF16(t.data[i]!);
    return Buffer.from(out.buffer);
  }
  if (t.type === 'Q4_0') return t.int4 ? encodeQ4_0Codes(t.int4) : encodeQ4_0(t.data);
  const out = Buffer.alloc(ggmlTypeBytes('Q8_0', n)); // [n/32 blocks x 34 bytes]
  for (let b = 0; b < n / Q8_0_BLOCK; b++) {
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK; j++) amax = Math.max(amax, Math.abs(t.data[b * Q8_0_BLOCK + j]!));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    const o = b * Q8_0_BLOCK_BYTES;
    out.writeUInt16LE(f32ToF16(d), o);
    for (let j = 0; j < Q8_0_BLOCK; j++) out.writeInt8(Math.round(t.data[b * Q8_0_BLOCK + j]! * id), o + 2 + j);
  }
  return out;
}

/**
 * Q4_0 like ggml's quantize_row_q4_0_ref: per block of 32, the value of largest magnitude m gives
 * d = m / -8; code = min(15, trunc(x / d + 8.5)); byte j holds codes j (low nibble) and j + 16 (high).
 * Dequantized: (code - 8) * d.
 */
function encodeQ4_0(x: Float32Array): Buffer {
  const out = Buffer.alloc(ggmlTypeBytes('Q4_0', x.length)); // [n/32 blocks x 18 bytes]
  for (let b = 0; b < x.length / Q8_0_BLOCK; b++) {
    const at = b * Q8_0_BLOCK;
    let max = 0;
    for (let j = 0; j < Q8_0_BLOCK; j++) if (Math.abs(x[at + j]!) > Math.abs(max)) max = x[at + j]!;
    const d = max / -8;
    const id = d ? 1 / d : 0;
    const o = b * Q4_0_BLOCK_BYTES;
    out.writeUInt16LE(f32ToF16(d), o);
    const code = (v: number): number => Math.min(15, Math.trunc(v * id + 8.5));
    for (let j = 0; j < 16; j++) out[o + 2 + j] = code(x[at + j]!) | (code(x[at + 16 + j]!) << 4);
  }
  return out;
}

/**
 * Q4_0 blocks from given int4 codes (code c means (c - 8) * scale, as in both formats): block i gets
 * d = f16(scales[i]); byte j = code j | code j + 16 << 4 (loraledger packs codes 2j | 2j + 1 << 4).
 */
function encodeQ4_0Codes(w: { packed: Uint8Array; scales: Float32Array }): Buffer {
  const out = Buffer.alloc(w.scales.length * Q4_0_BLOCK_BYTES); // [blocks x 18 bytes]
  const code = (i: number, j: number): number => (w.packed[i * 16 + (j >> 1)]! >> (j & 1 ? 4 : 0)) & 15;
  for (let i = 0; i < w.scales.length; i++) {
    const o = i * Q4_0_BLOCK_BYTES;
    out.writeUInt16LE(f32ToF16(w.scales[i]!), o);
    for (let j = 0; j < 16; j++) out[o + 2 + j] = code(i, j) | (code(i, j + 16) << 4);
  }
  return out;
}

function validateTensor(t: GgufTensor): void {
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length)
    throw new Error(`GGUF tensor ${t.name}: shape [${t.shape}] holds ${count} values but data has ${t.data.length}`);
  if ((t.type === 'Q8_0' || t.type === 'Q4_0') && t.shape[t.shape.length - 1]! % Q8_0_BLOCK !== 0) {
    throw new Error(
      `GGUF tensor ${t.name}: ${t.type} needs rows that are a multiple of ${Q8_0_BLOCK}, got ${t.shape[t.shape.length - 1]}`,
    );
  }
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Writes `gguf` to `file`. Returns the number of bytes written. */
export async function writeGguf(file: string, gguf: GgufFile): Promise<number> {
  const alignment = gguf.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const metadata = [...gguf.metadata];
  if (gguf.alignment !== undefined) metadata.push(['general.alignment', { type: 'u32', value: alignment }]);
  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(gguf.tensors.length);
  head.u64(metadata.length);
  for (const [key, value] of metadata) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of gguf.tensors) {
    validateTensor(t);
    head.str(t.name);
    head.u32(t.shape.length);
    for (let i = t.shape.length - 1; i >= 0; i--) head.u64(t.shape[i]!); // ne[0] = last numpy dim
    head.u32(GgmlType[t.type]);
    head.u64(offset);
    offsets.push(offset);
    offset = alignUp(offset + ggmlTypeBytes(t.type, t.data.length), alignment);
  }
  const headBytes = head.bytes();
  const dataStart = alignUp(headBytes.length, alignment);
  const fh = await open(file, 'w');
  try {
    await fh.write(headBytes, 0, headBytes.length, 0);
    for (let i = 0; i < gguf.tensors.length; i++) {
      const bytes = encodeTensor(gguf.tensors[i]!);
      await fh.write(bytes, 0, bytes.length, dataStart + offsets[i]!);
    }
    await fh.truncate(dataStart + offset);
  } finally {
    await fh.close();
  }
  return dataStart + offset;
}
