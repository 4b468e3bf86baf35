import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoraledgerError, RequestError } from '../../common/index.ts';
import { AdamW } from './adamw.ts';
import { clipGradNorm } from './clipGradNorm.ts';
import { learningRate, type LrSchedule } from './lrSchedule.ts';

// Independent reference, in float64, written from the algorithm box of the PyTorch docs
// (torch.optim.AdamW, amsgrad = maximize = False), torch's clip_grad_norm_ docs and Hugging Face's
// schedule docs ("decreases linearly from the initial lr set in the optimizer to 0 after a warmup
// period during which it increases linearly from 0"; cosine "following the values of the cosine
// function between the initial lr and 0").
interface RefOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maxNorm: number;
  schedule: 'constant' | 'linear' | 'cosine';
  warmup: number;
  total: number;
}

function refLr(o: RefOptions, s: number): number {
  // s = scheduler steps taken before this update (LambdaLR.last_epoch).
  if (s < o.warmup) return (o.lr * s) / o.warmup;
  const progress = Math.min(1, (s - o.warmup) / (o.total - o.warmup));
  if (o.schedule === 'constant') return o.lr;
  if (o.schedule === 'linear') return o.lr * (1 - progress);
  return o.lr * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Runs `steps` updates of the reference; grad(theta) gives each step's gradients. */
function reference(
  theta0: number[][],
  grad: (theta: number[][]) => number[][],
  o: RefOptions,
  steps: number,
): number[][] {
  const theta = theta0.map((p) => [...p]);
  const m = theta.map((p) => p.map(() => 0));
  const v = theta.map((p) => p.map(() => 0));
  const [b1, b2] = o.betas;
  for (let t = 1; t <= steps; t++) {
    let g = grad(theta);
    if (o.maxNorm > 0) {
      const norm = Math.sqrt(g.flat().reduce((a, x) => a + x * x, 0));
      const coef = Math.min(1, o.maxNorm / (norm + 1e-6));
      g = g.map((gi) => gi.map((x) => x * coef));
    }
    const gamma = refLr(o, t - 1);
    for (let k = 0; k < theta.length; k++) {
      for (let i = 0; i < theta[k]!.length; i++) {
        theta[k]![i] = theta[k]![i]! - gamma * o.weightDecay * theta[k]![i]!;
        m[k]![i] = b1 * m[k]![i]! + (1 - b1) * g[k]![i]!;
        v[k]![i] = b2 * v[k]![i]! + (1 - b2) * g[k]![i]! ** 2;
        const mHat = m[k]![i]! / (1 - b1 ** t);
        const vHat = v[k]![i]! / (1 - b2 ** t);
        theta[k]![i] = theta[k]![i]! - (gamma * mHat) / (Math.sqrt(vHat) + o.eps);
      }
    }
  }
  return theta;
}

// A quadratic bowl with very different curvatures, so the gradients depend on the trajectory.
const TARGET = [
  [0.5, -1.5, 2, 0.001],
  [3, -0.25, 0.75],
];
const CURV = [
  [1, 10, 0.1, 1000],
  [0.01, 5, 2],
];
const gradOf = (theta: ArrayLike<number>[]) =>
  theta.map((p, k) => Array.from(p, (x, i) => CURV[k]![i]! * (x - TARGET[k]![i]!)));
const THETA0 = [
  [1, 0.2, -0.3, 0.002],
  [0, 1, -1],
];

function runImpl(o: RefOptions, steps: number): Float32Array[] {
  const params = THETA0.map((p) => Float32Array.from(p));
  const opt = new AdamW(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
  const schedule: LrSchedule = { kind: o.schedule, warmupSteps: o.warmup, totalSteps: o.total };
  for (let s = 0; s < steps; s++) {
    const grads = gradOf(params).map((g) => Float32Array.from(g));
    clipGradNorm(grads, o.maxNorm);
    opt.step(grads, learningRate(o.lr, schedule, opt.stepCount));
  }
  assert.equal(opt.stepCount, steps);
  return params;
}

function assertClose(got: ArrayLike<number>[], want: number[][], tol: number, label: string): void {
  want.forEach((w, k) =>
    w.forEach((x, i) => {
      const g = got[k]![i]!;
      assert.ok(
        Math.abs(g - x) <= tol * Math.max(1, Math.abs(x)),
        `${label}: param[${k}][${i}] ${g} vs reference ${x}`,
      );
    }),
  );
}

const BASE: RefOptions = {
  lr: 0.05,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0.01,
  maxNorm: 0,
  schedule: 'constant',
  warmup: 0,
  total: 8,
};

test('AdamW follows the PyTorch algorithm: decay, moments, bias correction, eps after sqrt', () => {
  const cases: Array<[string, Partial<RefOptions>]> = [
    ['defaults + weight decay', {}],
    ['no weight decay', { weightDecay: 0 }],
    ['strong weight decay', { weightDecay: 0.5 }],
    ['large eps (placement matters)', { eps: 0.05 }],
    ['other betas', { betas: [0.5, 0.9] }],
    ['clipping', { maxNorm: 0.5 }],
    ['constant + warmup', { warmup: 3 }],
    ['linear + warmup', { schedule: 'linear', warmup: 2 }],
    ['linear, no warmup', { schedule: 'linear' }],
    ['cosine + warmup', { schedule: 'cosine', warmup: 2 }],
    ['cosine + clipping + decay', { schedule: 'cosine', maxNorm: 1, weightDecay: 0.1 }],
  ];
  for (const [label, over] of cases) {
    const o = { ...BASE, ...over };
    for (const steps of [1, 2, 5, 8]) {
      assertClose(runImpl(o, steps), reference(THETA0, gradOf, o, steps), 2e-6, `${label}, ${steps} steps`);
    }
  }
});

test('AdamW hand-computed values: first step, eps placement, pure weight decay', () => {
  // p=1, g=0.5, lr=0.1, wd=0.01: p = 0.999, m_hat = 0.5, v_hat = 0.25, p -= 0.1 * 0.5 / (0.5 + 1e-8).
  const p = Float32Array.of(1);
  new AdamW([p], { lr: 0.1 }).step([Float32Array.of(0.5)]);
  assert.equal(p[0], Math.fround(0.999 - 0.1 * (0.5 / (0.5 + 1e-8))));
  // eps = 0.1 added after sqrt(v_hat): -0.5 / 0.6. (Added to sqrt(v) before the bias correction
  // it would give -0.1365; inside the square root, -0.6455.)
  const q = Float32Array.of(0);
  new AdamW([q], { lr: 1, eps: 0.1, weightDecay: 0 }).step([Float32Array.of(0.5)]);
  assert.ok(Math.abs(q[0]! - -0.5 / 0.6) < 1e-6, String(q[0]));
  // Zero gradients: only the decoupled decay acts, p *= 1 - lr * wd per step.
  const r = Float32Array.of(2, -4);
  const opt = new AdamW([r], { lr: 0.1, weightDecay: 0.2 });
  for (let i = 0; i < 3; i++) opt.step([new Float32Array(2)]);
  assertClose([r], [[2 * 0.98 ** 3, -4 * 0.98 ** 3]], 1e-6, 'pure decay');
});

test('AdamW state: float32 moments that resume a run bit for bit', () => {
  const o = { ...BASE, schedule: 'cosine' as const, warmup: 1, maxNorm: 1 };
  const straight = runImpl(o, 8);
  const params = THETA0.map((x) => Float32Array.from(x));
  const schedule: LrSchedule = { kind: 'cosine', warmupSteps: 1, totalSteps: 8 };
  const stepOnce = (opt: AdamW) => {
    const g = gradOf(params).map((x) => Float32Array.from(x));
    clipGradNorm(g, 1);
    opt.step(g, learningRate(o.lr, schedule, opt.stepCount));
  };
  const first = new AdamW(params, { lr: o.lr });
  for (let i = 0; i < 3; i++) stepOnce(first);
  const saved = first.state();
  assert.equal(saved.step, 3);
  assert.ok(saved.expAvg.every((a) => a instanceof Float32Array) && saved.expAvgSq[1]!.length === 3);
  const resumed = new AdamW(params, { lr: o.lr }, saved);
  saved.expAvg[0]![0] = 123; // the optimizer holds copies
  for (let i = 0; i < 5; i++) stepOnce(resumed);
  assert.deepEqual(params, straight);
  assert.equal(resumed.stepCount, 8);
});

test('AdamW refuses bad options, misfit gradients and misfit checkpoints', () => {
  const p = [new Float32Array(3)];
  assert.throws(
    () => new AdamW(p, { lr: -1 }),
    (e) => e instanceof RequestError && e.param === 'learning_rate',
  );
  assert.throws(() => new AdamW(p, { betas: [1, 0.999] }), RequestError);
  assert.throws(() => new AdamW(p, { weightDecay: -0.1 }), RequestError);
  const opt = new AdamW(p);
  assert.throws(
    () => opt.step([new Float32Array(2)]),
    (e) => e instanceof LoraledgerError && e.code === 'internal_error',
  );
  assert.throws(
    () => opt.loadState({ step: 1, expAvg: [new Float32Array(3)], expAvgSq: [] }),
    (e) => e instanceof RequestError && e.param === 'checkpoint' && /exp_avg_sq have sizes \[\]/.test(e.message),
  );
  assert.throws(() => opt.loadState({ step: 1.5, expAvg: [], expAvgSq: [] }), RequestError);
});
