// The training graph against independent references: its forward logits and loss against the plain
// float64 reference forward (kernels/reference), its float64 gradients against central finite
// differences of its own loss, and its float32 build against its float64 build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Prng } from '../../common/index.ts';
import { generateModel } from '../../factory/index.ts';
import { loadCheckpoint, LORA_TARGETS, type AdapterWeights, type Checkpoint, type LoraPair } from '../model/index.ts';
import { referenceLogits } from '../reference/referenceForward.ts';
import { buildTrainingGraph, TRAIN_INPUTS, TRAIN_OUTPUTS, type TrainingGraphOptions } from './buildTrainingGraph.ts';
import { createSession } from './createSession.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'train-graph-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A right-padded batch: rows of tokens, every next token a loss target but the first of row 1. */
function batch(rows: number[][]) {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(B * T); // [B, T]
  const labels = new BigInt64Array(B * T);
  const mask = new Float64Array(B * T);
  rows.forEach((r, b) => {
    r.forEach((tok, t) => (ids[b * T + t] = BigInt(tok)));
    for (let t = 0; t + 1 < r.length; t++) {
      labels[b * T + t] = BigInt(r[t + 1]!);
      mask[b * T + t] = b === 1 && t === 0 ? 0 : 1;
    }
  });
  const count = mask.reduce((a, m) => a + m, 0);
  return { rows, B, T, ids, labels, mask, count, seqLen: BigInt64Array.from(rows.map((r) => BigInt(r.length))) };
}
type Batch = ReturnType<typeof batch>;

/** Seeded LoRA values for every trainable LoRA input (B non-zero, so A has a gradient). */
function loraValues(trainable: Array<{ name: string; shape: number[] }>, seed: number): Map<string, Float64Array> {
  const rng = new Prng(seed);
  const out = new Map<string, Float64Array>();
  for (const t of trainable) {
    if (!t.name.startsWith('lora_')) continue;
    const v = rng.fillUniform(new Float32Array(t.shape.reduce((a, b) => a * b, 1)), 0.2);
    out.set(t.name, Float64Array.from(v)); // float32-representable, so the float32 graph sees the same values
  }
  return out;
}

class Harness {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly floatType: 'float32' | 'float64',
    readonly trainable: Array<{ name: string; shape: number[] }>,
  ) {}

  static async open(ckpt: Checkpoint, opts: TrainingGraphOptions, name: string): Promise<Harness> {
    const file = join(dir, `${name}.onnx`);
    const { trainable } = buildTrainingGraph(ckpt, opts, file);
    const level = opts.floatType === 'float64' ? 'basic' : 'all';
    const session = await createSession(file, { provider: 'cpu', threads: 1, optimizationLevel: level });
    return new Harness(session, opts.floatType ?? 'float32', trainable);
  }

  async run(b: Batch, params: Map<string, Float64Array>, scale = 2): Promise<Record<string, Float64Array>> {
    const f = (v: ArrayLike<number>, dims: number[]) =>
      this.floatType === 'float64'
        ? new ort.Tensor('float64', Float64Array.from(v), dims)
        : new ort.Tensor('float32', Float32Array.from(v), dims);
    const feeds: Record<string, ort.Tensor> = {
      [TRAIN_INPUTS.inputIds]: new ort.Tensor('int64', b.ids, [b.B, b.T]),
      [TRAIN_INPUTS.labels]: new ort.Tensor('int64', b.labels, [b.B, b.T]),
      [TRAIN_INPUTS.lossMask]: f(b.mask, [b.B, b.T]),
      [TRAIN_INPUTS.seqLen]: new ort.Tensor('int64', b.seqLen, [b.B]),
      [TRAIN_INPUTS.lossScale]: f([1 / b.count], []),
    };
    if (this.session.inputNames.includes(TRAIN_INPUTS.loraScale)) feeds[TRAIN_INPUTS.loraScale] = f([scale], []);
    for (const t of this.trainable) feeds[t.name] = f(params.get(t.name)!, t.shape);
    const out = await this.session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float64Array.from(v.data as ArrayLike<number>)]));
  }
}

/** Base weights as trainable values (checkpoint layout), for trainBase graphs. */
function baseValues(ckpt: Checkpoint, trainable: Array<{ name: string }>): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const t of trainable) {
    if (!t.name.startsWith('weight:')) continue;
    out.set(t.name, Float64Array.from(ckpt.tensors.get(t.name.slice('weight:'.length))!.data));
  }
  return out;
}

/** Central differences of the loss at `count` seeded entries of each trainable input, against its gradient. */
async function checkFiniteDifferences(
  h: Harness,
  b: Batch,
  params: Map<string, Float64Array>,
  count: number,
  seed: number,
) {
  const grads = await h.run(b, params);
  const rng = new Prng(seed);
  const eps = 1e-5;
  let worst = 0;
  let checked = 0;
  for (const t of h.trainable) {
    const values = params.get(t.name)!;
    const grad = grads[TRAIN_OUTPUTS.grad(t.name)]!;
    for (let k = 0; k < count; k++) {
      const i = Math.floor(rng.next() * values.length);
      const keep = values[i]!;
      values[i] = keep + eps;
      const up = (await h.run(b, params))[TRAIN_OUTPUTS.loss]![0]!;
      values[i] = keep - eps;
      const down = (await h.run(b, params))[TRAIN_OUTPUTS.loss]![0]!;
      values[i] = keep;
      const fd = (up - down) / (2 * eps);
      const err = Math.abs(fd - grad[i]!);
      worst = Math.max(worst, err);
      checked++;
      assert.ok(err < 1e-6, `${t.name}[${i}]: finite difference ${fd} vs gradient ${grad[i]} (|diff| ${err})`);
    }
  }
  return { worst, checked };
}

/** max |a - b| / max |b| over each gradient output and the loss. */
function relativeGap(a: Record<string, Float64Array>, b: Record<string, Float64Array>): number {
  let worst = 0;
  for (const [name, ref] of Object.entries(b)) {
    const got = a[name]!;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < ref.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]!));
      diff = Math.max(diff, Math.abs(got[i]! - ref[i]!));
    }
    if (scale > 0) worst = Math.max(worst, diff / scale);
  }
  return worst;
}

const storiesBatch = () =>
  batch([
    [1, 45, 210, 33, 97, 400, 12, 7],
    [1, 301, 5, 88, 160],
  ]);

test('stories260K LoRA: float64 logits and loss equal the reference forward', async () => {
  const ckpt = await loadCheckpoint(STORIES);
  const h = await Harness.open(
    ckpt,
    { floatType: 'float64', lora: { rank: 4, targets: LORA_TARGETS }, logits: true },
    'stories-lora-64',
  );
  const b = storiesBatch();
  const params = loraValues(h.trainable, 7);
  const out = await h.run(b, params, 2);
  // the same adapter, as the reference forward reads it (A [Din, R], B [R, Dout])
  const layers: Array<Map<(typeof LORA_TARGETS)[number], LoraPair>> = [];
  for (let l = 0; l < ckpt.spec.numLayers; l++) {
    const m = new Map<(typeof LORA_TARGETS)[number], LoraPair>();
    for (const t of LORA_TARGETS) {
      m.set(t, {
        a: Float32Array.from(params.get(TRAIN_INPUTS.loraA(l, t))!),
        b: Float32Array.from(params.get(TRAIN_INPUTS.loraB(l, t))!),
      });
    }
    layers.push(m);
  }
  const adapter: AdapterWeights = { id: 'x', rank: 4, scale: 2, targets: [...LORA_TARGETS], layers, bytes: 0 };
  const V = ckpt.spec.vocabSize;
  let nll = 0;
  b.rows.forEach((row, r) => {
    const ref = referenceLogits(ckpt, row, adapter);
    ref.forEach((logits, t) => {
      const got = out[TRAIN_OUTPUTS.logits]!.subarray((r * b.T + t) * V, (r * b.T + t + 1) * V);
      for (let v = 0; v < V; v++) assert.ok(Math.abs(got[v]! - logits[v]!) < 1e-9, `row ${r} pos ${t} logit ${v}`);
      if (b.mask[r * b.T + t]) {
        const max = Math.max(...logits);
        const lse = max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0));
        nll += lse - logits[row[t + 1]!]!;
      }
    });
  });
  assert.ok(Math.abs(out[TRAIN_OUTPUTS.loss]![0]! - nll / b.count) < 1e-12, `loss ${out.loss} vs ${nll / b.count}`);
});

test('stories260K LoRA: float64 gradients equal central finite differences; float32 equals float64', async () => {
  const ckpt = await loadCheckpoint(STORIES);
  const opts = { lora: { rank: 4, targets: LORA_TARGETS } };
  const h64 = await Harness.open(ckpt, { ...opts, floatType: 'float64' }, 'stories-fd-64');
  const b = storiesBatch();
  const params = loraValues(h64.trainable, 11);
  const { checked } = await checkFiniteDifferences(h64, b, params, 2, 3);
  assert.equal(checked, h64.trainable.length * 2);
  const h32 = await Harness.open(ckpt, { ...opts, floatType: 'float32' }, 'stories-fd-32');
  const gap = relativeGap(await h32.run(b, params), await h64.run(b, params));
  assert.ok(gap < 1e-4, `float32 vs float64 gradients: relative gap ${gap}`);
});

for (const [name, fields] of [
  ['GQA, tied', {}],
  ['Qwen2 q/k/v biases', { architecture: 'Qwen2ForCausalLM' as const, attentionBias: true }],
  ['untied lm_head', { tieWordEmbeddings: false }],
] as const) {
  test(`generated ${name}: full-weight and LoRA gradients equal finite differences; float32 equals float64`, async () => {
    const slug = name.replace(/\W+/g, '-');
    const modelDir = join(dir, `model-${slug}`);
    await generateModel({ dir: modelDir, seed: 5, hiddenSize: 32, intermediateSize: 48, vocabSize: 96, ...fields });
    const ckpt = await loadCheckpoint(modelDir);
    const opts = { lora: { rank: 2, targets: ['q_proj', 'v_proj', 'down_proj'] as const }, trainBase: true };
    const h64 = await Harness.open(ckpt, { ...opts, floatType: 'float64' }, `gen-64-${slug}`);
    const b = batch([
      [1, 17, 40, 3, 88, 9],
      [1, 60, 22, 71],
    ]);
    const params = new Map([...loraValues(h64.trainable, 13), ...baseValues(ckpt, h64.trainable)]);
    await checkFiniteDifferences(h64, b, params, 1, 4);
    const h32 = await Harness.open(ckpt, { ...opts, floatType: 'float32' }, `gen-32-${slug}`);
    const gap = relativeGap(await h32.run(b, params), await h64.run(b, params));
    assert.ok(gap < 1e-4, `float32 vs float64 gradients: relative gap ${gap}`);
  });
}
