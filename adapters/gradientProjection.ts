// LoGra-style projection of LoRA gradients (training-data influence, attribution/scoring/influence;
// here because the factory applies it when it stores gradients and attribution when it scores) through their Kronecker structure (Choe et al., 2024).
//
// A LoRA matrix's gradient is a sum of outer products, G = Σ_t x_t δ_tᵀ (rows: the matrix's input
// side, cols: its output side). Projecting each side with a small fixed random matrix,
//   G' = P_rowᵀ · G · P_col       P_row [rows, k] (only when rows > k), P_col [cols, k] (when cols > k)
// is the projection (P_row ⊗ P_col) of vec(G), costs O(rows·cols·k) per example instead of the
// O(rows·cols·k²) of a dense projection of the flat gradient, and keeps inner products in
// expectation (entries N(0, 1/k), Johnson–Lindenstrauss). lora_a [Din, R] shrinks to [k, R] and
// lora_b [R, Dout] to [R, k] when R <= k. The same seeded matrices project the training gradients
// and every answer's gradient, so scores compare like with like.
//
// Glossary: rows × cols a block's shape, k the projected side.
import { Prng } from '../common/index.ts';

export interface ProjectionSpec {
  /** Seeds every block's matrices (with the block's name). */
  seed: number;
  /** Projected size of a side; sides of k or fewer are kept whole. */
  k: number;
}

export interface BlockShape {
  /** The training graph's input name (lora_a.{l}.{target} / lora_b.{l}.{target}). */
  name: string;
  shape: readonly [number, number]; // [rows, cols]
}

/** The block's shape after projection (unchanged without one). */
export function projectedShape(b: BlockShape, p: ProjectionSpec | null): [number, number] {
  const [rows, cols] = b.shape;
  if (!p) return [rows, cols];
  return [rows > p.k ? p.k : rows, cols > p.k ? p.k : cols];
}

const matrices = new Map<string, Float32Array>();

/** P [n, k], entries N(0, 1/k), from (seed, block name, side). */
function sideMatrix(p: ProjectionSpec, name: string, side: 'row' | 'col', n: number): Float32Array {
  const key = `${p.seed}/${p.k}/${name}/${side}/${n}`;
  let m = matrices.get(key);
  if (!m) {
    let h = p.seed >>> 0;
    for (const ch of key) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0; // FNV-1a over the key
    const rng = new Prng(h);
    const std = 1 / Math.sqrt(p.k);
    m = Float32Array.from({ length: n * p.k }, () => rng.normal() * std);
    if (matrices.size > 4096) matrices.clear();
    matrices.set(key, m);
  }
  return m;
}

/** G' = P_rowᵀ · G · P_col for one block's gradient G [rows, cols] (row-major); G itself without a projection. */
export function projectBlock(g: Float32Array, b: BlockShape, p: ProjectionSpec | null): Float32Array {
  const [rows, cols] = b.shape;
  if (g.length !== rows * cols) throw new Error(`projection: ${b.name} holds ${g.length} values, not ${rows}×${cols}`);
  const [pr, pc] = projectedShape(b, p);
  if (!p || (pr === rows && pc === cols)) return g;
  let cur = g; // [rows, cols]
  if (pc !== cols) {
    const q = sideMatrix(p, b.name, 'col', cols); // [cols, k]
    const next = new Float32Array(rows * pc);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const x = cur[r * cols + c]!;
        if (x === 0) continue;
        for (let j = 0; j < pc; j++) next[r * pc + j] += x * q[c * pc + j]!;
      }
    cur = next;
  }
  if (pr !== rows) {
    const pm = sideMatrix(p, b.name, 'row', rows); // [rows, k]
    const next = new Float32Array(pr * pc);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < pr; i++) {
        const w = pm[r * pr + i]!;
        for (let j = 0; j < pc; j++) next[i * pc + j] += w * cur[r * pc + j]!;
      }
    cur = next;
  }
  return cur;
}

/** Values per example above which 'auto' projects: 2^16 values, 128 KiB per example in fp16. */
export const AUTO_PROJECTION_ABOVE = 1 << 16;
/** The projection 'auto' picks when an example's gradient is large. */
export const AUTO_PROJECTION: ProjectionSpec = { seed: 0, k: 32 };

/** 'auto': AUTO_PROJECTION when the blocks hold more than AUTO_PROJECTION_ABOVE values, else none. */
export function resolveProjection(
  p: ProjectionSpec | null | 'auto',
  blocks: readonly BlockShape[],
): ProjectionSpec | null {
  if (p !== 'auto') return p;
  const values = blocks.reduce((s, b) => s + b.shape[0] * b.shape[1], 0);
  return values > AUTO_PROJECTION_ABOVE ? AUTO_PROJECTION : null;
}
