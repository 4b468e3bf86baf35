// The active-adapter slot stacks fed to the decoder graph (the "slot" tier of the adapter cache).
//
// Glossary: L layers, S slots (= maxActiveAdapters + 1), Din/Dout the target's in/out features,
// R the max LoRA rank (stacks are zero-padded to it), n the targets of an A group (LORA_A_GROUPS).
//
// For each layer l:
//   a[l][group]:  Float32Array [S, Din, n*R]  target i of the group in columns i*R .. i*R+R-1
//   b[l][target]: Float32Array [S, R, Dout]
// Slot 0 stays all zeros: it is the base model, so a base row is just a row in slot 0.
// write(slot, w): the slot's A columns of a target = w.A zero-padded to R; b[slot] = w.scale * w.B
// zero-padded to R; absent targets are zeroed, so the LoRA term x·A·B of that slot is exactly the
// adapter's delta.
import { AdapterError } from '../../common/index.ts';
import { GRAPH_INPUTS } from '../graph/graphContract.ts';
import type { AdapterWeights } from '../model/loraWeights.ts';
import { LORA_A_GROUPS, LORA_TARGETS, targetShape, type LoraTarget, type ModelSpec } from '../model/modelSpec.ts';

export interface SlotStackA {
  /** Its graph input name (GRAPH_INPUTS.loraA), made once. */
  name: string;
  targets: readonly LoraTarget[]; // the group, in column order
  data: Float32Array; // [S, Din, n*R]
  din: number;
  width: number; // n*R
}

export interface SlotStackB {
  /** Its graph input name (GRAPH_INPUTS.loraB), made once. */
  name: string;
  data: Float32Array; // [S, R, Dout]
  dout: number;
}

export interface LayerStacks {
  a: SlotStackA[]; // one per LORA_A_GROUPS entry, same order
  b: Map<LoraTarget, SlotStackB>;
}

export class LoraSlots {
  readonly slots: number; // S
  readonly rank: number; // R
  readonly stacks: LayerStacks[]; // [L]

  constructor(spec: ModelSpec, opts: { maxActiveAdapters: number; maxLoraRank: number }) {
    this.slots = opts.maxActiveAdapters + 1;
    this.rank = opts.maxLoraRank;
    this.stacks = [];
    for (let l = 0; l < spec.numLayers; l++) {
      const a = LORA_A_GROUPS.map((targets) => {
        const din = targetShape(spec, targets[0]!)[0];
        const width = targets.length * this.rank;
        const name = GRAPH_INPUTS.loraA(l, targets);
        return { name, targets, data: new Float32Array(this.slots * din * width), din, width };
      });
      const b = new Map<LoraTarget, SlotStackB>();
      for (const t of LORA_TARGETS) {
        const dout = targetShape(spec, t)[1];
        b.set(t, { name: GRAPH_INPUTS.loraB(l, t), data: new Float32Array(this.slots * this.rank * dout), dout });
      }
      this.stacks.push({ a, b });
    }
  }

  /** Copies an adapter into a slot (1..S-1). */
  write(slot: number, w: AdapterWeights): void {
    this.checkSlot(slot);
    const R = this.rank;
    const r = w.rank;
    if (r > R)
      throw new AdapterError('adapter_invalid', `adapter "${w.id}" has rank ${r}, above max_lora_rank ${R}`, {
        details: { id: w.id, rank: r },
      });
    if (w.layers.length !== this.stacks.length)
      throw new AdapterError(
        'adapter_invalid',
        `adapter "${w.id}" has ${w.layers.length} layers, the model has ${this.stacks.length}`,
      );
    this.stacks.forEach((st, l) => {
      for (const [t, pair] of w.layers[l]!) {
        const din = st.a.find((g) => g.targets.includes(t))!.din;
        const dout = st.b.get(t)!.dout;
        if (pair.a.length !== din * r || pair.b.length !== r * dout) {
          throw new AdapterError(
            'adapter_invalid',
            `adapter "${w.id}" layer ${l} ${t}: A/B sizes ${pair.a.length}/${pair.b.length} do not fit [${din}, ${r}]/[${r}, ${dout}]`,
          );
        }
      }
    });
    // Every byte of the slot is written once: the adapter's pairs, zeros for the rest.
    this.stacks.forEach((st, l) => {
      const pairs = w.layers[l]!;
      for (const g of st.a) {
        const at = slot * g.din * g.width; // the slot's [Din, n*R]
        if (r < R || g.targets.some((t) => !pairs.has(t))) g.data.fill(0, at, at + g.din * g.width);
        for (let i = 0; i < g.targets.length; i++) {
          const a = pairs.get(g.targets[i]!)?.a; // [Din, r]
          if (a) copyRows(a, g.din, r, g.data, at + i * R, g.width);
        }
      }
      for (const [t, st1] of st.b) {
        const b0 = slot * R * st1.dout;
        const pair = pairs.get(t);
        const n = pair ? r * st1.dout : 0;
        // scale * B [r, Dout] -> rows 0..r-1 of the slot's [R, Dout], rows r..R-1 zero
        if (pair) {
          const dst = st1.data.subarray(b0, b0 + n);
          if (w.scale === 1) dst.set(pair.b);
          else for (let j = 0; j < n; j++) dst[j] = w.scale * pair.b[j]!;
        }
        st1.data.fill(0, b0 + n, b0 + R * st1.dout);
      }
    });
  }

  /** Zeroes a slot (1..S-1). */
  clear(slot: number): void {
    this.checkSlot(slot);
    for (const st of this.stacks) {
      for (const g of st.a) g.data.fill(0, slot * g.din * g.width, (slot + 1) * g.din * g.width);
      for (const st1 of st.b.values()) st1.data.fill(0, slot * this.rank * st1.dout, (slot + 1) * this.rank * st1.dout);
    }
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot >= this.slots)
      throw new RangeError(`LoRA slot ${slot} outside 1..${this.slots - 1} (slot 0 is the base model)`);
  }
}

/** dst[at + d*stride + j] = src[d*cols + j] for d < rows, j < cols (a [rows, cols] block into wider rows). */
function copyRows(src: Float32Array, rows: number, cols: number, dst: Float32Array, at: number, stride: number): void {
  if (cols === stride) {
    dst.set(src, at);
    return;
  }
  for (let d = 0; d < rows; d++) {
    const o = at + d * stride;
    const i = d * cols;
    for (let j = 0; j < cols; j++) dst[o + j] = src[i + j]!;
  }
}
