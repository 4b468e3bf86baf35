// LoRA in the decoder graph: both contract kernels ('grouped' buckets and per-row 'gather') on
// rows of one call with different adapters (ranks 4 and 8 padded to R = 8, partial targets) and
// base rows, against the reference forward with y = x·W + scale·(x·A)·B.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDecoderGraph } from './buildDecoderGraph.ts';
import { createSession } from './createSession.ts';
import { DecoderHarness, loraFeeds } from '../../test/support/decoderHarness.ts';
import { loadCheckpoint } from '../model/loadCheckpoint.ts';
import { randomAdapter } from '../../test/support/randomAdapter.ts';
import { referenceLogits } from '../reference/referenceForward.ts';
import { LORA_TARGETS } from '../model/modelSpec.ts';
import { type LoraKernel } from './graphContract.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const TOL = 1e-4;

for (const kernel of ['grouped', 'gather'] as LoraKernel[]) {
  test(`LoRA kernel '${kernel}': mixed adapters and base rows in one call match the reference`, async () => {
    const ckpt = await loadCheckpoint(STORIES);
    const { spec } = ckpt;
    const adapters = [
      randomAdapter(spec, { id: 'a4', seed: 10, rank: 4, targets: ['q_proj', 'v_proj', 'down_proj'] }),
      randomAdapter(spec, { id: 'a8', seed: 11, rank: 8, targets: [...LORA_TARGETS], scale: 0.5 }),
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'h1-lora-')), 'd.onnx');
    buildDecoderGraph(ckpt, { precision: 'fp32', loraKernel: kernel }, file);
    const session = await createSession(file, { provider: 'cpu', threads: 1 });
    const rowAdapter = [0, null, 1, 0];
    const h = new DecoderHarness(session, spec, 4, 32);
    const steps = [
      [
        [1, 20, 30, 40],
        [1, 50],
        [1, 60, 70],
        [1, 80, 90, 100, 110],
      ],
      [[5], [6], [7, 8], [9]],
      [[12], [13], [14], [15]],
    ];
    const seqs: number[][] = [[], [], [], []];
    let worst = 0;
    let adapterEffect = 0;
    for (const [i, step] of steps.entries()) {
      const T = Math.max(...step.map((s) => s.length));
      // The last call runs every row on the base model (no adapter rows: K=1, R=1 zeros for 'grouped').
      const rows = i === steps.length - 1 ? rowAdapter.map(() => null) : rowAdapter;
      const got = await h.step(step, loraFeeds(kernel, spec, adapters, rows, T, 8));
      step.forEach((t, b) => seqs[b]!.push(...t));
      for (let b = 0; b < 4; b++) {
        // History was computed with the row's adapter; the last step's new tokens by the base.
        const a = rowAdapter[b] === null ? undefined : adapters[rowAdapter[b]!];
        const full = referenceLogits(ckpt, seqs[b]!, a);
        const base = referenceLogits(ckpt, seqs[b]!);
        got[b]!.forEach((lg, t) => {
          const at = seqs[b]!.length - step[b]!.length + t;
          const r = rows[b] === null && i === steps.length - 1 && a ? null : full[at]!;
          if (r === null) return; // base step over an adapter-built cache: no single reference
          for (let v = 0; v < lg.length; v++) {
            worst = Math.max(worst, Math.abs(lg[v]! - r[v]!));
            if (a) adapterEffect = Math.max(adapterEffect, Math.abs(r[v]! - base[at]![v]!));
          }
        });
      }
    }
    assert.ok(
      adapterEffect > 0.1,
      `adapters barely change the logits (${adapterEffect}); the test would not catch a missing delta`,
    );
    assert.ok(worst < TOL, `max |graph - reference| = ${worst}`);
    await session.release();
  });
}
