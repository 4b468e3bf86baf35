// GGUF v3 constants and value types (llama.cpp's ggml/docs/gguf.md).
//
// File layout (little-endian):
//   u32 magic "GGUF" | u32 version (3) | u64 tensor_count | u64 metadata_kv_count
//   metadata_kv_count x { string key | u32 value_type | value }
//   tensor_count x { string name | u32 n_dims | u64 ne[n_dims] | u32 ggml_type | u64 offset }
//   padding to `general.alignment` (default 32) | tensor data, each tensor aligned likewise.
// A string is u64 length + UTF-8 bytes. ne[0] is the fastest-varying dimension, so a row-major
// numpy/safetensors tensor of shape [rows, cols] is written with ne = [cols, rows].

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** gguf_type: the type tag of a metadata value. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** ggml_type ids of the tensor types this writer produces. */
export const GgmlType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Q8_0: blocks of 32 values = one f16 scale + 32 int8 (34 bytes). */
export const Q8_0_BLOCK = 32;
export const Q8_0_BLOCK_BYTES = 34;
/** Q4_0: blocks of 32 values = one f16 scale + 16 bytes of 4-bit codes (18 bytes). */
export const Q4_0_BLOCK_BYTES = 18;

/** Bytes one tensor of `count` values occupies in a type. */
export function ggmlTypeBytes(type: GgmlTypeName, count: number): number {
  if (type === 'F32') return count * 4;
  if (type === 'F16') return count * 2;
  return (count / Q8_0_BLOCK) * (type === 'Q4_0' ? Q4_0_BLOCK_BYTES : Q8_0_BLOCK_BYTES);
}

/** One metadata value, tagged with its GGUF type. */
export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'u64'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: ArrayLike<number> }
  | { type: 'i32[]'; value: ArrayLike<number> };

/** One tensor to write: `shape` is row-major (numpy order); data is converted to `type`. */
export interface GgufTensor {
  name: string;
  shape: number[];
  type: GgmlTypeName;
  data: Float32Array; // [prod(shape)]
  /**
   * Q4_0 only: write these codes and scales (loraledger's own int4 weight, quantizeInt4: packed
   * [rows, Kb, 16] low nibble first along the row, scales [rows * Kb]) instead of quantizing `data`.
   */
  int4?: { packed: Uint8Array; scales: Float32Array };
}

export interface GgufFile {
  metadata: Array<[string, GgufValue]>;
  tensors: GgufTensor[];
  alignment?: number;
}

export const u32 = (value: number): GgufValue => ({ type: 'u32', value });
export const f32 = (value: number): GgufValue => ({ type: 'f32', value });
export const str = (value: string): GgufValue => ({ type: 'string', value });
