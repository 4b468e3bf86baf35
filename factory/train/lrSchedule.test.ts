import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../common/index.ts';
import { learningRate, lrFactor, type LrSchedule } from './lrSchedule.ts';

// Values worked by hand from transformers' get_*_schedule_with_warmup lambdas.
const factors = (s: LrSchedule, n: number) => Array.from({ length: n }, (_, i) => lrFactor(s, i));
const close = (got: number[], want: number[]) =>
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-12, `step ${i}: ${g} vs ${want[i]}`));

test('constant: warmup from 0, then 1 (no warmup: 1 from the first step)', () => {
  close(factors({ kind: 'constant', warmupSteps: 4 }, 7), [0, 0.25, 0.5, 0.75, 1, 1, 1]);
  close(factors({ kind: 'constant' }, 3), [1, 1, 1]);
});

test('linear: warmup, then down to 0 at total_steps, never below', () => {
  // W 2, N 10: s/2 for s < 2, then (10 - s) / 8.
  close(factors({ kind: 'linear', warmupSteps: 2, totalSteps: 10 }, 12), [
    0,
    0.5,
    1,
    7 / 8,
    6 / 8,
    5 / 8,
    4 / 8,
    3 / 8,
    2 / 8,
    1 / 8,
    0,
    0,
  ]);
});

test('cosine: half a cosine from 1 to 0 after warmup', () => {
  const c = Math.SQRT1_2;
  // W 0, N 4: 0.5 * (1 + cos(pi * s / 4)).
  close(factors({ kind: 'cosine', totalSteps: 4 }, 6), [1, 0.5 * (1 + c), 0.5, 0.5 * (1 - c), 0, 0.5 * (1 - c)]);
  // (Past total_steps the cosine rises again, as in transformers: nothing clamps the progress.)
  // W 1, N 5: 0, then 0.5 * (1 + cos(pi * (s - 1) / 4)).
  close(factors({ kind: 'cosine', warmupSteps: 1, totalSteps: 5 }, 6), [0, 1, 0.5 * (1 + c), 0.5, 0.5 * (1 - c), 0]);
  assert.equal(learningRate(2e-4, { kind: 'cosine', warmupSteps: 1, totalSteps: 5 }, 3), 1e-4);
});

test('bad schedules are refused, naming the field', () => {
  const param = (s: LrSchedule) => {
    try {
      lrFactor(s, 0);
    } catch (e) {
      assert.ok(e instanceof RequestError);
      return e.param;
    }
    return null;
  };
  assert.equal(param({ kind: 'linear', warmupSteps: 1 }), 'total_steps');
  assert.equal(param({ kind: 'cosine', warmupSteps: -1, totalSteps: 3 }), 'warmup_steps');
  assert.equal(param({ kind: 'step' as never }), 'lr_scheduler_type');
  assert.equal(param({ kind: 'constant', warmupSteps: 2 }), null);
});
