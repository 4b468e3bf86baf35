// The decoder graph against the plain reference forward (kernels/referenceForward.ts), on the real
// trained stories260K checkpoint, fed the way the engine feeds it (JS KV cache, padding, batches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDecoderGraph } from './buildDecoderGraph.ts';
import { createSession } from './createSession.ts';
import { DecoderHarness } from '../../test/support/decoderHarness.ts';
import { loadCheckpoint } from '../model/loadCheckpoint.ts';
import { referenceGreedy, referenceLogits } from '../reference/referenceForward.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const TOL = 1e-4;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

test('stories260K fp32: batched prefill + decode with padding and a JS KV cache match the reference', async () => {
  const ckpt = await loadCheckpoint(STORIES);
  const file = join(mkdtempSync(join(tmpdir(), 'h1-graph-')), 'd.onnx');
  buildDecoderGraph(ckpt, { precision: 'fp32', loraKernel: null }, file);
  const session = await createSession(file, { provider: 'cpu', threads: 1 });
  const h = new DecoderHarness(session, ckpt.spec, 3, 40);
  const history: number[][] = [
    [1, 300, 17],
    [1, 45],
    [1, 9, 88, 130, 201, 7],
  ];
  // Step 1: prefill of three different lengths in one call (rows padded to T = 6).
  const steps: number[][][] = [history.map((h) => [...h])];
  // Then mixed calls: decode rows, a row with several new tokens, an idle row.
  steps.push([[5], [6], [7]], [[11, 12, 13], [14], []], [[21], [], [22, 23]], [[31], [32], [33]]);
  const seqs: number[][] = [[], [], []];
  let worst = 0;
  for (const step of steps) {
    const got = await h.step(step);
    step.forEach((toks, b) => seqs[b]!.push(...toks));
    for (let b = 0; b < 3; b++) {
      const ref = referenceLogits(ckpt, seqs[b]!);
      got[b]!.forEach(
        (logits, t) => (worst = Math.max(worst, maxDiff(logits, ref[seqs[b]!.length - step[b]!.length + t]!))),
      );
    }
  }
  assert.ok(worst < TOL, `max |graph - reference| = ${worst}`);
  // A prefill against an empty cache (capacity 0) works too.
  const empty = await new DecoderHarness(session, ckpt.spec, 2, 0).step([
    [1, 2, 3],
    [1, 4],
  ]);
  assert.ok(maxDiff(empty[0]![2]!, referenceLogits(ckpt, [1, 2, 3])[2]!) < TOL);
  await session.release();
});

test('stories260K fp32: 20 greedy tokens from the graph equal the reference', async () => {
  const ckpt = await loadCheckpoint(STORIES);
  const file = join(mkdtempSync(join(tmpdir(), 'h1-graph-')), 'd.onnx');
  buildDecoderGraph(ckpt, { precision: 'fp32', loraKernel: null }, file);
  const session = await createSession(file, { provider: 'cpu', threads: 1 });
  const prompt = [1, 403, 261, 275];
  const h = new DecoderHarness(session, ckpt.spec, 1, 32);
  let logits = (await h.step([prompt]))[0]!.at(-1)!;
  const out: number[] = [];
  for (let i = 0; i < 20; i++) {
    out.push(argmax(logits));
    if (i < 19) logits = (await h.step([[out.at(-1)!]]))[0]![0]!;
  }
  assert.deepEqual(out, referenceGreedy(ckpt, prompt, 20));
  await session.release();
});
