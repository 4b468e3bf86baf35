// AdamW with torch.optim.AdamW's semantics (amsgrad, maximize off), for fp32 parameters updated in
// place. At update t = 1, 2, ... with learning rate lr (from the schedule), for each element:
//   p  = p * (1 - lr * weight_decay)                    decoupled weight decay, first
//   m  = beta1 * m + (1 - beta1) * g                    (torch: m.lerp_(g, 1 - beta1))
//   v  = beta2 * v + (1 - beta2) * g^2
//   p  = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// i.e. p -= lr * m_hat / (sqrt(v_hat) + eps): eps is added after the square root of the
// bias-corrected v. The moments are float32, as torch keeps them for fp32 parameters
// (zeros_like(param)); each element is computed in float64 and rounded once to float32 on store
// (torch rounds after every op: the two differ by a few ulps). Defaults are torch's, except lr
// which a job always sets: beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.01.
//
// State for checkpoints: { step, expAvg[i], expAvgSq[i] } (torch's state_dict names: step,
// exp_avg, exp_avg_sq), plain Float32Arrays shaped like the parameters.
//
// Glossary: n parameters, P_i elements of parameter i.
import { LoraledgerError, RequestError } from '../../common/index.ts';

export interface AdamWOptions {
  /** Learning rate when step() is given none. Default 1e-3 (torch's). */
  lr?: number;
  /** [beta1, beta2]. Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to sqrt(v_hat). Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay (p *= 1 - lr * wd). Default 0.01. */
  weightDecay?: number;
}

export interface AdamWState {
  /** Updates made so far (torch's `step`). */
  step: number;
  expAvg: Float32Array[]; // [n][P_i]  first moments
  expAvgSq: Float32Array[]; // [n][P_i]  second moments
}

function check(ok: boolean, param: string, message: string): void {
  if (!ok) throw new RequestError('invalid_request', message, { param });
}

export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly m: Float32Array[]; // [n][P_i]
  private readonly v: Float32Array[]; // [n][P_i]

  /** `params` are updated in place by step(); `state` resumes from a checkpoint (copied). */
  constructor(
    readonly params: readonly Float32Array[], // [n][P_i]
    options: AdamWOptions = {},
    state?: AdamWState,
  ) {
    this.lr = options.lr ?? 1e-3;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    check(this.lr >= 0, 'learning_rate', `learning rate must be >= 0 (got ${this.lr})`);
    check(this.beta1 >= 0 && this.beta1 < 1, 'beta1', `beta1 must be in [0, 1) (got ${this.beta1})`);
    check(this.beta2 >= 0 && this.beta2 < 1, 'beta2', `beta2 must be in [0, 1) (got ${this.beta2})`);
    check(this.eps >= 0, 'eps', `eps must be >= 0 (got ${this.eps})`);
    check(this.weightDecay >= 0, 'weight_decay', `weight decay must be >= 0 (got ${this.weightDecay})`);
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
    if (state) this.loadState(state);
  }

  /** Updates made so far (torch's state `step`). */
  get stepCount(): number {
    return this.t;
  }

  /** One update (torch's optimizer.step()) from `grads`, shaped like the parameters, at learning rate `lr`. */
  step(grads: readonly Float32Array[] /* [n][P_i] */, lr: number = this.lr): void {
    const misfit = this.misfit(grads, 'gradients');
    if (misfit) throw new LoraledgerError('internal_error', misfit);
    check(lr >= 0, 'learning_rate', `learning rate must be >= 0 (got ${lr})`);
    this.t += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const decay = 1 - lr * this.weightDecay;
    const stepSize = lr / (1 - b1 ** this.t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!;
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const pi = Math.fround(p[i]! * decay);
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        p[i] = pi - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + this.eps);
      }
    }
  }

  /** A copy of the optimizer state, for a checkpoint. */
  state(): AdamWState {
    return { step: this.t, expAvg: this.m.map((a) => a.slice()), expAvgSq: this.v.map((a) => a.slice()) };
  }

  /** Restores a checkpointed state (copied); its arrays must be shaped like the parameters. */
  loadState(s: AdamWState): void {
    if (!Number.isInteger(s.step) || s.step < 0)
      throw new RequestError('invalid_request', `optimizer state step must be an integer >= 0 (got ${s.step})`, {
        param: 'checkpoint',
      });
    const misfit =
      this.misfit(s.expAvg, 'optimizer state exp_avg') ?? this.misfit(s.expAvgSq, 'optimizer state exp_avg_sq');
    if (misfit) throw new RequestError('invalid_request', misfit, { param: 'checkpoint' });
    this.t = s.step;
    s.expAvg.forEach((a, k) => this.m[k]!.set(a));
    s.expAvgSq.forEach((a, k) => this.v[k]!.set(a));
  }

  /** Why `arrays` are not shaped like the parameters, or undefined when they are. */
  private misfit(arrays: readonly Float32Array[], what: string): string | undefined {
    const ok = arrays.length === this.params.length && arrays.every((a, k) => a.length === this.params[k]!.length);
    if (ok) return undefined;
    const sizes = (xs: readonly Float32Array[]) => `[${xs.map((x) => x.length).join(', ')}]`;
    return `AdamW: ${what} have sizes ${sizes(arrays)}, the parameters ${sizes(this.params)}`;
  }
}
