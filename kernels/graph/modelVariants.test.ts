// Graph == reference on generated Qwen2 (q/k/v biases), Mistral (sliding window shorter than the
// sequence), Llama-3 rope scaling and untied-head checkpoints, and on the BF16 sharded stories260K.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDecoderGraph } from './buildDecoderGraph.ts';
import { createSession } from './createSession.ts';
import { DecoderHarness } from '../../test/support/decoderHarness.ts';
import { generateModel, type GenerateModelOptions } from '../../factory/index.ts';
import { loadCheckpoint, type Checkpoint } from '../model/loadCheckpoint.ts';
import { referenceLogits } from '../reference/referenceForward.ts';

const TOL = 1e-4;

/** Prefill 2 rows (lengths 7 and 3), then 6 decode steps; returns max |graph - reference|. */
async function graphVsReference(ckpt: Checkpoint): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'h1-var-'));
  buildDecoderGraph(ckpt, { precision: 'fp32', loraKernel: null }, join(dir, 'd.onnx'));
  const session = await createSession(join(dir, 'd.onnx'), { provider: 'cpu', threads: 1 });
  const h = new DecoderHarness(session, ckpt.spec, 2, 24);
  const V = ckpt.spec.vocabSize;
  const seqs: number[][] = [[], []];
  const steps = [
    [
      [1, 5, 9, 14, 3, 77, 100],
      [1, 42, 8],
    ],
    [[4, 5], [6]],
  ];
  for (let i = 0; i < 5; i++) steps.push([[(i * 37 + 11) % V], [(i * 53 + 29) % V]]);
  let worst = 0;
  for (const step of steps) {
    const got = await h.step(step);
    step.forEach((t, b) => seqs[b]!.push(...t));
    for (let b = 0; b < 2; b++) {
      const ref = referenceLogits(ckpt, seqs[b]!);
      got[b]!.forEach((lg, t) => {
        const r = ref[seqs[b]!.length - step[b]!.length + t]!;
        for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(lg[v]! - r[v]!));
      });
    }
  }
  await session.release();
  return worst;
}

/** The option under test changes the reference's logits (so the comparison can fail). */
function differsWithout(ckpt: Checkpoint, change: Partial<Checkpoint['spec']>): number {
  const tokens = [1, 5, 9, 14, 3, 77, 100, 4, 5, 11, 48, 85, 122];
  const a = referenceLogits(ckpt, tokens).at(-1)!;
  const b = referenceLogits({ ...ckpt, spec: { ...ckpt.spec, ...change } }, tokens).at(-1)!;
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

async function generated(opts: Omit<GenerateModelOptions, 'dir'>): Promise<Checkpoint> {
  const dir = mkdtempSync(join(tmpdir(), 'h1-gen-'));
  await generateModel({ dir, ...opts });
  return loadCheckpoint(dir);
}

test('Qwen2 with q/k/v biases', async () => {
  const ckpt = await generated({
    seed: 1,
    architecture: 'Qwen2ForCausalLM',
    hiddenSize: 48,
    numHeads: 6,
    numKvHeads: 2,
    vocabSize: 128,
    intermediateSize: 96,
  });
  assert.equal(ckpt.spec.attentionBias, true);
  assert.ok(ckpt.tensors.has('model.layers.0.self_attn.q_proj.bias'));
  const d = await graphVsReference(ckpt);
  assert.ok(d < TOL, `max diff ${d}`);
});

test('Mistral with a sliding window of 4 over a 13-token sequence', async () => {
  const ckpt = await generated({ seed: 2, architecture: 'MistralForCausalLM', slidingWindow: 4, vocabSize: 128 });
  assert.equal(ckpt.spec.slidingWindow, 4);
  assert.ok(differsWithout(ckpt, { slidingWindow: null }) > 1e-2);
  const d = await graphVsReference(ckpt);
  assert.ok(d < TOL, `max diff ${d}`);
});

test('Llama-3 rope scaling (positions past the original context matter)', async () => {
  const ropeScaling = {
    type: 'llama3' as const,
    factor: 8,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositions: 16,
  };
  const ckpt = await generated({
    seed: 3,
    ropeScaling,
    ropeTheta: 500000,
    vocabSize: 128,
    headDim: 32,
    numHeads: 2,
    numKvHeads: 1,
  });
  assert.deepEqual(ckpt.spec.ropeScaling, ropeScaling);
  assert.ok(differsWithout(ckpt, { ropeScaling: null }) > 1e-2);
  const d = await graphVsReference(ckpt);
  assert.ok(d < TOL, `max diff ${d}`);
});

test('untied lm_head, F16 weights, 3 shards', async () => {
  const ckpt = await generated({ seed: 4, tieWordEmbeddings: false, dtype: 'F16', shards: 3, vocabSize: 128 });
  assert.ok(ckpt.tensors.has('lm_head.weight'));
  const d = await graphVsReference(ckpt);
  assert.ok(d < TOL, `max diff ${d}`);
});

test('stories260K BF16, two shards, untied lm_head (widened weights)', async () => {
  const ckpt = await loadCheckpoint(
    new URL('../../../shared/models/stories260K-bf16-sharded', import.meta.url).pathname,
  );
  assert.equal(ckpt.spec.tieWordEmbeddings, false);
  const d = await graphVsReference(ckpt);
  assert.ok(d < TOL, `max diff ${d}`);
});
