// int8 (DynamicQuantizeMatMul) and int4 (MatMulNBits) graphs stay close to the fp32 graph:
// top-1 agreement and relative logit error over a prefill + decode run (no timing asserts).
// stories260K's intermediate size 172 is not a multiple of 32, so int4 block padding is covered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDecoderGraph } from './buildDecoderGraph.ts';
import { createSession } from './createSession.ts';
import { DecoderHarness } from '../../test/support/decoderHarness.ts';
import { generateModel } from '../../factory/index.ts';
import { loadCheckpoint, type Checkpoint } from '../model/loadCheckpoint.ts';
import type { WeightPrecision } from '../model/modelSpec.ts';

async function run(ckpt: Checkpoint, precision: WeightPrecision): Promise<Float32Array[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'h1-q-')), 'd.onnx');
  buildDecoderGraph(ckpt, { precision, loraKernel: null }, file);
  const session = await createSession(file, { provider: 'cpu', threads: 1 });
  const h = new DecoderHarness(session, ckpt.spec, 2, 48);
  const V = ckpt.spec.vocabSize;
  const out: Float32Array[] = [];
  const prompts = [
    [1, 7, 99, 23, 54, 12, 3, 88, 41, 16],
    [1, 250, 31, 77, 2, 9, 64, 5],
  ];
  (await h.step(prompts)).forEach((row) => out.push(...row));
  for (let i = 0; i < 16; i++)
    (await h.step([[(i * 31 + 7) % V], [(i * 17 + 3) % V]])).forEach((row) => out.push(...row));
  await session.release();
  return out;
}

function compare(ref: Float32Array[], got: Float32Array[]): { top1: number; relErr: number } {
  let agree = 0;
  let num = 0;
  let den = 0;
  ref.forEach((r, i) => {
    const g = got[i]!;
    let ar = 0;
    let ag = 0;
    for (let v = 0; v < r.length; v++) {
      if (r[v]! > r[ar]!) ar = v;
      if (g[v]! > g[ag]!) ag = v;
      num += (r[v]! - g[v]!) ** 2;
      den += r[v]! ** 2;
    }
    if (ar === ag) agree++;
  });
  return { top1: agree / ref.length, relErr: Math.sqrt(num / den) };
}

// Bounds per model: the tiny trained stories260K (hidden 64) has flat logits and is very sensitive
// (weight-only int8 in the reference already keeps only ~89% of top-1, int4 ~28%); the generated
// D=128 model is the one that shows the quantizers at work. The graphs use this CPU's int8 range
// (int8Range.ts); measured: stories260K int8 66% / 0.07 with 8-bit weights (AVX-512 VNNI host),
// 64% / 0.084 with 7-bit (AVX2 host); generated 100% / 0.024 and 100% / 0.029. (With 8-bit
// weights on the AVX2 host the generated model fell to 94% / 0.43: the saturation this catches.)
interface Bounds {
  int8Top1: number;
  int8Rel: number;
  int4Top1: number;
  int4Rel: number;
}
const models: Array<[string, Bounds, () => Promise<Checkpoint>]> = [
  [
    'stories260K',
    { int8Top1: 0.5, int8Rel: 0.1, int4Top1: 0.15, int4Rel: 0.5 },
    () => loadCheckpoint(new URL('../../../shared/models/stories260K', import.meta.url).pathname),
  ],
  [
    'generated D=128',
    { int8Top1: 0.9, int8Rel: 0.05, int4Top1: 0.85, int4Rel: 0.25 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'h1-qg-'));
      await generateModel({
        dir,
        seed: 7,
        hiddenSize: 128,
        intermediateSize: 256,
        numHeads: 4,
        numKvHeads: 2,
        vocabSize: 256,
        numLayers: 2,
      });
      return loadCheckpoint(dir);
    },
  ],
];

for (const [name, bound, load] of models) {
  test(`${name}: int8 and int4 logits stay close to fp32`, async () => {
    const ckpt = await load();
    const ref = await run(ckpt, 'fp32');
    const int8 = compare(ref, await run(ckpt, 'int8'));
    const int4 = compare(ref, await run(ckpt, 'int4'));
    console.log(
      `${name}: int8 top-1 ${(int8.top1 * 100).toFixed(1)}% rel ${int8.relErr.toFixed(4)}; int4 top-1 ${(int4.top1 * 100).toFixed(1)}% rel ${int4.relErr.toFixed(4)}`,
    );
    assert.ok(int8.top1 >= bound.int8Top1 && int8.relErr < bound.int8Rel, `int8 ${JSON.stringify(int8)}`);
    assert.ok(int4.top1 >= bound.int4Top1 && int4.relErr < bound.int4Rel, `int4 ${JSON.stringify(int4)}`);
    assert.ok(int8.relErr < int4.relErr, 'int8 should be closer to fp32 than int4');
  });
}
