// The training graph: a Llama-family forward pass over a right-padded batch, token cross-entropy,
// and the gradients of the LoRA matrices (and, optionally, of every base weight), as one ONNX
// graph of standard ops run by an ordinary InferenceSession. Differentiated by ./autodiff.ts.
//
// Glossary: B rows, T padded length, N = B*T tokens, D hidden, H heads, Hkv kv heads, g = H/Hkv,
// Dh head size, I MLP size, V vocab, R LoRA rank, L layers.
//
// Inputs
//   input_ids [B, T] int64     right-padded token ids
//   labels    [B, T] int64     labels[b, t] = the token at t+1 (any valid id where loss_mask is 0)
//   loss_mask [B, T]           1 where labels[b, t] is a loss target, else 0
//   seq_len   [B] int64        real tokens per row; keys at positions >= seq_len[b] are never attended
//   loss_scale []              the loss is loss_scale · Σ mask · nll (1 / loss tokens of the
//                              optimizer step, so accumulated micro-batches give the step's mean)
//   lora_scale []              the adapter's scale (alpha / r, or alpha / sqrt(r) with rsLoRA)
//   lora_a.{l}.{target} [Din, R], lora_b.{l}.{target} [R, Dout]      with options.lora
//   weight:{hf name}  the base weight in its checkpoint layout      with options.trainBase
// Outputs
//   loss [1]; logits [N, V] with options.logits; grad:{input} for every trainable input
//
// Per layer, as Hugging Face's LlamaDecoderLayer (rotate-half RoPE over positions 0..T-1):
//   h = rms(x)·w1;  q|k|v = h·W + b? + s·(h·A)·B;  rope(q), rope(k);  repeat k, v g times
//   o = softmax(q·kᵀ/√Dh + mask)·v;  x += o·Wo (+ LoRA)
//   h = rms(x)·w2;  x += (silu(h·Wg) ⊙ (h·Wu))·Wd (+ LoRA on each)
// then logits = rms(x)·wn · lm_headᵀ and nll = -log_softmax(logits)[label].
// The frozen base (options.precision) is fp32, or int8 / int4 stored and run as the serving decoder
// does (graphLinear.ts baseLinear: every projection and the lm_head quantized; the embedding, norms
// and biases fp32). A quantized linear's backward is dx = dy·Ŵ, Ŵ its dequantized weight
// (baseLinearInputGradient), so the gradients are those of the quantized forward, as QLoRA's.
import type { Checkpoint } from '../model/loadCheckpoint.ts';
import { layerPrefix } from '../model/checkpointLayout.ts';
import {
  LORA_TARGETS,
  targetShape,
  type LoraTarget,
  type ModelSpec,
  type WeightPrecision,
} from '../model/modelSpec.ts';
import { DiffGraph, type FloatType } from './autodiff.ts';
import { DataType } from './onnxProto.ts';
import { ropeTables } from './ropeTable.ts';
import { baseLinear, baseLinearInputGradient, transpose, type WeightFormat } from './graphLinear.ts';
import { hostInt8Range, int8Levels, type Int8Range } from './int8Range.ts';

export interface TrainingGraphOptions {
  /** Element type of the whole graph; float64 is for finite-difference checks. Default float32. */
  floatType?: FloatType;
  /** LoRA rank and targets (graph inputs with gradients); omit to train no adapter. */
  lora?: { rank: number; targets: readonly LoraTarget[] };
  /** Base weights become inputs with gradients (full fine-tuning, training from scratch). */
  trainBase?: boolean;
  /** Also output the logits [N, V]. */
  logits?: boolean;
  /** Positions the RoPE table covers; default the model's max positions. */
  maxPositions?: number;
  /** The frozen base's precision, as the serving decoder's (default fp32); int8 and int4 need float32, no trainBase. */
  precision?: WeightPrecision;
  /** int8 only: the weight range (default: this CPU's, hostInt8Range()), as the serving decoder's. */
  int8Range?: Int8Range;
}

export const TRAIN_INPUTS = {
  inputIds: 'input_ids',
  labels: 'labels',
  lossMask: 'loss_mask',
  seqLen: 'seq_len',
  lossScale: 'loss_scale',
  loraScale: 'lora_scale',
  loraA: (l: number, t: LoraTarget) => `lora_a.${l}.${t}`,
  loraB: (l: number, t: LoraTarget) => `lora_b.${l}.${t}`,
  weight: (hfName: string) => `weight:${hfName}`,
} as const;

export const TRAIN_OUTPUTS = {
  loss: 'loss',
  logits: 'logits',
  grad: (input: string) => `grad:${input}`,
} as const;

export interface TrainingGraph {
  /** Inputs with a gradient output, in a stable order (LoRA A/B per layer and target, then weights). */
  trainable: Array<{ name: string; shape: number[] }>;
}

/** Builds the training graph of `ckpt` and writes it to `file` (+ `file.data`). */
export function buildTrainingGraph(ckpt: Checkpoint, opts: TrainingGraphOptions, file: string): TrainingGraph {
  const { spec } = ckpt;
  const precision = opts.precision ?? 'fp32';
  if (precision !== 'fp32' && opts.trainBase)
    throw new Error(`training graph: an ${precision} base cannot be trained (trainBase needs precision fp32)`);
  if (precision !== 'fp32' && (opts.floatType ?? 'float32') !== 'float32')
    throw new Error(`training graph: an ${precision} base runs in float32 only (got floatType ${opts.floatType})`);
  const format: WeightFormat = { precision, int8Levels: int8Levels(opts.int8Range ?? hostInt8Range()) };
  const dg = new DiffGraph('training', opts.floatType ?? 'float32');
  const { g } = dg;
  const { hiddenSize: D, numHeads: H, numKvHeads: Hkv, headDim: Dh, vocabSize: V } = spec;
  const trainable: TrainingGraph['trainable'] = [];
  const tensor = (name: string) => {
    const t = ckpt.tensors.get(name);
    if (!t) throw new Error(`training graph: the checkpoint has no ${name}`);
    return t;
  };
  /** A base weight: a trainable input in checkpoint layout, or a frozen initializer. */
  const baseWeight = (name: string): string => {
    const t = tensor(name);
    if (!opts.trainBase) return dg.weight(name, t.shape, t.data);
    const input = dg.input(TRAIN_INPUTS.weight(name), t.shape, { grad: true });
    trainable.push({ name: input, shape: t.shape });
    return input;
  };
  /** y = x·Wᵀ for a checkpoint Linear weight [out, in]; frozen weights are stored transposed. */
  const linearWeight = (name: string): { w: string; transposed: boolean } => {
    const t = tensor(name);
    if (opts.trainBase) return { w: baseWeight(name), transposed: false };
    const [out, inn] = t.shape as [number, number];
    return { w: dg.weight(`${name}.T`, [inn, out], transpose(t.data, out, inn)), transposed: true };
  };
  /** y = x·Ŵᵀ [N, Dout] for a quantized frozen Linear weight [Dout, Din] (named `name` in the graph). */
  const quantizedLinear = (x: string, name: string, weightName: string): string => {
    const t = tensor(weightName);
    const [dout, din] = t.shape as [number, number];
    const y = baseLinear(g, format, { x, name, w: t.data, dout, din });
    return dg.custom(y, [x], [...dg.shape(x).slice(0, -1), dout], (dy) => [
      baseLinearInputGradient(g, format, { dy, name, dout, din }),
    ]);
  };

  // --- inputs and non-differentiable helpers ---
  const ids = g.input(TRAIN_INPUTS.inputIds, DataType.INT64, ['B', 'T']);
  const labels = g.input(TRAIN_INPUTS.labels, DataType.INT64, ['B', 'T']);
  const lossMask = dg.input(TRAIN_INPUTS.lossMask, ['B', 'T']);
  const seqLen = g.input(TRAIN_INPUTS.seqLen, DataType.INT64, ['B']);
  const lossScale = dg.input(TRAIN_INPUTS.lossScale, []);
  const loraScale = opts.lora ? dg.input(TRAIN_INPUTS.loraScale, []) : null;
  const shapeBT = g.op('Shape', [ids]); // [2] = (B, T)
  const T = g.op('Gather', [shapeBT, g.constI([1])]); // [1]
  const positions = g.op('Range', [g.constI([0], []), g.op('Squeeze', [T, g.constI([0])]), g.constI([1], [])]); // [T]
  const shapeOf = (...tail: number[]) => g.op('Concat', [shapeBT, g.constI(tail)], { axis: 0 });

  // attention mask bias [B, 1, T, T]: 0 where key j <= query t and j < seq_len[b], else -1e9
  const keys = g.op('Unsqueeze', [positions, g.constI([0])]); // [1, T]
  const causal = g.op('LessOrEqual', [keys, g.op('Unsqueeze', [positions, g.constI([1])])]); // [T, T]
  const valid = g.op('Less', [keys, g.op('Unsqueeze', [seqLen, g.constI([1])])]); // [B, T]
  const allowed = g.op('And', [
    g.op('Unsqueeze', [causal, g.constI([0, 1])]),
    g.op('Unsqueeze', [valid, g.constI([1, 2])]),
  ]);
  const maskBias = dg.external(g.op('Where', [allowed, dg.constant(0), dg.constant(-1e9)]), ['B', 1, 'T', 'T']);

  // RoPE tables for positions 0..T-1: cos [T, Dh], sinSigned [T, Dh]; swap [Dh, Dh] swaps halves
  const maxPos = opts.maxPositions ?? spec.maxPositions;
  const { cos, sinSigned } = ropeTables(spec, maxPos, Float64Array);
  const ropeRows = (table: Float64Array, name: string) =>
    dg.external(g.op('Gather', [dg.weight(name, [maxPos, Dh], table), positions]), ['T', Dh]);
  const cosT = ropeRows(cos, 'rope.cos');
  const sinT = ropeRows(sinSigned, 'rope.sin_signed');
  const swap = dg.weight('rope.swap_halves', [Dh, Dh], swapHalvesMatrix(Dh));
  const rope = (x: string) => dg.add(dg.mul(x, cosT), dg.mul(dg.matmul(x, swap), sinT));

  const rms = (x: string, weightName: string) => {
    const w = baseWeight(weightName);
    const r = dg.rsqrt(dg.add(dg.reduceMean(dg.mul(x, x), [-1]), dg.constant(spec.rmsNormEps)));
    return dg.mul(dg.mul(x, r), w);
  };
  const loraTargets = new Set(opts.lora?.targets ?? []);
  const projection = (x: string, l: number, target: LoraTarget): string => {
    const group = target === 'gate_proj' || target === 'up_proj' || target === 'down_proj' ? 'mlp' : 'self_attn';
    const name = `${layerPrefix(l)}.${group}.${target}`;
    let y: string;
    if (precision === 'fp32') {
      const { w, transposed } = linearWeight(`${name}.weight`);
      y = dg.matmul(x, transposed ? w : dg.transpose(w, [1, 0]));
    } else {
      y = quantizedLinear(x, name, `${name}.weight`);
    }
    if (spec.attentionBias && (target === 'q_proj' || target === 'k_proj' || target === 'v_proj')) {
      y = dg.add(y, baseWeight(`${name}.bias`));
    }
    if (opts.lora && loraScale && loraTargets.has(target)) {
      const [din, dout] = targetShape(spec, target);
      const a = dg.input(TRAIN_INPUTS.loraA(l, target), [din, opts.lora.rank], { grad: true });
      const b = dg.input(TRAIN_INPUTS.loraB(l, target), [opts.lora.rank, dout], { grad: true });
      y = dg.add(y, dg.matmul(dg.mul(dg.matmul(x, a), loraScale), b));
    }
    return y;
  };
  if (opts.lora) {
    for (let l = 0; l < spec.numLayers; l++) {
      for (const t of LORA_TARGETS.filter((t) => loraTargets.has(t))) {
        const [din, dout] = targetShape(spec, t);
        trainable.push({ name: TRAIN_INPUTS.loraA(l, t), shape: [din, opts.lora.rank] });
        trainable.push({ name: TRAIN_INPUTS.loraB(l, t), shape: [opts.lora.rank, dout] });
      }
    }
  }

  // --- forward ---
  const embed = baseWeight('model.embed_tokens.weight');
  let x = dg.gather(embed, g.op('Reshape', [ids, g.constI([-1])]), ['N']); // [N, D]
  const groups = H / Hkv;
  const heads = (v: string, n: number) => dg.transpose(dg.reshape(v, ['B', 'T', n, Dh], shapeOf(n, Dh)), [0, 2, 1, 3]);
  const repeatKv = (v: string) => {
    if (groups === 1) return v;
    const five = dg.reshape(v, ['B', Hkv, 1, 'T', Dh], g.constI([0, 0, 1, -1, Dh]));
    return dg.reshape(dg.expand(five, [1, 1, groups, 1, 1]), ['B', H, 'T', Dh], g.constI([0, H, -1, Dh]));
  };
  for (let l = 0; l < spec.numLayers; l++) {
    const p = layerPrefix(l);
    const h = rms(x, `${p}.input_layernorm.weight`);
    const q = rope(heads(projection(h, l, 'q_proj'), H)); // [B, H, T, Dh]
    const k = repeatKv(rope(heads(projection(h, l, 'k_proj'), Hkv)));
    const v = repeatKv(heads(projection(h, l, 'v_proj'), Hkv));
    const scores = dg.add(
      dg.mul(dg.matmul(q, dg.transpose(k, [0, 1, 3, 2])), dg.constant(1 / Math.sqrt(Dh))),
      maskBias,
    );
    const attn = dg.matmul(dg.softmax(scores), v); // [B, H, T, Dh]
    const merged = dg.reshape(dg.transpose(attn, [0, 2, 1, 3]), ['N', H * Dh], g.constI([-1, H * Dh]));
    x = dg.add(x, projection(merged, l, 'o_proj'));
    const h2 = rms(x, `${p}.post_attention_layernorm.weight`);
    const gate = projection(h2, l, 'gate_proj');
    const act = dg.mul(dg.mul(gate, dg.sigmoid(gate)), projection(h2, l, 'up_proj'));
    x = dg.add(x, projection(act, l, 'down_proj'));
  }
  const final = rms(x, 'model.norm.weight');
  const headName = spec.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  // logits [N, V]; a quantized head is named 'lm_head', tied or not, as in the decoder
  const logits =
    precision === 'fp32'
      ? dg.matmul(final, dg.transpose(spec.tieWordEmbeddings ? embed : baseWeight(headName), [1, 0]))
      : quantizedLinear(final, 'lm_head', headName);
  const nll = dg.neg(dg.pick(dg.logSoftmax(logits), g.op('Reshape', [labels, g.constI([-1, 1])]))); // [N, 1]
  const maskFlat = dg.reshape(lossMask, ['N', 1], g.constI([-1, 1]));
  const loss = dg.reshape(dg.mul(dg.reduceSum(dg.mul(nll, maskFlat), [0, 1]), lossScale), [1], g.constI([1]));

  // --- backward and outputs ---
  g.output(loss, dg.dataType, [1], TRAIN_OUTPUTS.loss);
  if (opts.logits) g.output(logits, dg.dataType, ['N', V], TRAIN_OUTPUTS.logits);
  const grads = dg.gradients(
    loss,
    trainable.map((t) => t.name),
  );
  for (const t of trainable) g.output(grads.get(t.name)!, dg.dataType, t.shape, TRAIN_OUTPUTS.grad(t.name));
  g.save(file);
  return { trainable };
}

/** P [Dh, Dh] with (x·P)[i] = x[(i + Dh/2) mod Dh]. */
function swapHalvesMatrix(dh: number): Float64Array {
  const m = new Float64Array(dh * dh);
  for (let i = 0; i < dh; i++) m[((i + dh / 2) % dh) * dh + i] = 1;
  return m;
}
