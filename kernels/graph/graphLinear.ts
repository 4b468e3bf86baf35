// Projections of the decoder graph: base weight (fp32 / int8 / int4) plus the LoRA delta through
// one of the two contract kernels. Glossary: N flattened tokens, Din/Dout features, R rank,
// K adapter buckets, M tokens per bucket, S slots, B rows.
//
//   fp32:  y = MatMul(x, W^T)                         W^T [Din, Dout] float
//   int8:  y = DynamicQuantizeMatMul(x, Wq, scale)    Wq [Din, Dout] int8 (|q| <= int8Levels), scale [Dout]
//   int4:  y = MatMulNBits(x, packed, scales)         (see quantizeWeights.ts)
//   (baseLinear; the training graph differentiates the quantized ones through the dequantized
//   weight: baseLinearInputGradient)
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
    return baseLinear(this.g, this.weights, { x, name, w, dout, din });
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

/** One base linear: input x [N, Din], HF-oriented weight w [Dout, Din], initializers named after `name`. */
export interface BaseLinear {
  x: string;
  name: string;
  w: Float32Array;
  dout: number;
  din: number;
}

/**
 * y = x·Wᵀ [N, Dout] through the weight in its stored format (the table at the top). The weight's
 * initializers are added once per name; a second call with the same name (the other branch of the
 * decoder's If, say) reuses them without quantizing again.
 */
export function baseLinear(g: GraphBuilder, format: WeightFormat, { x, name, w, dout, din }: BaseLinear): string {
  const done = (suffix: string): boolean => g.has(`${name}${suffix}`);
  if (format.precision === 'int8') {
    if (done('.q8'))
      return g.op('DynamicQuantizeMatMul', [x, `${name}.q8`, `${name}.scale`], {}, { domain: 'com.microsoft' });
    const { q, scale } = quantizeInt8(w, dout, din, format.int8Levels);
    const qn = g.init(`${name}.q8`, DataType.INT8, [din, dout], q);
    const sn = g.init(`${name}.scale`, DataType.FLOAT, [dout], scale);
    return g.op('DynamicQuantizeMatMul', [x, qn, sn], {}, { domain: 'com.microsoft' });
  }
  if (format.precision === 'int4') {
    const attrs = { K: din, N: dout, bits: 4, block_size: INT4_BLOCK, accuracy_level: 4 };
    if (done('.q4'))
      return g.op('MatMulNBits', [x, `${name}.q4`, `${name}.scales`], attrs, { domain: 'com.microsoft' });
    const { packed, scales, blocks } = quantizeInt4(w, dout, din);
    const pn = g.init(`${name}.q4`, DataType.UINT8, [dout, blocks, INT4_BLOCK / 2], packed);
    const sn = g.init(`${name}.scales`, DataType.FLOAT, [dout * blocks], scales);
    return g.op('MatMulNBits', [x, pn, sn], attrs, { domain: 'com.microsoft' });
  }
  const wt = done('.T') ? `${name}.T` : g.init(`${name}.T`, DataType.FLOAT, [din, dout], transpose(w, dout, din));
  return g.op('MatMul', [x, wt]);
}

/**
 * The input gradient of a quantized baseLinear added before under `name`: dx [N, Din] = dy·Ŵ for
 * dy [N, Dout], with Ŵ = the dequantized weight the quantized op multiplies by, so dx is exactly the
 * gradient of the quantized forward (as QLoRA: the activation quantization is passed straight
 * through). Ŵ is rebuilt from the same initializers at run time and freed after use, so no float
 * copy of the frozen weight stays resident:
 *   int8: Ŵᵀ = DequantizeLinear(q8 [Din, Dout], scale [Dout], axis 1);  dx = Gemm(dy, Ŵᵀ, transB)
 *   int4: bytes = DequantizeLinear(q4 [Dout, Kb, 16], 1) as float; hi = floor(bytes / 16),
 *         lo = bytes - 16·hi; codes = [lo, hi] interleaved [Dout, Kb, 32] (low nibble first);
 *         Ŵ = ((codes - 8) · scales [Dout, Kb, 1]) as [Dout, Kb·32], cut to Din;  dx = dy·Ŵ
 * Each product (q or code - 8) · scale is one float32 rounding, as the quantizer's own dequantization.
 * Only integer DequantizeLinear is kept out of onnxruntime's constant folding; everything after it
 * reads a run-time value, so it is not folded into a float initializer either.
 */
export function baseLinearInputGradient(
  g: GraphBuilder,
  format: WeightFormat,
  o: { dy: string; name: string; dout: number; din: number },
): string {
  const { dy, name, dout, din } = o;
  if (format.precision === 'int8') {
    const wt = g.op('DequantizeLinear', [`${name}.q8`, `${name}.scale`], { axis: 1 }); // [Din, Dout]
    return g.op('Gemm', [dy, wt], { transB: 1 }); // [N, Din]
  }
  if (format.precision === 'int4') {
    const blocks = Math.ceil(din / INT4_BLOCK);
    const bytes = g.op('DequantizeLinear', [`${name}.q4`, g.constF([1], [])]); // [Dout, Kb, 16] float 0..255
    const hi = g.op('Floor', [g.op('Mul', [bytes, g.constF([1 / 16], [])])]);
    const lo = g.op('Sub', [bytes, g.op('Mul', [hi, g.constF([16], [])])]);
    const last = g.constI([3]);
    // [Dout, Kb, 16, 2]: byte k of a block holds codes 2k (low nibble) and 2k+1
    const pairs = g.op('Concat', [g.op('Unsqueeze', [lo, last]), g.op('Unsqueeze', [hi, last])], { axis: 3 });
    const codes = g.op('Reshape', [pairs, g.constI([dout, blocks, INT4_BLOCK])]); // [Dout, Kb, 32]
    const scales = g.op('Reshape', [`${name}.scales`, g.constI([dout, blocks, 1])]); // [Dout, Kb, 1]
    const deq = g.op('Mul', [g.op('Sub', [codes, g.constF([8], [])]), scales]);
    let w = g.op('Reshape', [deq, g.constI([dout, blocks * INT4_BLOCK])]); // [Dout, Kb·32]
    // [Dout, Din]: the last block's padding cut off
    if (blocks * INT4_BLOCK !== din) w = g.op('Slice', [w, g.constI([0]), g.constI([din]), g.constI([1])]);
    return g.op('MatMul', [dy, w]); // [N, Din]
  }
  throw new Error(`baseLinearInputGradient: ${format.precision} weights are not quantized`);
}
