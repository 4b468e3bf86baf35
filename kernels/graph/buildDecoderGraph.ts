// Builds the Llama-family decoder ONNX graph of the contract in kernels/types.ts.
// Glossary: B rows, T new tokens per row, N = B*T, C cache capacity, D hidden, H heads, Hkv kv
// heads, g = H/Hkv, Dh head size, I intermediate, V vocab, P logits positions per row.
//
// Pseudocode (activations are kept flat [N, ·] except inside attention):
//   x = embed[input_ids]                                            [N, D]
//   mask = 0 where key visible else -1e9                            [B, 1, g*T, C+T] (once)
//   per layer l:
//     a = rmsnorm(x); q|k|v = a·[Wq|Wk|Wv]^T split (+bias, +LoRA each); rope(q), rope(k) by position_ids
//     new_key.l/new_value.l = k, v as [B, Hkv, T, Dh]
//     qg = q as [B, Hkv, g*T, Dh] (GQA: the g query heads of a kv head stacked, K/V never repeated)
//     s = [qg·past_key^T, qg·k^T]/sqrt(Dh) + mask                   [B, Hkv, g*T, C+T]
//     p = softmax(s); o = p[..., :C]·past_value + p[..., C:]·v      [B, Hkv, g*T, Dh]
//     x += proj_o(o as [N, H*Dh]); m = rmsnorm(x); x += down(silu(gate(m)) * up(m))
//   logits = head(rmsnorm(x[b, logits_idx[b, p]]))                  [B, P, V]
// The cache is split from the new keys (two MatMuls + a Concat of the scores) so that no
// [B, Hkv, C, Dh] tensor is ever copied.
import { GraphBuilder, float } from './graphBuilder.ts';
import { LinearEmitter, type LoraContext, type ProjectionPart, type WeightFormat } from './graphLinear.ts';
import { hostInt8Range, int8Levels, type Int8Range } from './int8Range.ts';
import { DataType } from './onnxProto.ts';
import { ropeTables } from './ropeTable.ts';
import type { Tensor } from '../model/safetensors.ts';
import { GRAPH_INPUTS, GRAPH_OUTPUTS, type LoraKernel } from './graphContract.ts';
import { type LoraTarget, type ModelSpec, type WeightPrecision } from '../model/modelSpec.ts';

export interface DecoderGraphOptions {
  precision: WeightPrecision;
  /** int8 only: the weight range (default: this CPU's, hostInt8Range()). */
  int8Range?: Int8Range;
  /** null: no LoRA inputs at all. */
  loraKernel: LoraKernel | null;
  /** Run a call without adapter rows through LoRA-free layers via If(lora_active) (default true; false only to measure what it saves). */
  loraGate?: boolean;
  /** Positions in the RoPE table (default spec.maxPositions). */
  maxPositions?: number;
}

const NEG = -1e9;

export function buildDecoderGraph(
  model: { spec: ModelSpec; tensors: Map<string, Tensor> },
  opts: DecoderGraphOptions,
  file: string,
): { onnxBytes: number; dataBytes: number } {
  const { spec, tensors } = model;
  const {
    hiddenSize: D,
    numHeads: H,
    numKvHeads: Hkv,
    headDim: Dh,
    intermediateSize: I,
    vocabSize: V,
    numLayers: L,
  } = spec;
  const gq = H / Hkv;
  const w = (name: string): Float32Array => {
    const t = tensors.get(name);
    if (!t) throw new Error(`buildDecoderGraph: missing tensor ${name}`);
    return t.data;
  };
  const g = new GraphBuilder('loraledger_decoder');
  g.opsets.set('com.microsoft', 1);
  const ids = g.input(GRAPH_INPUTS.inputIds, DataType.INT64, ['B', 'T']);
  const pos = g.input(GRAPH_INPUTS.positionIds, DataType.INT64, ['B', 'T']);
  const pastLen = g.input(GRAPH_INPUTS.pastLen, DataType.INT64, ['B']);
  const newLen = g.input(GRAPH_INPUTS.newLen, DataType.INT64, ['B']);
  const logitsIdx = g.input(GRAPH_INPUTS.logitsIdx, DataType.INT64, ['B', 'P']);
  const pastK: string[] = [];
  const pastV: string[] = [];
  for (let l = 0; l < L; l++) {
    pastK.push(g.input(GRAPH_INPUTS.pastKey(l), DataType.FLOAT, ['B', Hkv, 'C', Dh]));
    pastV.push(g.input(GRAPH_INPUTS.pastValue(l), DataType.FLOAT, ['B', Hkv, 'C', Dh]));
  }

  // --- shapes and the mask (computed once) ---
  const idsShape = g.op('Shape', [ids]); // [2] = (B, T)
  const dimB = g.op('Gather', [idsShape, g.constI([0])], { axis: 0 }); // [1]
  const dimT = g.op('Gather', [idsShape, g.constI([1])], { axis: 0 }); // [1]
  const dimC = g.op('Gather', [g.op('Shape', [pastK[0]!]), g.constI([2])], { axis: 0 }); // [1]
  const scalar = (v: string): string => g.op('Squeeze', [v, g.constI([0])]);
  const zero = g.constI([0], []);
  const one = g.constI([1], []);
  const rangeC = g.op('Range', [zero, scalar(dimC), one]); // [C]
  const rangeT = g.op('Range', [zero, scalar(dimT), one]); // [T]
  const pastLen3 = g.op('Reshape', [pastLen, g.constI([-1, 1, 1])]); // [B,1,1]
  const newLen3 = g.op('Reshape', [newLen, g.constI([-1, 1, 1])]); // [B,1,1]
  const cacheOk = g.op('Less', [g.op('Reshape', [rangeC, g.constI([1, 1, -1])]), pastLen3]); // [B,1,C]
  const tk = g.op('Reshape', [rangeT, g.constI([1, 1, -1])]); // [1,1,T]
  const tq = g.op('Reshape', [rangeT, g.constI([1, -1, 1])]); // [1,T,1]
  const newOk = g.op('And', [g.op('LessOrEqual', [tk, tq]), g.op('Less', [tk, newLen3])]); // [B,T,T]
  const btc = g.op('Concat', [dimB, dimT, dimC], { axis: 0 });
  let valid = g.op('Concat', [g.op('Expand', [cacheOk, btc]), newOk], { axis: 2 }); // [B,T,C+T]
  if (spec.slidingWindow !== null) {
    const cachePos = g.op('Expand', [
      g.op('Reshape', [rangeC, g.constI([1, -1])]),
      g.op('Concat', [dimB, dimC], { axis: 0 }),
    ]); // [B,C]
    const kpos = g.op('Unsqueeze', [g.op('Concat', [cachePos, pos], { axis: 1 }), g.constI([1])]); // [B,1,C+T]
    const qpos = g.op('Unsqueeze', [pos, g.constI([2])]); // [B,T,1]
    const inWindow = g.op('Less', [g.op('Sub', [qpos, kpos]), g.constI([spec.slidingWindow], [])]);
    valid = g.op('And', [valid, inWindow]);
  }
  const maskBT = g.op('Where', [valid, g.constF([0], []), g.constF([NEG], [])]); // [B,T,C+T]
  const maskG = g.op('Expand', [g.op('Unsqueeze', [maskBT, g.constI([1])]), g.constI([1, gq, 1, 1])]); // [B,g,T,C+T]
  const mask = g.op('Reshape', [maskG, g.constI([0, 1, -1, 0])]); // [B,1,g*T,C+T]

  // --- RoPE: com.microsoft RotaryEmbedding (rotate-half, half-width tables), one node per q / k ---
  // (2 nodes per layer instead of 12 plain ops: single-stream decode is dominated by node count)
  const maxPos = opts.maxPositions ?? spec.maxPositions;
  const { cos, sinSigned } = ropeTables(spec, maxPos);
  const half = Dh / 2;
  const cosHalf = new Float32Array(maxPos * half); // [maxPos, Dh/2]
  const sinHalf = new Float32Array(maxPos * half); // [maxPos, Dh/2]
  for (let p = 0; p < maxPos; p++) {
    cosHalf.set(cos.subarray(p * Dh, p * Dh + half), p * half);
    sinHalf.set(sinSigned.subarray(p * Dh + half, (p + 1) * Dh), p * half);
  }
  const cosCache = g.init('rope.cos', DataType.FLOAT, [maxPos, half], cosHalf);
  const sinCache = g.init('rope.sin', DataType.FLOAT, [maxPos, half], sinHalf);
  const shapeBTx = g.op('Concat', [dimB, dimT, g.constI([-1])], { axis: 0 }); // (B, T, -1)
  const rope = (x: string, heads: number): string => {
    const x3 = g.op('Reshape', [x, shapeBTx]); // [B, T, heads*Dh]
    return g.op(
      'RotaryEmbedding',
      [x3, pos, cosCache, sinCache],
      { interleaved: 0, num_heads: heads },
      { domain: 'com.microsoft' },
    ); // [B, T, heads*Dh]
  };

  const lora: LoraContext | null = opts.loraKernel ? { kernel: opts.loraKernel, batchDim: dimB } : null;
  const rms = (x: string, weight: string): string =>
    g.op('SimplifiedLayerNormalization', [x, g.init(weight, DataType.FLOAT, [D], w(weight))], {
      axis: -1,
      epsilon: float(spec.rmsNormEps),
      stash_type: 1,
    });
  const shapeBTKvDh = g.op('Concat', [dimB, dimT, g.constI([Hkv, Dh])], { axis: 0 });
  const shapeBTKvGDh = g.op('Concat', [dimB, dimT, g.constI([Hkv, gq, Dh])], { axis: 0 });
  const x0 = g.op(
    'Gather',
    [
      g.init('model.embed_tokens.weight', DataType.FLOAT, [V, D], w('model.embed_tokens.weight')),
      g.op('Reshape', [ids, g.constI([-1])]),
    ],
    { axis: 0 },
  ); // [N, D]

  /** The L layers on x0 with one projection emitter; returns [x, new keys (L), new values (L)]. */
  const decoderLayers = (lin: LinearEmitter, nameOutputs: boolean): string[] => {
    let x = x0;
    const keys: string[] = [];
    const values: string[] = [];
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}`;
      const proj = (
        input: string,
        target: LoraTarget,
        din: number,
        dout: number,
        group: 'self_attn' | 'mlp',
        bias = false,
      ): string =>
        lin.project(input, {
          name: `${p}.${group}.${target}`,
          w: w(`${p}.${group}.${target}.weight`),
          dout,
          din,
          bias: bias ? w(`${p}.${group}.${target}.bias`) : undefined,
          layer: l,
          target,
        });
      const part = (target: LoraTarget, dout: number, group: 'self_attn' | 'mlp', bias = false): ProjectionPart => ({
        name: `${p}.${group}.${target}`,
        w: w(`${p}.${group}.${target}.weight`),
        dout,
        bias: bias ? w(`${p}.${group}.${target}.bias`) : undefined,
        target,
      });
      // q|k|v and gate|up each run as one base matmul, as their inputs are the same (docs/benchmarks.md).
      const fused = (input: string, name: string, parts: ProjectionPart[]): string[] =>
        lin.projectFused(input, `${p}.${name}`, D, l, parts);
      const a = rms(x, `${p}.input_layernorm.weight`);
      const bias = spec.attentionBias;
      const [q0, k0, v] = fused(a, 'self_attn.qkv_proj', [
        part('q_proj', H * Dh, 'self_attn', bias),
        part('k_proj', Hkv * Dh, 'self_attn', bias),
        part('v_proj', Hkv * Dh, 'self_attn', bias),
      ]);
      const q = rope(q0!, H); // [B, T, H*Dh]
      const k = rope(k0!, Hkv); // [B, T, Hkv*Dh]  (v: [N, Hkv*Dh])
      const named = (name: string): { outputs?: string[] } => (nameOutputs ? { outputs: [name] } : {});
      const kNew = g.op(
        'Transpose',
        [g.op('Reshape', [k, shapeBTKvDh])],
        { perm: [0, 2, 1, 3] },
        named(GRAPH_OUTPUTS.newKey(l)),
      ); // [B,Hkv,T,Dh]
      const vNew = g.op(
        'Transpose',
        [g.op('Reshape', [v!, shapeBTKvDh])],
        { perm: [0, 2, 1, 3] },
        named(GRAPH_OUTPUTS.newValue(l)),
      );
      keys.push(kNew);
      values.push(vNew);
      const qg = g.op('Reshape', [
        g.op('Transpose', [g.op('Reshape', [q, shapeBTKvGDh])], { perm: [0, 2, 3, 1, 4] }),
        g.constI([0, 0, -1, Dh]),
      ]); // [B,Hkv,g*T,Dh]
      const mm = (b: string): string =>
        g.op('FusedMatMul', [qg, b], { transB: 1, alpha: float(1 / Math.sqrt(Dh)) }, { domain: 'com.microsoft' });
      const scores = g.op('Add', [g.op('Concat', [mm(pastK[l]!), mm(kNew)], { axis: 3 }), mask]); // [B,Hkv,g*T,C+T]
      const probs = g.op('Softmax', [scores], { axis: -1 });
      const [pc, pn] = g.opN('Split', [probs, g.op('Concat', [dimC, dimT], { axis: 0 })], { axis: 3 }, { outputs: 2 });
      const o = g.op('Add', [g.op('MatMul', [pc!, pastV[l]!]), g.op('MatMul', [pn!, vNew])]); // [B,Hkv,g*T,Dh]
      const oFlat = g.op('Reshape', [
        g.op('Transpose', [g.op('Reshape', [o, g.constI([0, 0, gq, -1, Dh])])], { perm: [0, 3, 1, 2, 4] }),
        g.constI([-1, H * Dh]),
      ]); // [N, H*Dh]
      x = g.op('Add', [x, proj(oFlat, 'o_proj', H * Dh, D, 'self_attn')]);
      const m = rms(x, `${p}.post_attention_layernorm.weight`);
      const [gate, up] = fused(m, 'mlp.gate_up_proj', [part('gate_proj', I, 'mlp'), part('up_proj', I, 'mlp')]);
      const act = g.op('Mul', [g.op('Mul', [gate!, g.op('Sigmoid', [gate!])]), up!]); // [N, I]
      x = g.op('Add', [x, proj(act, 'down_proj', I, D, 'mlp')]);
    }
    return [x, ...keys, ...values];
  };

  // With LoRA inputs, If(lora_active) picks the layers with LoRA deltas or the plain ones, so a
  // call without adapter rows pays one If node. Both branches use the same weight initializers
  // (onnxruntime keeps one copy of them, and a MatMul inside the subgraph runs as fast).
  const weights: WeightFormat = {
    precision: opts.precision,
    int8Levels: int8Levels(opts.int8Range ?? hostInt8Range()),
  };
  const plain = new LinearEmitter(g, weights, null);
  const kvNames = [
    ...Array.from({ length: L }, (_, l) => GRAPH_OUTPUTS.newKey(l)),
    ...Array.from({ length: L }, (_, l) => GRAPH_OUTPUTS.newValue(l)),
  ];
  let x: string;
  if (lora) {
    const withLora = new LinearEmitter(g, weights, lora);
    if (opts.loraGate === false) {
      x = decoderLayers(withLora, true)[0]!;
    } else {
      const types = new Array(1 + 2 * L).fill(DataType.FLOAT);
      x = g.ifOp(
        withLora.active!,
        types,
        () => decoderLayers(withLora, false),
        () => decoderLayers(plain, false),
        ['x_layers', ...kvNames],
      )[0]!;
    }
  } else {
    x = decoderLayers(plain, true)[0]!;
  }
  for (const name of kvNames) g.output(name, DataType.FLOAT, ['B', Hkv, 'T', Dh]);
  const lin = plain;

  // --- logits at logits_idx only ---
  const x3 = g.op('Reshape', [x, g.op('Concat', [dimB, g.constI([-1, D])], { axis: 0 })]); // [B,T,D]
  const idx = g.op('Expand', [g.op('Unsqueeze', [logitsIdx, g.constI([2])]), g.constI([1, 1, D])]); // [B,P,D]
  const picked = g.op('GatherElements', [x3, idx], { axis: 1 }); // [B,P,D]
  const f = g.op('Reshape', [rms(picked, 'model.norm.weight'), g.constI([-1, D])]); // [B*P, D]
  let logits: string;
  if (spec.tieWordEmbeddings && opts.precision === 'fp32') {
    // The head gets its own copy of the tied embedding: onnxruntime prepacks a Gemm's B into its
    // own buffer and drops the original only when no other node uses it, so a shared initializer
    // would stay resident twice (packed for the head + the whole matrix mapped for the Gather,
    // every page touched by the packing). Apart, the head's copy is freed after packing and the
    // embedding stays a file mapping of which only the rows gathered become resident.
    logits = g.op('Gemm', [f, g.init('lm_head.weight.tied', DataType.FLOAT, [V, D], w('model.embed_tokens.weight'))], {
      transB: 1,
    });
  } else {
    logits = lin.base(
      f,
      'lm_head',
      spec.tieWordEmbeddings ? w('model.embed_tokens.weight') : w('lm_head.weight'),
      V,
      D,
    );
  }
  const out = g.op('Reshape', [logits, g.op('Concat', [dimB, g.constI([-1, V])], { axis: 0 })]); // [B,P,V]
  g.output(out, DataType.FLOAT, ['B', 'P', V], GRAPH_OUTPUTS.logits);
  const lse = g.op('ReduceLogSumExp', [out], { axes: [-1], keepdims: 0 }); // [B,P]
  g.output(lse, DataType.FLOAT, ['B', 'P'], GRAPH_OUTPUTS.logitsLse);
  return g.save(file);
}
