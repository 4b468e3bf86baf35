// A plain, obviously-correct forward pass of a Llama-family decoder, one token at a time, in
// float64 loops. It exists to check the ONNX graph (kernels/buildDecoderGraph.ts) and shares no code
// with it beyond the ModelSpec type. Follows Hugging Face transformers' LlamaModel:
//   h = embed[token]
//   per layer: a = rmsnorm(h)·g1; q,k,v = a·Wq^T(+bq), a·Wk^T(+bk), a·Wv^T(+bv) (+ LoRA)
//              rotate-half RoPE on q,k at the token's position (theta, optional llama3 scaling)
//              head i attends over kv head floor(i / (H/Hkv)), causal, optional sliding window W
//              (key j visible from position p iff p - j < W); h += o·Wo^T
//              m = rmsnorm(h)·g2; h += (silu(m·Wg^T) * (m·Wu^T))·Wd^T
//   logits = rmsnorm(h)·gf · (lm_head or embed)^T
// LoRA: y += scale · (x·A)·B for each targeted projection (A [Din, R], B [R, Dout]).
// Glossary: D hidden, H heads, Hkv kv heads, Dh head size, I intermediate, V vocab, R rank.
import type { AdapterWeights } from '../model/loraWeights.ts';
import type { LoraTarget, ModelSpec } from '../model/modelSpec.ts';
import type { Tensor } from '../model/safetensors.ts';

export interface ReferenceModel {
  spec: ModelSpec;
  tensors: Map<string, Tensor>;
}

function rmsnorm(x: Float64Array, g: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * g[i]!);
}

/** y[o] = sum_i x[i] * W[o, i] (+ b[o]); W stored [out, in]. */
function linear(x: Float64Array, w: Tensor, b?: Tensor): Float64Array {
  const [out, inp] = w.shape as [number, number];
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b.data[o]! : 0;
    for (let i = 0; i < inp; i++) s += x[i]! * w.data[o * inp + i]!;
    y[o] = s;
  }
  return y;
}

/** Inverse frequencies per rotary pair i (0..Dh/2-1), with Llama-3 scaling if configured. */
export function referenceInvFreq(spec: ModelSpec): number[] {
  const dh = spec.headDim;
  const out: number[] = [];
  for (let i = 0; i < dh / 2; i++) {
    let f = 1 / spec.ropeTheta ** ((2 * i) / dh);
    const rs = spec.ropeScaling;
    if (rs) {
      const wavelen = (2 * Math.PI) / f;
      const lowWavelen = rs.originalMaxPositions / rs.lowFreqFactor;
      const highWavelen = rs.originalMaxPositions / rs.highFreqFactor;
      if (wavelen > lowWavelen) f = f / rs.factor;
      else if (wavelen >= highWavelen) {
        const smooth = (rs.originalMaxPositions / wavelen - rs.lowFreqFactor) / (rs.highFreqFactor - rs.lowFreqFactor);
        f = (1 - smooth) * (f / rs.factor) + smooth * f;
      }
    }
    out.push(f);
  }
  return out;
}

/** Rotate-half RoPE of one head vector in place: x' = x*cos + rotate_half(x)*sin. */
function rope(x: Float64Array, off: number, dh: number, pos: number, invFreq: number[]): void {
  const half = dh / 2;
  for (let i = 0; i < half; i++) {
    const a = pos * invFreq[i]!;
    const c = Math.cos(a);
    const s = Math.sin(a);
    const x1 = x[off + i]!;
    const x2 = x[off + i + half]!;
    x[off + i] = x1 * c - x2 * s;
    x[off + i + half] = x2 * c + x1 * s;
  }
}

/** Incremental reference: feed tokens one by one, get each position's logits [V]. */
export class ReferenceDecoder {
  private readonly keys: Float64Array[][]; // [L][pos] -> [Hkv*Dh]
  private readonly values: Float64Array[][];
  private readonly invFreq: number[];
  position = 0;

  constructor(
    private readonly model: ReferenceModel,
    private readonly adapter?: AdapterWeights,
  ) {
    this.keys = Array.from({ length: model.spec.numLayers }, () => []);
    this.values = Array.from({ length: model.spec.numLayers }, () => []);
    this.invFreq = referenceInvFreq(model.spec);
  }

  private t(name: string): Tensor {
    const t = this.model.tensors.get(name);
    if (!t) throw new Error(`reference: missing tensor ${name}`);
    return t;
  }

  private proj(x: Float64Array, l: number, target: LoraTarget, group: string, bias = false): Float64Array {
    const p = `model.layers.${l}.${group}.${target}`;
    const y = linear(x, this.t(`${p}.weight`), bias ? this.t(`${p}.bias`) : undefined);
    const pair = this.adapter?.layers[l]?.get(target);
    if (pair) {
      const r = this.adapter!.rank;
      const din = x.length;
      const dout = y.length;
      for (let k = 0; k < r; k++) {
        let xa = 0;
        for (let i = 0; i < din; i++) xa += x[i]! * pair.a[i * r + k]!;
        for (let o = 0; o < dout; o++) y[o] += this.adapter!.scale * xa * pair.b[k * dout + o]!;
      }
    }
    return y;
  }

  step(token: number): Float64Array {
    const { spec } = this.model;
    const { hiddenSize: D, numHeads: H, numKvHeads: Hkv, headDim: Dh, rmsNormEps: eps } = spec;
    const pos = this.position++;
    const emb = this.t('model.embed_tokens.weight');
    let h = Float64Array.from(emb.data.subarray(token * D, (token + 1) * D));
    for (let l = 0; l < spec.numLayers; l++) {
      const a = rmsnorm(h, this.t(`model.layers.${l}.input_layernorm.weight`).data, eps);
      const q = this.proj(a, l, 'q_proj', 'self_attn', spec.attentionBias);
      const k = this.proj(a, l, 'k_proj', 'self_attn', spec.attentionBias);
      const v = this.proj(a, l, 'v_proj', 'self_attn', spec.attentionBias);
      for (let hh = 0; hh < H; hh++) rope(q, hh * Dh, Dh, pos, this.invFreq);
      for (let hh = 0; hh < Hkv; hh++) rope(k, hh * Dh, Dh, pos, this.invFreq);
      this.keys[l]!.push(k);
      this.values[l]!.push(v);
      const first = spec.slidingWindow === null ? 0 : Math.max(0, pos - spec.slidingWindow + 1);
      const o = new Float64Array(H * Dh);
      for (let hh = 0; hh < H; hh++) {
        const kvh = Math.floor(hh / (H / Hkv));
        const scores: number[] = [];
        for (let j = first; j <= pos; j++) {
          let s = 0;
          for (let d = 0; d < Dh; d++) s += q[hh * Dh + d]! * this.keys[l]![j]![kvh * Dh + d]!;
          scores.push(s / Math.sqrt(Dh));
        }
        const mx = Math.max(...scores);
        const w = scores.map((s) => Math.exp(s - mx));
        const z = w.reduce((x, y) => x + y, 0);
        for (let j = first; j <= pos; j++) {
          const p = w[j - first]! / z;
          for (let d = 0; d < Dh; d++) o[hh * Dh + d] += p * this.values[l]![j]![kvh * Dh + d]!;
        }
      }
      const attn = this.proj(o, l, 'o_proj', 'self_attn');
      h = h.map((x, i) => x + attn[i]!);
      const m = rmsnorm(h, this.t(`model.layers.${l}.post_attention_layernorm.weight`).data, eps);
      const g = this.proj(m, l, 'gate_proj', 'mlp');
      const u = this.proj(m, l, 'up_proj', 'mlp');
      const act = g.map((x, i) => (x / (1 + Math.exp(-x))) * u[i]!);
      const dn = this.proj(act, l, 'down_proj', 'mlp');
      h = h.map((x, i) => x + dn[i]!);
    }
    const f = rmsnorm(h, this.t('model.norm.weight').data, eps);
    return linear(f, spec.tieWordEmbeddings ? emb : this.t('lm_head.weight'));
  }
}

/** Logits [V] at every position of `tokens`. */
export function referenceLogits(model: ReferenceModel, tokens: number[], adapter?: AdapterWeights): Float64Array[] {
  const dec = new ReferenceDecoder(model, adapter);
  return tokens.map((t) => dec.step(t));
}

function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** Greedy continuation of `promptIds` by `n` tokens (no EOS stop). */
export function referenceGreedy(
  model: ReferenceModel,
  promptIds: number[],
  n: number,
  adapter?: AdapterWeights,
): number[] {
  const dec = new ReferenceDecoder(model, adapter);
  let logits: Float64Array = new Float64Array(0);
  for (const t of promptIds) logits = dec.step(t);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const next = argmax(logits);
    out.push(next);
    if (i < n - 1) logits = dec.step(next);
  }
  return out;
}
