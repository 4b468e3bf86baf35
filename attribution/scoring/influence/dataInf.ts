// DataInf (Kwon et al., ICLR 2024) over per-example LoRA gradients, and the plain gradient dot
// product it is compared with. Pure maths: no I/O, no onnxruntime.
//
// Per block l (one LoRA matrix: lora_a or lora_b of one layer and projection, as DataInf's
// repository treats each LoRA weight as a layer), with n training gradients g_il of d_l values
// and the answer's gradient v_l:
//
//   λ_l    = 0.1 · mean_i ‖g_il‖² / d_l
//   c_il   = v_l·g_il / (λ_l + ‖g_il‖²)
//   hvp_l  = (1/(n·λ_l)) Σ_i (v_l − c_il g_il)        ≈ v_lᵀ (G_lᵀG_l/n + λ_l I)⁻¹
//   I(k)   = −Σ_l hvp_l · g_kl                          (Koh & Liang's up-weighting influence on the loss)
//   score  = −I(k)                                       positive: the example lowered the answer's loss
//
// hvp_l is DataInf's closed form: (1/n) Σ_i (g_il g_ilᵀ + λ_l I)⁻¹ v_l, each inverse by
// Sherman–Morrison, (g gᵀ + λI)⁻¹ = (I − g gᵀ/(λ + ‖g‖²)) / λ.
//
// Glossary: n training examples, d_l values of block l.
import type { GradientBlocks } from '../../../adapters/index.ts';

export type { GradientBlocks };

/** DataInf's damping, λ_l = 0.1 · mean_i ‖g_il‖² / d_l (a zero block gets 1e-12 so nothing divides by 0). */
export function dampingOf(block: Float32Array, n: number, d: number): number {
  let s = 0;
  for (let j = 0; j < n * d; j++) s += block[j]! * block[j]!;
  return Math.max((0.1 * (s / n)) / d, 1e-12);
}

/**
 * Helpfulness −I(k) of every training example for the answer gradient `v` ([L][d_l]):
 * Float64Array [n], positive = helpful.
 */
export function dataInfScores(train: GradientBlocks, v: readonly Float32Array[]): Float64Array {
  checkShapes(train, v);
  const { n } = train;
  const out = new Float64Array(n);
  train.blocks.forEach((g, l) => {
    const d = train.dims[l]!;
    const vl = v[l]!;
    const lambda = dampingOf(g, n, d);
    // hvp = (1/(nλ)) (n·v − Σ_i c_i g_i)
    const hvp = new Float64Array(d);
    for (let j = 0; j < d; j++) hvp[j] = n * vl[j]!;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      let norm2 = 0;
      for (let j = 0; j < d; j++) {
        const x = g[i * d + j]!;
        dot += vl[j]! * x;
        norm2 += x * x;
      }
      const c = dot / (lambda + norm2);
      for (let j = 0; j < d; j++) hvp[j] -= c * g[i * d + j]!;
    }
    const scale = 1 / (n * lambda);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += hvp[j]! * g[k * d + j]!;
      out[k] += s * scale; // score = −I(k) = +hvp·g_k
    }
  });
  return out;
}

/** The plain gradient dot product v·g_k summed over blocks (TracIn at one checkpoint): Float64Array [n]. */
export function gradientDotScores(train: GradientBlocks, v: readonly Float32Array[]): Float64Array {
  checkShapes(train, v);
  const out = new Float64Array(train.n);
  train.blocks.forEach((g, l) => {
    const d = train.dims[l]!;
    const vl = v[l]!;
    for (let k = 0; k < train.n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += vl[j]! * g[k * d + j]!;
      out[k] += s;
    }
  });
  return out;
}

function checkShapes(train: GradientBlocks, v: readonly Float32Array[]): void {
  if (v.length !== train.blocks.length || train.dims.length !== train.blocks.length)
    throw new Error(`influence: ${v.length} answer blocks against ${train.blocks.length} training blocks`);
  train.blocks.forEach((g, l) => {
    const d = train.dims[l]!;
    if (g.length !== train.n * d || v[l]!.length !== d)
      throw new Error(`influence: block ${l} holds ${g.length} values, expected ${train.n} × ${d}`);
  });
}
