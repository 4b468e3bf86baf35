// Rotary embedding tables for the decoder graph (rotate-half convention, as Hugging Face Llama).
//   invFreq[i] = theta^(-2i/Dh), i < Dh/2, optionally rescaled per Llama-3 `rope_scaling`:
//     wavelen = 2π/f; wavelen > orig/low -> f/factor; wavelen < orig/high -> f;
//     otherwise s = (orig/wavelen - low)/(high - low), f = (1-s)·f/factor + s·f
//   cos[p] = [cos(p·f), cos(p·f)] and sinSigned[p] = [-sin(p·f), sin(p·f)] over Dh, so that
//   rope(x) = x·cos + swapHalves(x)·sinSigned.
// Glossary: Dh head size, Pmax table positions.
import type { ModelSpec } from '../model/modelSpec.ts';

export function ropeInverseFrequencies(spec: ModelSpec): Float64Array {
  const half = spec.headDim / 2;
  const inv = new Float64Array(half);
  const rs = spec.ropeScaling;
  for (let i = 0; i < half; i++) {
    const f = Math.pow(spec.ropeTheta, (-2 * i) / spec.headDim);
    if (!rs) {
      inv[i] = f;
      continue;
    }
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < rs.originalMaxPositions / rs.highFreqFactor) inv[i] = f;
    else if (wavelen > rs.originalMaxPositions / rs.lowFreqFactor) inv[i] = f / rs.factor;
    else {
      const s = (rs.originalMaxPositions / wavelen - rs.lowFreqFactor) / (rs.highFreqFactor - rs.lowFreqFactor);
      inv[i] = ((1 - s) * f) / rs.factor + s * f;
    }
  }
  return inv;
}

/** The tables in float32 (the decoder graph) or, given Float64Array, float64 (the fp64 training graph). */
export function ropeTables<A extends Float32Array | Float64Array = Float32Array>(
  spec: ModelSpec,
  positions: number,
  make: new (n: number) => A = Float32Array as unknown as new (n: number) => A,
): { cos: A; sinSigned: A } {
  const dh = spec.headDim;
  const half = dh / 2;
  const inv = ropeInverseFrequencies(spec);
  const cos = new make(positions * dh); // [Pmax, Dh]
  const sinSigned = new make(positions * dh); // [Pmax, Dh]
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const a = p * inv[i]!;
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[p * dh + i] = c;
      cos[p * dh + half + i] = c;
      sinSigned[p * dh + i] = -s;
      sinSigned[p * dh + half + i] = s;
    }
  }
  return { cos, sinSigned };
}
