// Test support: drives the decoder graph exactly as the contract in kernels/types.ts says the
// engine will (JS-owned right-padded KV cache fed read-only, new_key/new_value written back by
// JS), and builds LoRA feeds for both kernels. Used by the graph tests and quick scripts, not by
// the engine. Glossary: B rows, T new tokens (padded), C capacity, Hkv kv heads, Dh head size,
// K buckets, M tokens per bucket, S slots, R rank, Din/Dout projection features.
import * as ort from 'onnxruntime-node';
import type { AdapterWeights } from '../../kernels/model/index.ts';
import { planLora } from '../../kernels/index.ts';
import { GRAPH_INPUTS, GRAPH_OUTPUTS, type LoraKernel } from '../../kernels/index.ts';
import { LORA_A_GROUPS, targetShape, type ModelSpec } from '../../kernels/model/index.ts';

const i64 = (a: number[], dims: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), dims);

export class DecoderHarness {
  readonly keys: Float32Array[]; // [L] of [B, Hkv, C, Dh]
  readonly values: Float32Array[];
  readonly lens: number[]; // [B] cached positions per row

  constructor(private readonly session: ort.InferenceSession, private readonly spec: ModelSpec, readonly rows: number, readonly capacity: number) {
    const n = rows * spec.numKvHeads * capacity * spec.headDim;
    this.keys = Array.from({ length: spec.numLayers }, () => new Float32Array(n));
    this.values = Array.from({ length: spec.numLayers }, () => new Float32Array(n));
    this.lens = new Array(rows).fill(0);
  }

  /**
   * One call: row b gets `newTokens[b]` (may be empty: the row then carries one padding token and
   * its cache is left alone). Returns logits [V] for every new position of every row.
   * With capacity 0 the graph sees an empty cache ([B, Hkv, 0, Dh]) and nothing is written back.
   */
  async step(newTokens: number[][], extraFeeds: Record<string, ort.Tensor> = {}): Promise<Float32Array[][]> {
    const { spec, rows: B, capacity: C } = this;
    const { numKvHeads: Hkv, headDim: Dh, vocabSize: V } = spec;
    const T = Math.max(1, ...newTokens.map((t) => t.length));
    const ids: number[] = [];
    const pos: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        ids.push(newTokens[b]![t] ?? 0);
        pos.push(t < newTokens[b]!.length ? this.lens[b]! + t : 0);
      }
    }
    const feeds: Record<string, ort.Tensor> = {
      [GRAPH_INPUTS.inputIds]: i64(ids, [B, T]),
      [GRAPH_INPUTS.positionIds]: i64(pos, [B, T]),
      [GRAPH_INPUTS.pastLen]: i64(this.lens, [B]),
      [GRAPH_INPUTS.newLen]: i64(newTokens.map((t) => Math.max(1, t.length)), [B]),
      [GRAPH_INPUTS.logitsIdx]: i64(Array.from({ length: B * T }, (_, i) => i % T), [B, T]),
      ...extraFeeds,
    };
    for (let l = 0; l < spec.numLayers; l++) {
      feeds[GRAPH_INPUTS.pastKey(l)] = new ort.Tensor('float32', this.keys[l]!, [B, Hkv, C, Dh]);
      feeds[GRAPH_INPUTS.pastValue(l)] = new ort.Tensor('float32', this.values[l]!, [B, Hkv, C, Dh]);
    }
    const out = await this.session.run(feeds);
    for (let l = 0; l < spec.numLayers && C > 0; l++) {
      const nk = out[GRAPH_OUTPUTS.newKey(l)]!.data as Float32Array; // [B, Hkv, T, Dh]
      const nv = out[GRAPH_OUTPUTS.newValue(l)]!.data as Float32Array;
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < Hkv; h++) {
          for (let t = 0; t < newTokens[b]!.length; t++) {
            const src = ((b * Hkv + h) * T + t) * Dh;
            const dst = ((b * Hkv + h) * C + this.lens[b]! + t) * Dh;
            this.keys[l]!.set(nk.subarray(src, src + Dh), dst);
            this.values[l]!.set(nv.subarray(src, src + Dh), dst);
          }
        }
      }
    }
    const logits = out[GRAPH_OUTPUTS.logits]!.data as Float32Array; // [B, T, V]
    const result = newTokens.map((toks, b) => toks.map((_, t) => logits.slice((b * T + t) * V, (b * T + t + 1) * V)));
    newTokens.forEach((t, b) => (this.lens[b] += t.length));
    return result;
  }
}

/**
 * LoRA feeds for one call. `rowAdapter[b]` indexes `adapters` (null = base). `T` is the call's
 * padded width; R the padded rank. 'grouped' puts the used adapters in slots 1..U in order of first use;
 * 'gather' puts adapter i in slot i + 1 (slot 0 = zeros).
 */
export function loraFeeds(kind: LoraKernel, spec: ModelSpec, adapters: AdapterWeights[], rowAdapter: Array<number | null>, T: number, R: number): Record<string, ort.Tensor> {
  const B = rowAdapter.length;
  const feeds: Record<string, ort.Tensor> = {};
  let stack: Array<AdapterWeights | null>;
  if (kind === 'grouped') {
    // The engine's own plan (kernels/loraPlan.ts) over slots 1..U = the used adapters in order of
    // first use, every position of a row counted as valid; the stacks are built here from `adapters`.
    const used = [...new Set(rowAdapter.filter((a): a is number => a !== null))];
    const plan = planLora('grouped', { slots: rowAdapter.map((a) => (a === null ? 0 : used.indexOf(a) + 1)), newLen: new Array(B).fill(T), T });
    if (plan.kernel !== 'grouped') throw new Error('planLora returned a non-grouped plan');
    feeds[GRAPH_INPUTS.loraIdxIn] = new ort.Tensor('int64', plan.idxIn, [plan.K, plan.M]);
    feeds[GRAPH_INPUTS.loraIdxOut] = new ort.Tensor('int64', plan.idxOut, [B * T]);
    const bySlot = [null, ...used.map((a) => adapters[a]!)];
    stack = used.length ? bySlot.slice(plan.slotStart, plan.slotStart + plan.K) : [null];
  } else {
    feeds[GRAPH_INPUTS.loraSlot] = i64(rowAdapter.map((a) => (a === null ? 0 : a + 1)), [B]);
    stack = [null, ...adapters];
  }
  const Rf = kind === 'grouped' && stack.every((ad) => ad === null) ? 1 : R;
  for (let l = 0; l < spec.numLayers; l++) {
    for (const group of LORA_A_GROUPS) {
      const din = targetShape(spec, group[0]!)[0];
      const W = group.length * Rf;
      const a = new Float32Array(stack.length * din * W); // [K|S, Din, n*R]: target i in columns i*R..
      group.forEach((target, ti) => {
        const dout = targetShape(spec, target)[1];
        const b = new Float32Array(stack.length * Rf * dout); // [K|S, R, Dout]
        stack.forEach((ad, k) => {
          const pair = ad?.layers[l]?.get(target);
          if (!ad || !pair) return;
          for (let i = 0; i < din; i++) for (let r = 0; r < ad.rank; r++) a[(k * din + i) * W + ti * Rf + r] = pair.a[i * ad.rank + r]!;
          for (let r = 0; r < ad.rank; r++) for (let o = 0; o < dout; o++) b[(k * Rf + r) * dout + o] = ad.scale * pair.b[r * dout + o]!;
        });
        feeds[GRAPH_INPUTS.loraB(l, target)] = new ort.Tensor('float32', b, [stack.length, Rf, dout]);
      });
      feeds[GRAPH_INPUTS.loraA(l, group)] = new ort.Tensor('float32', a, [stack.length, din, W]);
    }
  }
  return feeds;
}
