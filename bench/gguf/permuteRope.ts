// Hugging Face -> llama.cpp row permutation of q/k projections (convert_hf_to_gguf.py's
// LlamaModel.permute). HF Llama checkpoints rotate halves ("rotate_half": pairs (i, i + Dh/2));
// llama.cpp's llama arch applies RoPE to interleaved pairs (2i, 2i + 1), Meta's original layout.
//   permute(W, heads): W.reshape(heads, 2, Dh/2, cols).swapaxes(1, 2).reshape(W.shape)
// so output row h*Dh + 2i + j takes input row h*Dh + j*Dh/2 + i  (j in {0, 1}).
// Glossary: Dh head size, cols the row length (input features, or the LoRA rank for lora_b).

/** Returns the permuted copy of row-major `w` [heads*Dh, cols]. */
export function permuteRope(w: Float32Array, heads: number, cols: number): Float32Array {
  const rows = w.length / cols;
  if (!Number.isInteger(rows) || rows % (2 * heads) !== 0) {
    throw new Error(`permuteRope: ${rows} rows do not split into ${heads} heads of even size`);
  }
  const dh = rows / heads;
  const half = dh / 2;
  const out = new Float32Array(w.length); // [heads*Dh, cols]
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const dst = (h * dh + 2 * i + j) * cols;
        const src = (h * dh + j * half + i) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}
