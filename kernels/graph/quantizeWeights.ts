// Weight quantization for the decoder graph. Input weights are HF-oriented W [Dout, Din]
// (y = x·W^T). Glossary: Din in features (K), Dout out features (N), Kb = ceil(Din / 32) blocks.
//
// int8 (com.microsoft DynamicQuantizeMatMul): per-output-channel symmetric with Q levels
//   (Q = 127, or 63 on CPUs whose u8·s8 kernel saturates: see int8Range.ts)
//   scale[o] = max_i |W[o,i]| / Q,  q[i,o] = round(W[o,i] / scale[o])  stored [Din, Dout] int8
//   y = dequant(quant_u8(x)) · (q * scale)
// int4 (com.microsoft MatMulNBits, bits 4, block_size 32): per 32-input block, symmetric with the
//   default zero point 8: scale[o,b] = max|W[o, block b]| / 7, code = clamp(round(w/scale) + 8, 0, 15),
//   two codes per byte, low nibble first along Din; B [Dout, Kb, 16] uint8, scales [Dout * Kb].

export interface Int8Weight {
  q: Int8Array; // [Din, Dout]
  scale: Float32Array; // [Dout]
}

export function quantizeInt8(w: Float32Array, dout: number, din: number, levels = 127): Int8Weight {
  const q = new Int8Array(din * dout);
  const scale = new Float32Array(dout);
  for (let o = 0; o < dout; o++) {
    let mx = 0;
    for (let i = 0; i < din; i++) mx = Math.max(mx, Math.abs(w[o * din + i]!));
    const s = mx > 0 ? mx / levels : 1;
    scale[o] = s;
    for (let i = 0; i < din; i++)
      q[i * dout + o] = Math.max(-levels, Math.min(levels, Math.round(w[o * din + i]! / s)));
  }
  return { q, scale };
}

export const INT4_BLOCK = 32;

export interface Int4Weight {
  packed: Uint8Array; // [Dout, Kb, 16]
  scales: Float32Array; // [Dout * Kb]
  blocks: number; // Kb
}

export function quantizeInt4(w: Float32Array, dout: number, din: number): Int4Weight {
  const blocks = Math.ceil(din / INT4_BLOCK);
  const blob = INT4_BLOCK / 2;
  const packed = new Uint8Array(dout * blocks * blob);
  const scales = new Float32Array(dout * blocks);
  for (let o = 0; o < dout; o++) {
    for (let b = 0; b < blocks; b++) {
      const lo = b * INT4_BLOCK;
      const hi = Math.min(din, lo + INT4_BLOCK);
      let mx = 0;
      for (let i = lo; i < hi; i++) mx = Math.max(mx, Math.abs(w[o * din + i]!));
      const s = mx > 0 ? mx / 7 : 1;
      scales[o * blocks + b] = s;
      for (let j = 0; j < INT4_BLOCK; j++) {
        const i = lo + j;
        const code = i < din ? Math.max(0, Math.min(15, Math.round(w[o * din + i]! / s) + 8)) : 8;
        const at = (o * blocks + b) * blob + (j >> 1);
        packed[at] |= j & 1 ? code << 4 : code;
      }
    }
  }
  return { packed, scales, blocks };
}
