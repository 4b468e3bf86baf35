// Builds the LoRA inputs of one forward call from its rows' slots (see the GRAPH CONTRACT in
// kernels/types.ts). The kernel is picked once from EngineOptions.loraKernel (house style §4).
//
// Glossary: B rows of the call, T new tokens per row (padded), N = B*T flattened positions,
// K slots fed to the call (a contiguous run sMin..sMax), M positions per bucket (padded),
// S all slots, Din/Dout a target's in/out features, R max rank.
//
// grouped:  bucket k <- slot sMin + k. For each valid position n = b*T + t (t < newLen[b]) of a row
//           with slot s > 0, it takes the next place j of bucket s - sMin:
//             idx_in[k, j] = n;  idx_out[n] = k*M + j
//           unused places hold idx_in = N, the zero row the graph appends to x, so their delta is
//           exactly 0; every other position n (base rows, padding) gets idx_out[n] = an unused
//           place. If a base row needs one and every bucket is full, the run starts one slot
//           lower (slot sMin - 1, whose bucket is then all unused places).
//           Stacks: zero-copy views [K, Din, n*R] / [K, R, Dout] of slots sMin..sMax. A call with no
//           adapter row feeds K = 1, M = 1 (idx_in [[N]]), R = 1 zero tensors.
// gather:   lora_slot[b] = slot of row b; the full [S, ...] stacks.
import type { LoraKernel } from '../graph/graphContract.ts';
import { GRAPH_INPUTS } from '../graph/graphContract.ts';
import type { LoraSlots } from './loraSlots.ts';

export type LoraPlan =
  | {
      kernel: 'grouped';
      K: number;
      M: number;
      slotStart: number;
      idxIn: BigInt64Array /* [K, M] */;
      idxOut: BigInt64Array; /* [N] */
    }
  | { kernel: 'gather'; slot: BigInt64Array /* [B] */ };

export interface PlanRows {
  slots: ArrayLike<number>; // [B] slot per row (0 = base)
  newLen: ArrayLike<number>; // [B] valid new tokens per row
  T: number;
}

export function planLora(kernel: LoraKernel, rows: PlanRows): LoraPlan {
  const B = rows.slots.length;
  if (kernel === 'gather') {
    const slot = new BigInt64Array(B);
    for (let b = 0; b < B; b++) slot[b] = BigInt(rows.slots[b]);
    return { kernel, slot };
  }
  const N = B * rows.T;
  let sMin = Infinity;
  let sMax = -1;
  for (let b = 0; b < B; b++) {
    const s = rows.slots[b];
    if (s > 0) {
      sMin = Math.min(sMin, s);
      sMax = Math.max(sMax, s);
    }
  }
  if (sMax < 0) {
    const idxIn = BigInt64Array.of(BigInt(N));
    return { kernel, K: 1, M: 1, slotStart: 0, idxIn, idxOut: new BigInt64Array(N) };
  }
  let K = sMax - sMin + 1;
  let count = new Int32Array(K);
  let baseRows = false;
  let used = 0;
  for (let b = 0; b < B; b++) {
    if (rows.slots[b] > 0) ((count[rows.slots[b] - sMin] += rows.newLen[b]), (used += rows.newLen[b]));
    else baseRows = true;
  }
  let M = 1;
  for (let k = 0; k < K; k++) M = Math.max(M, count[k]);
  if (baseRows && used === K * M) {
    // A base row needs a place whose delta is 0 and every bucket is full: take in slot sMin - 1
    // (>= 0; slot 0 is all zeros) as one more bucket, one slot's weights read, instead of M + 1.
    sMin--;
    K++;
    count = new Int32Array(K);
  }
  const idxIn = new BigInt64Array(K * M).fill(BigInt(N));
  count.fill(0);
  for (let b = 0; b < B; b++) {
    const s = rows.slots[b];
    if (s === 0) continue;
    const k = s - sMin;
    for (let t = 0; t < rows.newLen[b]; t++) {
      const n = b * rows.T + t;
      const j = count[k]++;
      idxIn[k * M + j] = BigInt(n);
    }
  }
  // An unused place (delta 0) for the other positions: the first place with idx_in = N, if any
  // (when none exists no valid base position needs one; padding positions may then take place 0).
  const zeroPlace = BigInt(Math.max(0, idxIn.indexOf(BigInt(N))));
  const idxOut = new BigInt64Array(N).fill(zeroPlace);
  for (let k = 0; k < K * M; k++) if (idxIn[k] !== BigInt(N)) idxOut[Number(idxIn[k])] = BigInt(k);
  return { kernel, K, M, slotStart: sMin, idxIn, idxOut };
}

export interface FeedTensor {
  type: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
  dims: number[];
}

/** The grouped kernel's no-adapter feeds (R = 1 zero tensors) of each slot stack set, made once. */
const noneFeeds = new WeakMap<LoraSlots, Array<[string, FeedTensor]>>();
function zeroFeeds(slots: LoraSlots): Array<[string, FeedTensor]> {
  let f = noneFeeds.get(slots);
  if (!f) {
    f = [];
    for (const st of slots.stacks) {
      for (const g of st.a) {
        const n = g.targets.length;
        f.push([g.name, { type: 'float32', data: new Float32Array(g.din * n), dims: [1, g.din, n] }]);
      }
      for (const b of st.b.values())
        f.push([b.name, { type: 'float32', data: new Float32Array(b.dout), dims: [1, 1, b.dout] }]);
    }
    noneFeeds.set(slots, f);
  }
  return f;
}

/** The LoRA feeds of one call: name -> tensor (views into `slots`, no copy). */
export function loraFeeds(
  plan: LoraPlan,
  slots: LoraSlots,
  out: Record<string, FeedTensor> = {},
): Record<string, FeedTensor> {
  const R = slots.rank;
  if (plan.kernel === 'gather') {
    out[GRAPH_INPUTS.loraSlot] = { type: 'int64', data: plan.slot, dims: [plan.slot.length] };
  } else {
    out[GRAPH_INPUTS.loraIdxIn] = { type: 'int64', data: plan.idxIn, dims: [plan.K, plan.M] };
    out[GRAPH_INPUTS.loraIdxOut] = { type: 'int64', data: plan.idxOut, dims: [plan.idxOut.length] };
  }
  // Slots fed: all S (gather), none (grouped call without adapter rows: R = 1 zero tensors, the
  // same every call; a run that starts at slot 0 for a base row has K >= 2), or the run
  // slotStart .. slotStart + K - 1.
  if (plan.kernel === 'grouped' && plan.slotStart === 0 && plan.K === 1) {
    for (const [name, t] of zeroFeeds(slots)) out[name] = t;
    return out;
  }
  const [s0, k] = plan.kernel === 'gather' ? [0, slots.slots] : [plan.slotStart, plan.K];
  const view = (data: Float32Array, perSlot: number): Float32Array => data.subarray(s0 * perSlot, (s0 + k) * perSlot);
  for (const st of slots.stacks) {
    for (const g of st.a)
      out[g.name] = { type: 'float32', data: view(g.data, g.din * g.width), dims: [k, g.din, g.width] };
    for (const b of st.b.values())
      out[b.name] = { type: 'float32', data: view(b.data, R * b.dout), dims: [k, R, b.dout] };
  }
  return out;
}
