// Parses a GGUF v3 header (metadata and tensor infos, not the data): used by the round-trip test
// and to check files before handing them to llama.cpp.
import { open } from 'node:fs/promises';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgmlType, GgufValueType, type GgmlTypeName } from './ggufFormat.ts';

export interface GgufTensorInfo {
  name: string;
  /** Row-major shape (numpy order, i.e. ne reversed). */
  shape: number[];
  type: GgmlTypeName | `ggml_type_${number}`;
  /** Absolute byte offset of the data in the file. */
  offset: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, unknown>;
  tensors: GgufTensorInfo[];
}

const TYPE_NAMES = new Map<number, GgmlTypeName>(Object.entries(GgmlType).map(([k, v]) => [v, k as GgmlTypeName]));

/** Headers (a 49k-token vocabulary is ~1 MB) fit well within this; the data is never read. */
const MAX_HEADER_BYTES = 64 << 20;

export async function readGgufHeader(file: string): Promise<GgufHeader> {
  const fh = await open(file, 'r');
  let buf: Buffer;
  try {
    const size = (await fh.stat()).size;
    buf = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    await fh.read(buf, 0, buf.length, 0);
  } finally {
    await fh.close();
  }
  let p = 0;
  const u32 = (): number => {
    const v = buf.readUInt32LE(p);
    p += 4;
    return v;
  };
  const u64 = (): number => {
    const v = Number(buf.readBigUInt64LE(p));
    p += 8;
    return v;
  };
  const str = (): string => {
    const n = u64();
    const s = buf.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const scalar = (type: number): unknown => {
    switch (type) {
      case GgufValueType.UINT8:
        return buf.readUInt8(p++);
      case GgufValueType.INT8:
        return buf.readInt8(p++);
      case GgufValueType.UINT16: {
        const v = buf.readUInt16LE(p);
        p += 2;
        return v;
      }
      case GgufValueType.INT16: {
        const v = buf.readInt16LE(p);
        p += 2;
        return v;
      }
      case GgufValueType.UINT32:
        return u32();
      case GgufValueType.INT32: {
        const v = buf.readInt32LE(p);
        p += 4;
        return v;
      }
      case GgufValueType.FLOAT32: {
        const v = buf.readFloatLE(p);
        p += 4;
        return v;
      }
      case GgufValueType.BOOL:
        return buf.readUInt8(p++) !== 0;
      case GgufValueType.STRING:
        return str();
      case GgufValueType.UINT64:
        return u64();
      case GgufValueType.INT64: {
        const v = Number(buf.readBigInt64LE(p));
        p += 8;
        return v;
      }
      case GgufValueType.FLOAT64: {
        const v = buf.readDoubleLE(p);
        p += 8;
        return v;
      }
      default:
        throw new Error(`${file}: unknown GGUF value type ${type} at byte ${p}`);
    }
  };
  if (buf.length < 24 || u32() !== GGUF_MAGIC) throw new Error(`${file}: not a GGUF file (bad magic)`);
  const version = u32();
  const nTensors = u64();
  const nKv = u64();
  const metadata = new Map<string, unknown>();
  for (let i = 0; i < nKv; i++) {
    const key = str();
    const type = u32();
    if (type === GgufValueType.ARRAY) {
      const elemType = u32();
      const n = u64();
      const values: unknown[] = [];
      for (let j = 0; j < n; j++) values.push(scalar(elemType));
      metadata.set(key, values);
    } else {
      metadata.set(key, scalar(type));
    }
  }
  const raw: Array<{ name: string; shape: number[]; type: number; rel: number }> = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nd = u32();
    const ne: number[] = [];
    for (let d = 0; d < nd; d++) ne.push(u64());
    raw.push({ name, shape: ne.reverse(), type: u32(), rel: u64() });
  }
  const alignment = (metadata.get('general.alignment') as number | undefined) ?? GGUF_DEFAULT_ALIGNMENT;
  const dataStart = Math.ceil(p / alignment) * alignment;
  const tensors = raw.map((t) => ({
    name: t.name,
    shape: t.shape,
    type: TYPE_NAMES.get(t.type) ?? (`ggml_type_${t.type}` as const),
    offset: dataStart + t.rel,
  }));
  return { version, metadata, tensors };
}
