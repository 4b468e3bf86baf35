// Global-norm gradient clipping with torch.nn.utils.clip_grad_norm_ semantics (norm_type 2):
//   total_norm = ||(||g_1||, ..., ||g_n||)||_2            (the L2 norm of all gradients together)
//   coef       = max_norm / (total_norm + 1e-6)
//   if coef < 1: g_i *= coef                                (torch multiplies by min(coef, 1))
// maxNorm 0 turns clipping off (the norm is still returned, for the logs). The norm is summed in
// float64 (torch sums float32; the difference is rounding). Unlike torch, which multiplies by a NaN
// coefficient, a non-finite norm leaves the gradients untouched: the caller should skip the step.
//
// Glossary: P_i elements of parameter i.
import { RequestError } from '../../common/index.ts';

/** Clips `grads` in place to a global L2 norm of `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(grads: readonly Float32Array[] /* [n][P_i] */, maxNorm: number): number {
  if (!(maxNorm >= 0))
    throw new RequestError('invalid_request', `max_grad_norm must be >= 0 (got ${maxNorm})`, {
      param: 'max_grad_norm',
    });
  let sumSq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sumSq += g[i]! * g[i]!;
  const total = Math.sqrt(sumSq);
  if (maxNorm === 0 || !Number.isFinite(total)) return total;
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  return total;
}
