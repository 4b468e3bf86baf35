import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../common/index.ts';
import { LORA_TARGETS, targetShape, type LoraTarget } from '../../kernels/model/index.ts';
import { TINY_SPEC } from '../index.ts';
import { initLora } from './initLora.ts';

const spec = TINY_SPEC;

test("PEFT's default init: A ~ U(-1/sqrt(Din), 1/sqrt(Din)) as [Din, R], B = 0 as [R, Dout]", () => {
  const rank = 8;
  const w = initLora({ spec, rank, targets: LORA_TARGETS, seed: 1, alpha: 16 });
  assert.equal(w.rank, rank);
  assert.equal(w.scale, 2);
  assert.equal(w.layers.length, spec.numLayers);
  let bytes = 0;
  for (const layer of w.layers) {
    assert.deepEqual([...layer.keys()], [...LORA_TARGETS]);
    for (const [t, pair] of layer) {
      const [din, dout] = targetShape(spec, t);
      assert.equal(pair.a.length, din * rank);
      assert.equal(pair.b.length, rank * dout);
      assert.ok(
        pair.b.every((x) => x === 0),
        `${t}: B is zero`,
      );
      // kaiming_uniform_(a=sqrt(5)) on a [R, Din] weight: gain sqrt(2/(1+5)), bound gain*sqrt(3/Din).
      const bound = Math.sqrt(2 / (1 + 5)) * Math.sqrt(3 / din);
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sq = 0;
      for (const x of pair.a) {
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
        sq += x * x;
      }
      assert.ok(min >= -Math.fround(bound) && max <= Math.fround(bound), `${t}: within ±${bound}`);
      assert.ok(min < -0.9 * bound && max > 0.9 * bound, `${t}: fills the interval`);
      const n = pair.a.length;
      assert.ok(Math.abs(sum / n) < 0.1 * bound, `${t}: mean ~ 0`);
      const variance = sq / n;
      assert.ok(Math.abs(variance / ((bound * bound) / 3) - 1) < 0.15, `${t}: variance ~ bound^2/3`);
      bytes += pair.a.byteLength + pair.b.byteLength;
    }
  }
  assert.equal(w.bytes, bytes);
  assert.equal(initLora({ spec, rank: 4, targets: ['q_proj'], seed: 1, alpha: 8, useRslora: true }).scale, 4);
  assert.equal(initLora({ spec, rank: 4, targets: ['q_proj'], seed: 1 }).scale, 2, 'PEFT default alpha 8');
});

test('seeded: same seed -> same bytes; another seed -> other values; a matrix ignores the other targets', () => {
  const targets: LoraTarget[] = ['q_proj', 'v_proj', 'down_proj'];
  const a = initLora({ spec, rank: 4, targets, seed: 42 });
  const b = initLora({ spec, rank: 4, targets, seed: 42 });
  assert.deepEqual(a, b);
  const c = initLora({ spec, rank: 4, targets, seed: 43 });
  assert.notDeepEqual(c.layers[0]!.get('q_proj')!.a, a.layers[0]!.get('q_proj')!.a);
  assert.notDeepEqual(a.layers[0]!.get('q_proj')!.a, a.layers[1]!.get('q_proj')!.a, 'layers differ');
  const alone = initLora({ spec, rank: 4, targets: ['v_proj'], seed: 42 });
  assert.deepEqual(alone.layers[1]!.get('v_proj'), a.layers[1]!.get('v_proj'));
});

test('bad options are refused', () => {
  assert.throws(() => initLora({ spec, rank: 0, targets: ['q_proj'], seed: 1 }), RequestError);
  assert.throws(() => initLora({ spec, rank: 2, targets: [], seed: 1 }), RequestError);
  assert.throws(() => initLora({ spec, rank: 2, targets: ['q_proj', 'q_proj'], seed: 1 }), RequestError);
  assert.throws(() => initLora({ spec, rank: 2, targets: ['lm_head' as LoraTarget], seed: 1 }), RequestError);
  assert.throws(() => initLora({ spec, rank: 2, targets: ['q_proj'], seed: 1, alpha: 0 }), RequestError);
});
