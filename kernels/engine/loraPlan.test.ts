import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planLora, loraFeeds, type LoraPlan } from './loraPlan.ts';
import { LoraSlots } from './loraSlots.ts';
import { Prng } from '../../common/index.ts';
import type { AdapterWeights, LoraPair } from '../model/loraWeights.ts';
import { LORA_A_GROUPS, LORA_TARGETS, targetShape, type LoraTarget, type ModelSpec } from '../model/modelSpec.ts';

const spec = {
  hiddenSize: 8,
  intermediateSize: 12,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
  headDim: 4,
} as ModelSpec;

function adapter(id: string, rank: number, seed: number, targets: LoraTarget[]): AdapterWeights {
  const rng = new Prng(seed);
  const dims: Record<string, [number, number]> = { q_proj: [8, 8], v_proj: [8, 4], down_proj: [12, 8] };
  const layers = [0, 1].map(
    () =>
      new Map<LoraTarget, LoraPair>(
        targets.map((t) => {
          const [din, dout] = dims[t];
          return [
            t,
            { a: rng.fillNormal(new Float32Array(din * rank), 1), b: rng.fillNormal(new Float32Array(rank * dout), 1) },
          ];
        }),
      ),
  );
  return { id, rank, scale: 0.5 * seed, targets, layers, bytes: 0 };
}

/** The graph's LoRA term as the contract defines it, for one layer/target. */
function applyPlan(
  plan: LoraPlan,
  feeds: ReturnType<typeof loraFeeds>,
  layer: number,
  target: LoraTarget,
  x: Float32Array,
  N: number,
  din: number,
  dout: number,
  T: number,
): Float32Array {
  const group = LORA_A_GROUPS.find((g) => g.includes(target))!;
  const A = feeds[`lora_a.${layer}.${group.join('+')}`]; // [K|S, Din, n*R]: the target's R columns at ti*R
  const a = A.data as Float32Array;
  const b = feeds[`lora_b.${layer}.${target}`].data as Float32Array;
  const R = feeds[`lora_b.${layer}.${target}`].dims[1];
  const W = A.dims[2];
  const col = group.indexOf(target) * R;
  const y = new Float32Array(N * dout);
  for (let n = 0; n < N; n++) {
    let k = -1;
    if (plan.kernel === 'gather') k = Number(plan.slot[Math.floor(n / T)]);
    else {
      const o = Number(plan.idxOut[n]);
      assert.ok(o < plan.K * plan.M, `idx_out[${n}] = ${o} is a place`);
      const src = Number(plan.idxIn[o]);
      if (src !== N) {
        k = Math.floor(o / plan.M);
        assert.equal(src, n, 'a real place holds its own position');
      }
    }
    if (k < 0) continue;
    for (let r = 0; r < R; r++) {
      let h = 0;
      for (let i = 0; i < din; i++) h += x[n * din + i] * a[(k * din + i) * W + col + r];
      for (let j = 0; j < dout; j++) y[n * dout + j] += h * b[(k * R + r) * dout + j];
    }
  }
  return y;
}

test("grouped and gather plans compute each row's own adapter delta (direct reference)", () => {
  const slots = new LoraSlots(spec as ModelSpec, { maxActiveAdapters: 4, maxLoraRank: 4 });
  const ads = [
    adapter('x', 2, 1, ['q_proj', 'down_proj']),
    adapter('y', 4, 2, ['q_proj', 'v_proj']),
    adapter('z', 3, 3, ['down_proj']),
  ];
  slots.write(2, ads[0]);
  slots.write(3, ads[1]);
  slots.write(4, ads[2]);
  const rowSlots = [3, 0, 2, 3, 4, 0];
  const newLen = [2, 3, 1, 3, 2, 1];
  const T = 3;
  const N = rowSlots.length * T;
  for (const kernel of ['grouped', 'gather'] as const) {
    const plan = planLora(kernel, { slots: rowSlots, newLen, T });
    const feeds = loraFeeds(plan, slots);
    if (plan.kernel === 'grouped') {
      assert.equal(plan.slotStart, 2);
      assert.equal(plan.K, 3);
      assert.equal(plan.M, 5);
    }
    for (const [t, din, dout] of [
      ['q_proj', 8, 8],
      ['v_proj', 8, 4],
      ['down_proj', 12, 8],
    ] as const) {
      const x = new Prng(9).fillNormal(new Float32Array(N * din), 1);
      const y = applyPlan(plan, feeds, 1, t, x, N, din, dout, T);
      for (let n = 0; n < N; n++) {
        const b = Math.floor(n / T);
        const valid = n % T < newLen[b];
        const w = rowSlots[b] === 0 ? null : ads[rowSlots[b] - 2];
        const pair = w?.layers[1].get(t);
        for (let j = 0; j < dout; j++) {
          let want = 0;
          if (pair && (valid || kernel === 'gather')) {
            for (let r = 0; r < w!.rank; r++) {
              let h = 0;
              for (let i = 0; i < din; i++) h += x[n * din + i] * pair.a[i * w!.rank + r];
              want += w!.scale * h * pair.b[r * dout + j];
            }
          }
          assert.ok(
            Math.abs(y[n * dout + j] - want) < 1e-3,
            `${kernel} ${t} n=${n} j=${j}: ${y[n * dout + j]} vs ${want}`,
          );
        }
      }
    }
  }
});

test('a call with no adapter row feeds K=1, R=1 zeros and one unused place (idx_in = N) for every position', () => {
  const slots = new LoraSlots(spec as ModelSpec, { maxActiveAdapters: 2, maxLoraRank: 8 });
  const plan = planLora('grouped', { slots: [0, 0], newLen: [1, 1], T: 1 });
  assert.equal(plan.kernel, 'grouped');
  if (plan.kernel !== 'grouped') return;
  assert.deepEqual([plan.K, plan.M], [1, 1]);
  assert.deepEqual(Array.from(plan.idxIn), [2n]);
  assert.deepEqual(Array.from(plan.idxOut), [0n, 0n]);
  const f = loraFeeds(plan, slots);
  assert.deepEqual(f['lora_a.0.gate_proj+up_proj'].dims, [1, 8, 2]); // R = 1 per target of the group
  assert.deepEqual(f['lora_b.0.gate_proj'].dims, [1, 1, 12]);
});

test('grouped: a base row gets an unused place even when every bucket is full (one more slot below the run)', () => {
  const N = 3;
  const plan = planLora('grouped', { slots: [2, 3, 0], newLen: [1, 1, 1], T: 1 });
  if (plan.kernel !== 'grouped') return assert.fail('grouped plan');
  assert.deepEqual([plan.slotStart, plan.K, plan.M], [1, 3, 1]);
  assert.deepEqual(Array.from(plan.idxIn), [3n, 0n, 1n]);
  assert.deepEqual(Array.from(plan.idxOut), [1n, 2n, 0n]);
  assert.equal(plan.idxIn[Number(plan.idxOut[2])], BigInt(N), 'the base row reads the zero row');
  // Slot 1 in use: the run takes in slot 0 (all zeros).
  const low = planLora('grouped', { slots: [1, 0], newLen: [1, 1], T: 1 });
  if (low.kernel !== 'grouped') return assert.fail('grouped plan');
  assert.deepEqual([low.slotStart, low.K, low.M], [0, 2, 1]);
  // Without a base row nothing is added: K*M = 2 places for 2 adapter rows.
  const full = planLora('grouped', { slots: [1, 2], newLen: [1, 1], T: 1 });
  if (full.kernel !== 'grouped') return assert.fail('grouped plan');
  assert.deepEqual([full.slotStart, full.K, full.M], [1, 2, 1]);
});

test('slot writes zero-pad rank, fold the scale into B, clear absent targets; slot 0 is refused', () => {
  const slots = new LoraSlots(spec as ModelSpec, { maxActiveAdapters: 2, maxLoraRank: 4 });
  slots.write(1, adapter('y', 4, 2, ['q_proj', 'v_proj']));
  slots.write(1, adapter('x', 2, 1, ['down_proj']));
  const [qkv, , , down] = slots.stacks[0]!.a; // LORA_A_GROUPS order: q|k|v, o, gate|up, down
  assert.deepEqual(qkv!.targets, ['q_proj', 'k_proj', 'v_proj']);
  assert.ok(
    qkv!.data.subarray(8 * 12).every((v) => v === 0) &&
      slots.stacks[0]!.b.get('q_proj')!
        .data.subarray(4 * 8)
        .every((v) => v === 0),
  );
  const dA = down!;
  const dB = slots.stacks[0]!.b.get('down_proj')!;
  const w = adapter('x', 2, 1, ['down_proj']).layers[0].get('down_proj')!;
  assert.equal(dA.data[12 * 4 + 1], w.a[1]);
  assert.equal(dA.data[12 * 4 + 2], 0);
  assert.equal(dB.data[4 * 8 + 3], 0.5 * w.b[3]);
  // A group's targets sit side by side: slot 1, row 5 of q|k|v holds q in columns 0..3, v in 8..11.
  slots.write(1, adapter('z', 4, 1, ['q_proj', 'v_proj']));
  const z = adapter('z', 4, 1, ['q_proj', 'v_proj']).layers[0];
  const row = qkv!.data.subarray((8 + 5) * 12, (8 + 6) * 12);
  assert.deepEqual(
    Array.from(row),
    [...z.get('q_proj')!.a.subarray(5 * 4, 6 * 4), 0, 0, 0, 0, ...z.get('v_proj')!.a.subarray(5 * 4, 6 * 4)].map(
      Math.fround,
    ),
  );
  assert.throws(() => slots.write(0, adapter('x', 2, 1, ['q_proj'])), RangeError);
  slots.clear(1);
  assert.ok(dA.data.every((v) => v === 0) && dB.data.every((v) => v === 0) && qkv!.data.every((v) => v === 0));
});

test('LORA_A_GROUPS holds every target exactly once, each group reading one input (same Din)', () => {
  const flat = LORA_A_GROUPS.flat();
  assert.deepEqual([...flat].sort(), [...LORA_TARGETS].sort());
  assert.equal(new Set(flat).size, flat.length);
  const full = { ...spec, numKvHeads: 1, intermediateSize: 12 } as ModelSpec;
  for (const g of LORA_A_GROUPS) assert.equal(new Set(g.map((t) => targetShape(full, t)[0])).size, 1, g.join('+'));
});
