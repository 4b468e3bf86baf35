// safetensors reading and writing (https://huggingface.co/docs/safetensors format):
//   u64 little-endian header length n | n bytes of JSON header | raw tensor bytes.
// The header maps tensor name -> {dtype, shape, data_offsets: [start, end]} (offsets relative to
// the end of the header) plus an optional "__metadata__" string map.
//
// Every float tensor is returned as Float32Array (F16 and BF16 widened). Problems are
// ModelError('safetensors_invalid') naming the file and what is wrong.
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { existsSync } from 'node:fs';
import { ModelError } from '../../common/index.ts';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** Header length above this is surely corruption (the format caps headers at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file: [start, end). */
  start: number;
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** A float tensor widened to fp32. `data` is row-major with `shape`. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

function invalid(file: string, what: string, cause?: unknown): ModelError {
  return new ModelError('safetensors_invalid', `${basename(file)}: ${what}`, { details: { file }, cause });
}

/** Reads and validates only the header (cheap: a few KB), checking offsets against the file size. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw invalid(file, `cannot open file (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
  }
  try {
    const { size } = await handle.stat();
    const lenBuf = Buffer.alloc(8);
    if (size >= 8) await handle.read(lenBuf, 0, 8, 0);
    const headerLen = checkHeaderLength(file, size, lenBuf);
    const headerBuf = Buffer.alloc(headerLen);
    await handle.read(headerBuf, 0, headerLen, 8);
    return parseHeader(file, size, headerBuf);
  } finally {
    await handle.close();
  }
}

/** The header of a safetensors file already in memory (`bytes` = the whole file). */
export function parseSafetensorsHeader(file: string, bytes: Buffer): SafetensorsHeader {
  const headerLen = checkHeaderLength(file, bytes.length, bytes);
  return parseHeader(file, bytes.length, bytes.subarray(8, 8 + headerLen));
}

function checkHeaderLength(file: string, size: number, lenBuf: Buffer): number {
  if (size < 8) throw invalid(file, `file is ${size} bytes, too short to hold a safetensors header`);
  const headerLen = Number(lenBuf.readBigUInt64LE(0));
  if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
    throw invalid(
      file,
      `header length ${headerLen} does not fit in a ${size}-byte file (truncated or not safetensors)`,
    );
  }
  return headerLen;
}

/** Validates the JSON header (`headerBuf`, the bytes after the length) against the file size. */
function parseHeader(file: string, size: number, headerBuf: Buffer): SafetensorsHeader {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(headerBuf.toString('utf8'));
  } catch (cause) {
    throw invalid(file, 'header is not valid JSON', cause);
  }
  const dataStart = 8 + headerBuf.length;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = (value ?? {}) as Record<string, string>;
      continue;
    }
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (
      typeof v?.dtype !== 'string' ||
      !Array.isArray(v.shape) ||
      !Array.isArray(v.data_offsets) ||
      v.data_offsets.length !== 2
    ) {
      throw invalid(file, `tensor ${name} has a malformed header entry`);
    }
    const [s, e] = v.data_offsets as number[];
    const shape = v.shape as number[];
    const start = dataStart + s;
    const end = dataStart + e;
    if (end > size) {
      throw invalid(file, `tensor ${name} ends at byte ${end} but the file has ${size} bytes (truncated file)`);
    }
    const bytes = DTYPE_BYTES[v.dtype as SafetensorsDtype];
    if (bytes !== undefined && shape.reduce((a, b) => a * b, 1) * bytes !== e - s) {
      throw invalid(file, `tensor ${name} has shape [${shape}] ${v.dtype} but ${e - s} bytes`);
    }
    tensors.set(name, { name, dtype: v.dtype, shape, start, end });
  }
  return { file, tensors, metadata };
}

/** IEEE half -> float. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** f16ToF32 of every half bit pattern, built on first use (256 KiB). */
let halfTable: Float32Array | null = null;

/**
 * Widens `n` little-endian halves starting at byte `offset` of `bytes` into `out` from `outOffset`,
 * each times `scale`: one table lookup per value (f16ToF32 per value took 0.35 s for a 2.6 M-value
 * gradient store on the event loop).
 */
export function widenF16(
  bytes: Uint8Array,
  offset: number,
  n: number,
  out: Float32Array,
  outOffset = 0,
  scale = 1,
): void {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = f16ToF32(h);
  }
  const t = halfTable;
  for (let i = 0, at = offset; i < n; i++, at += 2) out[outOffset + i] = t[bytes[at]! | (bytes[at + 1]! << 8)]! * scale;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float -> IEEE half, round to nearest even. */
export function f32ToF16(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** float -> bfloat16 bits, round to nearest even. */
export function f32ToBf16(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** One tensor's stored bytes (`bytes` = exactly its [start, end) range) widened to fp32. */
export function decodeTensor(info: TensorInfo, bytes: Buffer, file: string): Float32Array {
  const n = info.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  switch (info.dtype) {
    case 'F32':
      new Uint8Array(out.buffer).set(bytes);
      return out;
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u32[i] = bytes.readUInt16LE(2 * i) << 16;
      return out;
    }
    case 'F16':
      widenF16(bytes, 0, n, out);
      return out;
    default:
      throw invalid(file, `tensor ${info.name} has dtype ${info.dtype}; only F32, F16 and BF16 are supported`);
  }
}

/** Reads tensors (all, or the named ones) from one file, widened to fp32. */
export async function readSafetensors(file: string, names?: Iterable<string>): Promise<Map<string, Tensor>> {
  const header = await readSafetensorsHeader(file);
  const wanted = names ? [...names] : [...header.tensors.keys()];
  const out = new Map<string, Tensor>();
  const handle = await open(file, 'r');
  try {
    for (const name of wanted) {
      const info = header.tensors.get(name);
      if (!info) throw invalid(file, `has no tensor named ${name}`);
      const buf = Buffer.alloc(info.end - info.start);
      const { bytesRead } = await handle.read(buf, 0, buf.length, info.start);
      if (bytesRead !== buf.length) throw invalid(file, `tensor ${name} could not be read in full (truncated file)`);
      out.set(name, { shape: info.shape, data: decodeTensor(info, buf, file) });
    }
  } finally {
    await handle.close();
  }
  return out;
}

/**
 * The weight files of a Hugging Face model folder: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json` (`weight_map`: tensor name -> shard file).
 */
export async function checkpointFiles(dir: string): Promise<string[]> {
  const index = join(dir, 'model.safetensors.index.json');
  if (existsSync(index)) {
    let json: { weight_map?: Record<string, string> };
    try {
      json = JSON.parse(await readFile(index, 'utf8'));
    } catch (cause) {
      throw new ModelError('model_folder_invalid', `${index} is not valid JSON`, { cause });
    }
    if (!json.weight_map || typeof json.weight_map !== 'object') {
      throw new ModelError('model_folder_invalid', `${index} has no weight_map`);
    }
    const files = [...new Set(Object.values(json.weight_map))].sort();
    for (const f of files) {
      if (!existsSync(join(dir, f)))
        throw new ModelError(
          'model_folder_invalid',
          `shard ${f} named in model.safetensors.index.json is missing from ${dir}`,
        );
    }
    return files.map((f) => join(dir, f));
  }
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return [single];
  const bins = ['pytorch_model.bin', 'model.bin'].filter((f) => existsSync(join(dir, f)));
  if (bins.length > 0) {
    throw new ModelError(
      'model_folder_invalid',
      `${dir} holds only pickle weights (${bins.join(', ')}); convert them to safetensors (pickle files can execute code and are refused)`,
    );
  }
  throw new ModelError('model_folder_invalid', `${dir} has no model.safetensors and no model.safetensors.index.json`);
}

/** Every tensor of a model folder (single file or shards), widened to fp32. */
export async function readCheckpointTensors(dir: string): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  for (const file of await checkpointFiles(dir)) {
    for (const [name, t] of await readSafetensors(file)) out.set(name, t);
  }
  return out;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Stored dtype; default F32. */
  dtype?: SafetensorsDtype;
}

/** Writes a safetensors file (tensors in the given order, 8-byte aligned header). */
export async function writeSafetensors(
  file: string,
  tensors: TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<void> {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`writeSafetensors: ${t.name} has shape [${t.shape}] but ${t.data.length} values`);
    const dtype = t.dtype ?? 'F32';
    let buf: Buffer;
    if (dtype === 'F32') {
      buf = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    } else {
      buf = Buffer.alloc(n * 2);
      const conv = dtype === 'BF16' ? f32ToBf16 : f32ToF16;
      for (let i = 0; i < n; i++) buf.writeUInt16LE(conv(t.data[i]!), 2 * i);
    }
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + buf.length] };
    offset += buf.length;
    chunks.push(buf);
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  await writeFile(file, Buffer.concat([len, Buffer.from(json, 'utf8'), ...chunks]));
}
