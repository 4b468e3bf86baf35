// llama.cpp (node-llama-cpp) must greedy-decode our GGUF export of a real trained model exactly
// as the plain TypeScript reference forward does: checks the export's tensor names, RoPE row
// permutation, tied head and vocabulary, and the LoRA GGUF export (scale, lora_b permutation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../kernels/model/index.ts';
import { referenceGreedy, referenceLogits } from '../../kernels/index.ts';
import { compareGreedy } from '../greedyCheck.ts';
import { generateAdapter } from '../../factory/index.ts';
import { readAdapterMeta, loadAdapterWeights } from '../../adapters/index.ts';
import { exportModelGguf } from '../gguf/exportModelGguf.ts';
import { exportAdapterGguf } from '../gguf/exportAdapterGguf.ts';
import { LlamaCppPeer } from './llamaCpp.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const PROMPT = [1, 400, 261, 300];
const N = 24;

/** Tokens up to and including the first EOS (llama.cpp may stop there, the reference does not). */
const untilEos = (ids: number[], eos: number): number[] =>
  ids.includes(eos) ? ids.slice(0, ids.indexOf(eos) + 1) : ids;

test('llama.cpp greedy on the stories260K GGUF export equals the reference forward (base and LoRA)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'llamacpp-'));
  const model = await loadCheckpoint(STORIES);
  const gguf = join(dir, 'stories.gguf');
  await exportModelGguf({ modelDir: STORIES, outFile: gguf });
  const adapterDir = join(dir, 'adapter');
  await generateAdapter({ dir: adapterDir, spec: model.spec, seed: 7, rank: 8, alpha: 16, bStd: 0.2 });
  const lora = await exportAdapterGguf({ adapterDir, outFile: join(dir, 'adapter.gguf'), spec: model.spec });
  const peer = await LlamaCppPeer.open({ modelGguf: gguf, threads: 1 });
  try {
    const eos = model.spec.eosTokenIds[0]!;
    const want = untilEos(referenceGreedy(model, PROMPT, N), eos);
    assert.deepEqual(await peer.greedy(PROMPT, want.length), want);

    // Reused sequences (history cleared) of a 2-sequence context give the same greedy output.
    const ctx = await peer.createContext({ contextSize: PROMPT.length + N + 8, sequences: 2, batchSize: 512 });
    try {
      const runs = await Promise.all(
        [0, 1, 2, 3].map(() => LlamaCppPeer.generate(ctx, PROMPT, want.length).then((t) => t.tokens)),
      );
      for (const r of runs) assert.deepEqual(r, want);
    } finally {
      await ctx.dispose();
    }

    const weights = await loadAdapterWeights(readAdapterMeta(adapterDir, 'a'), model.spec);
    const wantLora = untilEos(referenceGreedy(model, PROMPT, N, weights), eos);
    assert.notDeepEqual(wantLora, want, 'the adapter changes the greedy output (else this test proves nothing)');
    const gotLora = await peer.greedy(PROMPT, wantLora.length, [{ filePath: lora.file, scale: lora.scale }]);
    // fp32 (llama.cpp) vs float64 (reference): a near tie may go either way; judge it by the logits.
    const logits = referenceLogits(model, [...PROMPT, ...wantLora], weights);
    const check = compareGreedy(wantLora, gotLora, (pos, tok) => logits[PROMPT.length - 1 + pos]![tok], 1e-2);
    assert.ok(check.pass, check.detail);
    assert.ok(check.matched >= 8, `at least 8 tokens agree before any tie (${check.detail})`);
  } finally {
    await peer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
