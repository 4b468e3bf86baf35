// The active-adapter slot stacks fed to the decoder graph (the "slot" tier of the adapter cache).
//
// Glossary: L layers, S slots (= maxActiveAdapters + 1), Din/Dout the target's in/out features,
// R the max LoRA rank (stacks are zero-padded to it).
//
// For each layer l and target t:  a[l][t]: Float32Array [S, Din, R],  b[l][t]: Float32Array [S, R, Dout].
// Slot 0 stays all zeros: it is the base model, so a base row is just a row in slot 0.
// write(slot, w): a[slot] = w.A zero-padded to R; b[slot] = w.scale * w.B zero-padded to R; absent
// targets are zeroed, so the LoRA term x·A·B of that slot is exactly the adapter's delta.
import { AdapterError } from '../server/errors.ts';
import type { AdapterWeights } from '../adapters/types.ts';
import { LORA_TARGETS, targetShape, type LoraTarget, type ModelSpec } from './types.ts';

export interface SlotStack {
  a: Float32Array; // [S, Din, R]
  b: Float32Array; // [S, R, Dout]
  din: number;
  dout: number;
}

export class LoraSlots {
  readonly slots: number; // S
  readonly rank: number; // R
  /** stacks[l].get(target) */
  readonly stacks: Array<Map<LoraTarget, SlotStack>>; // [L]

  constructor(spec: ModelSpec, opts: { maxActiveAdapters: number; maxLoraRank: number }) {
    this.slots = opts.maxActiveAdapters + 1;
    this.rank = opts.maxLoraRank;
    this.stacks = [];
    for (let l = 0; l < spec.numLayers; l++) {
      const m = new Map<LoraTarget, SlotStack>();
      for (const t of LORA_TARGETS) {
        const [din, dout] = targetShape(spec, t);
        m.set(t, { a: new Float32Array(this.slots * din * this.rank), b: new Float32Array(this.slots * this.rank * dout), din, dout });
      }
      this.stacks.push(m);
    }
  }

  /** Copies an adapter into a slot (1..S-1). */
  write(slot: number, w: AdapterWeights): void {
    this.checkSlot(slot);
    const R = this.rank;
    const r = w.rank;
    if (r > R) throw new AdapterError('adapter_invalid', `adapter "${w.id}" has rank ${r}, above max_lora_rank ${R}`, { details: { id: w.id, rank: r } });
    if (w.layers.length !== this.stacks.length) throw new AdapterError('adapter_invalid', `adapter "${w.id}" has ${w.layers.length} layers, the model has ${this.stacks.length}`);
    for (let l = 0; l < this.stacks.length; l++) {
      for (const [t, pair] of w.layers[l]) {
        const st = this.stacks[l].get(t)!;
        if (pair.a.length !== st.din * r || pair.b.length !== r * st.dout) {
          throw new AdapterError('adapter_invalid', `adapter "${w.id}" layer ${l} ${t}: A/B sizes ${pair.a.length}/${pair.b.length} do not fit [${st.din}, ${r}]/[${r}, ${st.dout}]`);
        }
      }
    }
    // Every byte of the slot is written once: the adapter's pairs, zeros for the rest.
    for (let l = 0; l < this.stacks.length; l++) {
      for (const [t, st] of this.stacks[l]) {
        const a0 = slot * st.din * R;
        const b0 = slot * R * st.dout;
        const pair = w.layers[l].get(t);
        if (!pair) {
          st.a.fill(0, a0, a0 + st.din * R);
          st.b.fill(0, b0, b0 + R * st.dout);
          continue;
        }
        // A [Din, r] -> the slot's [Din, R], columns r..R-1 zero
        if (r === R) st.a.set(pair.a, a0);
        else {
          st.a.fill(0, a0, a0 + st.din * R);
          for (let i = 0; i < st.din; i++) st.a.set(pair.a.subarray(i * r, (i + 1) * r), a0 + i * R);
        }
        // scale * B [r, Dout] -> rows 0..r-1 of the slot's [R, Dout], rows r..R-1 zero
        const n = r * st.dout;
        const dst = st.b.subarray(b0, b0 + n);
        if (w.scale === 1) dst.set(pair.b);
        else for (let j = 0; j < n; j++) dst[j] = w.scale * pair.b[j]!;
        st.b.fill(0, b0 + n, b0 + R * st.dout);
      }
    }
  }

  /** Zeroes a slot (1..S-1). */
  clear(slot: number): void {
    this.checkSlot(slot);
    for (const m of this.stacks) {
      for (const st of m.values()) {
        st.a.fill(0, slot * st.din * this.rank, (slot + 1) * st.din * this.rank);
        st.b.fill(0, slot * this.rank * st.dout, (slot + 1) * this.rank * st.dout);
      }
    }
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot >= this.slots) throw new RangeError(`LoRA slot ${slot} outside 1..${this.slots - 1} (slot 0 is the base model)`);
  }
}
