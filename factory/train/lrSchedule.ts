// Learning-rate schedules with Hugging Face transformers' semantics (optimization.py):
//   get_constant_schedule_with_warmup, get_linear_schedule_with_warmup,
//   get_cosine_schedule_with_warmup (num_cycles 0.5). With W warmup steps and N training steps,
//   at scheduler step s:
//     s < W                   : s / max(1, W)                                   (all three)
//     constant                : 1
//     linear                  : max(0, (N - s) / max(1, N - W))
//     cosine                  : max(0, 0.5 * (1 + cos(pi * 2 * 0.5 * (s - W) / max(1, N - W))))
//   lr = base_lr * factor.
// Step numbering is torch's LambdaLR in a Trainer loop: the k-th optimizer update (k = 1, 2, ...)
// runs at s = k - 1, i.e. s counts the updates already made. So with warmup the first update has
// lr 0, as in transformers' Trainer.
import { RequestError } from '../../common/index.ts';

export type LrScheduleKind = 'constant' | 'linear' | 'cosine';

export interface LrSchedule {
  kind: LrScheduleKind;
  /** W: steps of linear warmup from 0. Default 0. */
  warmupSteps?: number;
  /** N: optimizer steps of the whole run (linear and cosine decay to 0 at N; constant ignores it). */
  totalSteps?: number;
}

function count(v: number | undefined, param: string, min: number): number {
  const x = v ?? 0;
  if (!Number.isInteger(x) || x < min)
    throw new RequestError('invalid_request', `${param} must be an integer >= ${min} (got ${v})`, { param });
  return x;
}

/** Checks a schedule's fields (RequestError naming the field). */
export function validateLrSchedule(s: LrSchedule): void {
  if (s.kind !== 'constant' && s.kind !== 'linear' && s.kind !== 'cosine')
    throw new RequestError('invalid_request', `lr_scheduler_type must be constant, linear or cosine (got ${s.kind})`, {
      param: 'lr_scheduler_type',
    });
  count(s.warmupSteps, 'warmup_steps', 0);
  if (s.kind !== 'constant') count(s.totalSteps, 'total_steps', 1);
}

/** The multiplier of the base learning rate at scheduler step `step` (= updates already made). */
export function lrFactor(s: LrSchedule, step: number): number {
  validateLrSchedule(s);
  const w = s.warmupSteps ?? 0;
  if (step < w) return step / Math.max(1, w);
  if (s.kind === 'constant') return 1;
  const n = s.totalSteps!;
  if (s.kind === 'linear') return Math.max(0, (n - step) / Math.max(1, n - w));
  const progress = (step - w) / Math.max(1, n - w);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress)));
}

/** base_lr * lrFactor(s, step). */
export function learningRate(baseLr: number, s: LrSchedule, step: number): number {
  return baseLr * lrFactor(s, step);
}
