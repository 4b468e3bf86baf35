// Projections of the decoder graph: base weight (fp32 / int8 / int4) plus the LoRA delta through
// one of the two contract kernels. Glossary: N flattened tokens, Din/Dout features, R rank,
// K adapter buckets, M tokens per bucket, S slots, B rows.
//
//   fp32:  y = MatMul(x, W^T)                         W^T [Din, Dout] float
//   int8:  y = DynamicQuantizeMatMul(x, Wq, scale)    Wq [Din, Dout] int8 (|q| <= int8Levels), scale [Dout]
//   int4:  y = MatMulNBits(x, packed, scales)         (see quantizeWeights.ts)
//   (+ bias); projectFused stacks several projections of one input (q|k|v, gate|up) into one
//   base matmul and splits the result, adding biases and LoRA deltas per part.
//   LoRA, per A group (LORA_A_GROUPS: q|k|v, o, gate|up, down; n targets, A stack [.., Din, n*R]):
//     'grouped': xg = Gather(Concat(x, zero row), lora_idx_in) [K,M,Din] (unused places read the zero
//                row, so their delta is 0); u = xg·A [K,M,n*R] split into n [K,M,R];
//                target i: d = u_i·B [K,M,Dout] -> [K*M, Dout]; y += Gather(d, lora_idx_out) [N, Dout]
//     'gather':  x3 = x as [B,T,Din]; u = x3·Gather(A, lora_slot) [B,T,n*R] split into n;
//                target i: y += (u_i·Gather(B, lora_slot)) as [N, Dout]
//   `active` (bool scalar, computed once per call): grouped any(lora_idx_in < N), gather
//   any(lora_slot > 0); buildDecoderGraph runs LoRA-free layers when it is false.
import { GraphBuilder } from './graphBuilder.ts';
import { DataType } from './onnxProto.ts';
import { INT4_BLOCK, quantizeInt4, quantizeInt8 } from './quantizeWeights.ts';
import { GRAPH_INPUTS, type LoraKernel } from './graphContract.ts';
import { LORA_A_GROUPS, type LoraTarget, type WeightPrecision } from '../model/modelSpec.ts';

export interface LoraContext {
  kernel: LoraKernel;
  /** [1] int64 holding B (used to reshape x to [B, T, Din] for the gather kernel). */
  batchDim: string; // [1] int64 (B)
}

/** W [Dout, Din] -> W^T [Din, Dout]. */
export function transpose(w: Float32Array, dout: number, din: number): Float32Array {
  const t = new Float32Array(din * dout);
  for (let o = 0; o < dout; o++) for (let i = 0; i < din; i++) t[i * dout + o] = w[o * din + i]!;
  return t;
}

export interface ProjectionPart {
  name: string;
  w: Float32Array; // [Dout, Din] (HF orientation)
  dout: number;
  bias?: Float32Array; // [Dout]
  target: LoraTarget;
}

/** How base weights are stored: the precision, and for int8 the largest |q| (see int8Range.ts). */
export interface WeightFormat {
  precision: WeightPrecision;
  int8Levels: number;
}

export class LinearEmitter {
  private readonly gathered = new Map<string, string>();

  /** bool scalar: does any row of this call use an adapter? (null without LoRA) */
  readonly active: string | null = null;

  constructor(
    private readonly g: GraphBuilder,
    private readonly weights: WeightFormat,
    private readonly lora: LoraContext | null,
  ) {
    if (lora?.kernel === 'grouped') {
      const idxIn = g.input(GRAPH_INPUTS.loraIdxIn, DataType.INT64, ['K', 'M']);
      const idxOut = g.input(GRAPH_INPUTS.loraIdxOut, DataType.INT64, ['N']);
      this.active = g.op('Less', [g.op('ReduceMin', [idxIn], { keepdims: 0 }), g.op('Size', [idxOut])]); // [] bool
    } else if (lora?.kernel === 'gather') {
      const slot = g.input(GRAPH_INPUTS.loraSlot, DataType.INT64, ['B']);
      this.active = g.op('Greater', [g.op('ReduceMax', [slot], { keepdims: 0 }), g.constI([0], [])]); // [] bool
    }
  }

  /** Base projection only: x [N, Din] -> [N, Dout]; `w` is HF-oriented [Dout, Din]. */
  base(x: string, name: string, w: Float32Array, dout: number, din: number): string {
    const g = this.g;
    const done = (suffix: string): boolean => g.has(`${name}${suffix}`); // already added by the other If branch
    if (this.weights.precision === 'int8') {
      if (done('.q8'))
        return g.op('DynamicQuantizeMatMul', [x, `${name}.q8`, `${name}.scale`], {}, { domain: 'com.microsoft' });
      const { q, scale } = quantizeInt8(w, dout, din, this.weights.int8Levels);
      const qn = g.init(`${name}.q8`, DataType.INT8, [din, dout], q);
      const sn = g.init(`${name}.scale`, DataType.FLOAT, [dout], scale);
      return g.op('DynamicQuantizeMatMul', [x, qn, sn], {}, { domain: 'com.microsoft' });
    }
    if (this.weights.precision === 'int4') {
      const attrs = { K: din, N: dout, bits: 4, block_size: INT4_BLOCK, accuracy_level: 4 };
      if (done('.q4'))
        return g.op('MatMulNBits', [x, `${name}.q4`, `${name}.scales`], attrs, { domain: 'com.microsoft' });
      const { packed, scales, blocks } = quantizeInt4(w, dout, din);
      const pn = g.init(`${name}.q4`, DataType.UINT8, [dout, blocks, INT4_BLOCK / 2], packed);
      const sn = g.init(`${name}.scales`, DataType.FLOAT, [dout * blocks], scales);
      return g.op(
        'MatMulNBits',
        [x, pn, sn],
        { K: din, N: dout, bits: 4, block_size: INT4_BLOCK, accuracy_level: 4 },
        { domain: 'com.microsoft' },
      );
    }
    const wt = done('.T') ? `${name}.T` : g.init(`${name}.T`, DataType.FLOAT, [din, dout], transpose(w, dout, din));
    return g.op('MatMul', [x, wt]);
  }

  /** Projection with optional bias and LoRA for (layer, target). */
  project(
    x: string,
    opts: {
      name: string;
      w: Float32Array;
      dout: number;
      din: number;
      bias?: Float32Array;
      layer: number;
      target: LoraTarget;
    },
  ): string {
    const g = this.g;
    let y = this.base(x, opts.name, opts.w, opts.dout, opts.din);
    if (opts.bias) y = g.op('Add', [y, g.init(`${opts.name}.bias`, DataType.FLOAT, [opts.dout], opts.bias)]);
    if (!this.lora) return y;
    return g.op('Add', [y, this.loraDeltas(x, opts.layer, opts.din, [opts])[0]!]);
  }

  /**
   * Several projections of the same input as ONE base matmul (weights stacked along Dout, e.g.
   * q|k|v or gate|up), split back per part; biases and LoRA deltas are added per part.
   */
  projectFused(x: string, fusedName: string, din: number, layer: number, parts: ProjectionPart[]): string[] {
    const g = this.g;
    if (parts.length === 1) return [this.project(x, { ...parts[0]!, din, layer })];
    const total = parts.reduce((a, p) => a + p.dout, 0);
    const w = new Float32Array(total * din); // [sum Dout, Din]
    let row = 0;
    for (const p of parts) {
      w.set(p.w, row * din);
      row += p.dout;
    }
    let y = this.base(x, fusedName, w, total, din); // [N, sum Dout]
    if (parts.some((p) => p.bias)) {
      const bias = new Float32Array(total);
      let at = 0;
      for (const p of parts) {
        if (p.bias) bias.set(p.bias, at);
        at += p.dout;
      }
      y = g.op('Add', [y, g.init(`${fusedName}.bias`, DataType.FLOAT, [total], bias)]);
    }
    const outs = g.opN('Split', [y, g.constI(parts.map((p) => p.dout))], { axis: 1 }, { outputs: parts.length });
    if (!this.lora) return outs;
    const deltas = this.loraDeltas(x, layer, din, parts);
    return outs.map((o, i) => g.op('Add', [o, deltas[i]!]));
  }

  /** LoRA deltas [N, Dout] of the targets of one A group (all reading x [N, Din]), in their order. */
  private loraDeltas(
    x: string,
    layer: number,
    din: number,
    parts: ReadonlyArray<{ target: LoraTarget; dout: number }>,
  ): string[] {
    const g = this.g;
    const lora = this.lora!;
    const targets = parts.map((p) => p.target);
    if (!LORA_A_GROUPS.some((grp) => grp.join() === targets.join()))
      throw new Error(`graphLinear: LoRA targets ${targets.join('+')} are not one LORA_A_GROUPS group`);
    const kind = lora.kernel === 'grouped' ? 'K' : 'S';
    const a = g.input(GRAPH_INPUTS.loraA(layer, targets), DataType.FLOAT, [
      kind,
      din,
      parts.length === 1 ? 'R' : `${parts.length}R`,
    ]); // [K|S, Din, n*R]
    const split = (u: string): string[] =>
      parts.length === 1 ? [u] : g.opN('Split', [u], { axis: -1 }, { outputs: parts.length }); // n x [.., R]
    const b = (p: { target: LoraTarget; dout: number }): string =>
      g.input(GRAPH_INPUTS.loraB(layer, p.target), DataType.FLOAT, [kind, 'R', p.dout]);
    if (lora.kernel === 'grouped') {
      const xg = this.once(`g:${x}`, () =>
        g.op('Gather', [g.op('Concat', [x, g.zeros([1, din])], { axis: 0 }), GRAPH_INPUTS.loraIdxIn], { axis: 0 }),
      ); // [N+1, Din] -> [K, M, Din]
      const us = split(g.op('MatMul', [xg, a])); // n x [K, M, R]
      return parts.map((p, i) => {
        const flat = g.op('Reshape', [g.op('MatMul', [us[i]!, b(p)]), g.constI([-1, p.dout])]); // [K, M, Dout] -> [K*M, Dout]
        return g.op('Gather', [flat, GRAPH_INPUTS.loraIdxOut], { axis: 0 }); // [N, Dout]
      });
    }
    const x3 = this.once(`r:${x}`, () => {
      const shape = this.once(`shape:${din}`, () => g.op('Concat', [lora.batchDim, g.constI([-1, din])], { axis: 0 }));
      return g.op('Reshape', [x, shape]); // [B, T, Din]
    });
    const slot = GRAPH_INPUTS.loraSlot;
    const us = split(g.op('MatMul', [x3, g.op('Gather', [a, slot], { axis: 0 })])); // [B, Din, n*R] -> n x [B, T, R]
    return parts.map((p, i) => {
      const d = g.op('MatMul', [us[i]!, g.op('Gather', [b(p), slot], { axis: 0 })]); // [B, R, Dout] -> [B, T, Dout]
      return g.op('Reshape', [d, g.constI([-1, p.dout])]);
    });
  }

  private once(key: string, make: () => string): string {
    let v = this.gathered.get(key);
    if (!v) {
      v = make();
      this.gathered.set(key, v);
    }
    return v;
  }
}
