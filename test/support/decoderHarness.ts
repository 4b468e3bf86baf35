// Test support: drives the decoder graph exactly as the contract in kernels/graph/graphContract.ts says the
// engine will (JS-owned right-padded KV cache fed read-only, new_key/new_value written back by
// JS), and builds LoRA feeds for both kernels through the engine's own slots and plan. Used by the graph tests and quick scripts, not by
// the engine. Glossary: B rows, T new tokens (padded), C capacity, Hkv kv heads, Dh head size,
// K buckets, M tokens per bucket, S slots, R rank, Din/Dout projection features.
import * as ort from 'onnxruntime-node';
import type { AdapterWeights } from '../../kernels/model/index.ts';
import {
  GRAPH_INPUTS,
  GRAPH_OUTPUTS,
  LoraSlots,
  loraFeeds as engineLoraFeeds,
  planLora,
  type LoraKernel,
} from '../../kernels/index.ts';
import type { ModelSpec } from '../../kernels/model/index.ts';

const i64 = (a: number[], dims: number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), dims);

export class DecoderHarness {
  readonly keys: Float32Array[]; // [L] of [B, Hkv, C, Dh]
  readonly values: Float32Array[];
  readonly lens: number[]; // [B] cached positions per row

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly spec: ModelSpec,
    readonly rows: number,
    readonly capacity: number,
  ) {
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
      [GRAPH_INPUTS.newLen]: i64(
        newTokens.map((t) => Math.max(1, t.length)),
        [B],
      ),
      [GRAPH_INPUTS.logitsIdx]: i64(
        Array.from({ length: B * T }, (_, i) => i % T),
        [B, T],
      ),
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
 * LoRA feeds for one call, made the engine's way: the adapters are written into LoraSlots and the
 * engine's planLora + loraFeeds feed them. `rowAdapter[b]` indexes `adapters` (null = base). `T` is
 * the call's padded width (every position counted as valid); R the padded rank. 'grouped' puts the
 * used adapters in slots 1..U in order of first use; 'gather' puts adapter i in slot i + 1.
 */
export function loraFeeds(
  kind: LoraKernel,
  spec: ModelSpec,
  adapters: AdapterWeights[],
  rowAdapter: Array<number | null>,
  T: number,
  R: number,
): Record<string, ort.Tensor> {
  const used =
    kind === 'grouped' ? [...new Set(rowAdapter.filter((a): a is number => a !== null))] : adapters.map((_, i) => i);
  const slots = new LoraSlots(spec, { maxActiveAdapters: used.length, maxLoraRank: R });
  used.forEach((a, i) => slots.write(i + 1, adapters[a]!));
  const plan = planLora(kind, {
    slots: rowAdapter.map((a) => (a === null ? 0 : used.indexOf(a) + 1)),
    newLen: new Array(rowAdapter.length).fill(T),
    T,
  });
  const feeds = engineLoraFeeds(plan, slots);
  return Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.type, f.data, f.dims)]));
}
