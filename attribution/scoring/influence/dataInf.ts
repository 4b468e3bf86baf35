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

/** Per block: λ_l and every ‖g_il‖², which depend on the training gradients only. */
export interface BlockConstants {
  lambda: number;
  norms: Float64Array; // [n]
}

/** Computed once per gradient block and kept while the block is (the scorer keeps a store loaded). */
const constantsOf = new WeakMap<Float32Array, BlockConstants>();

export function blockConstants(g: Float32Array, n: number, d: number): BlockConstants {
  let k = constantsOf.get(g);
  if (k) return k;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = dot(g, i * d, g, i * d, d);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += norms[i]!;
  k = { lambda: Math.max((0.1 * (sum / n)) / d, 1e-12), norms };
  constantsOf.set(g, k);
  return k;
}

/** Σ_j a[ao + j]·b[bo + j] over d values, four partial sums. */
function dot(a: Float32Array | Float64Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!;
    s1 += a[ao + j + 1]! * b[bo + j + 1]!;
    s2 += a[ao + j + 2]! * b[bo + j + 2]!;
    s3 += a[ao + j + 3]! * b[bo + j + 3]!;
  }
  for (; j < d; j++) s0 += a[ao + j]! * b[bo + j]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Helpfulness −I(k) of every training example for the answer gradient `v` ([L][d_l]):
 * Float64Array [n], positive = helpful. Per block, three passes over the n·d_l gradients:
 *   a_i = v·g_i,  c_i = a_i / (λ + ‖g_i‖²)      (λ and ‖g_i‖² computed once per block)
 *   w   = Σ_i c_i g_i
 *   −I(k) = hvp·g_k = (n·a_k − w·g_k) / (n·λ)
 */
export function dataInfScores(train: GradientBlocks, v: readonly Float32Array[]): Float64Array {
  checkShapes(train, v);
  const { n } = train;
  const out = new Float64Array(n);
  train.blocks.forEach((g, l) => {
    const d = train.dims[l]!;
    const vl = v[l]!;
    const { lambda, norms } = blockConstants(g, n, d);
    const a = new Float64Array(n);
    const w = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      a[i] = dot(vl, 0, g, i * d, d);
      const c = a[i]! / (lambda + norms[i]!);
      for (let j = 0; j < d; j++) w[j] += c * g[i * d + j]!;
    }
    const scale = 1 / (n * lambda);
    for (let k = 0; k < n; k++) out[k] += (n * a[k]! - dot(w, 0, g, k * d, d)) * scale;
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
