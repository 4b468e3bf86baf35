// The training thread as the one writer of an adapter's influence/gradients.bin: concurrent
// storeGradients calls for one file share one write (the same result object comes back to every
// caller), a call with other arguments waits and then writes its own, and no temporary is left
// behind. Answers for adapters that interleave share one session per LoRA shape and still get each
// adapter's own gradients. Real adapters trained on stories260K by the factory's loop (the skills harness).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readGradientHeader, readGradientStore } from '../../adapters/index.ts';
import { loadModelSpec } from '../../kernels/model/index.ts';
import { exampleGradients, openGradientModel } from './exampleGradients.ts';
import { TrainingThread } from './trainingThread.ts';
import {
  influenceWorkspace,
  skillConfig,
  skillRows,
  STORIES260K,
  trainedGradientArgs,
  trainSkillAdapter,
} from '../../test/support/influenceSkills.ts';

const { dir, thread } = influenceWorkspace('ll-thread-gradients-');

test('storeGradients is single-flight per file: one write shared, other arguments wait their turn', async () => {
  const { store: args } = await trainedGradientArgs(
    dir,
    'skills',
    skillRows({ skills: 2, perSkill: 3, len: 3, seed: 4 }),
  );
  const { file } = args;
  const same = Array.from({ length: 4 }, () => thread.storeGradients(args));
  const projected = thread.storeGradients({ ...args, projection: { seed: 3, k: 2 } });
  const results = await Promise.all(same);
  for (const r of results) assert.equal(r, results[0], 'every caller shares the one write');
  assert.equal(results[0]!.header.projection, null);
  assert.deepEqual((await projected).header.projection, { seed: 3, k: 2 });
  // the projected write came after the shared one: the file on disk is the projected one
  assert.deepEqual((await readGradientHeader(file)).projection, { seed: 3, k: 2 });
  assert.deepEqual(readdirSync(dirname(file)).sort(), ['examples.json', 'gradients.bin']);
  // once settled, a new call writes again (a fresh result, not the cached one)
  const again = await thread.storeGradients(args);
  assert.notEqual(again, results[0]);
  assert.equal((await readGradientHeader(file)).projection, null);
});

test("answers for interleaved adapters (two LoRA shapes) each get their own adapter's gradients", async () => {
  const cacheDir = join(dir, 'cache');
  const rows = skillRows({ skills: 2, perSkill: 2, len: 3, seed: 9 });
  const trained: Array<Awaited<ReturnType<typeof trainSkillAdapter>>> = [];
  for (const [i, rank] of [4, 4, 2].entries())
    trained.push(
      await trainSkillAdapter({
        modelDir: STORIES260K,
        cacheDir,
        root: dir,
        name: `shape-${i}`,
        rows,
        config: skillConfig({ epochs: 1 + i, rank, alpha: 2 * rank }),
      }),
    );
  const base = { modelDir: STORIES260K, cacheDir, threads: 1, maxRank: 64, precision: 'fp32' as const };
  const answer = trained[0]!.examples.slice(0, 2);
  // A, B, C, A, B, C at once: the thread holds at most two sessions and switches adapters under them
  const calls = [0, 1, 2, 0, 1, 2].map((i) =>
    thread.answerGradients({ ...base, adapterDir: trained[i]!.dir, rows: answer, projection: null }),
  );
  const got = await Promise.all(calls);
  // the reference: a model opened for that adapter alone, in this thread
  const spec = await loadModelSpec(STORIES260K);
  for (const [i, a] of trained.entries()) {
    const m = await openGradientModel({ ...base, adapterDir: a.dir, spec });
    const want: Float32Array[][] = [];
    await exampleGradients(m, answer, null, (_, b) => void want.push(b));
    await m.session.release();
    for (const g of [got[i]!, got[i + 3]!])
      for (const [r, blocks] of want.entries())
        for (const [l, w] of blocks.entries()) {
          const v = g.blocks[r]![l]!;
          assert.equal(v.length, w.length);
          const err = Math.max(...w.map((x, j) => Math.abs(x - v[j]!)));
          assert.ok(err <= 1e-5 * (1 + Math.max(...w.map(Math.abs))), `adapter ${i} row ${r} block ${l}: ${err}`);
        }
  }
  // the adapters differ, so a mixed-up binding would show
  assert.notDeepEqual(got[0]!.blocks[0]![0], got[1]!.blocks[0]![0]);
});

test('two training threads (two replicas on one shared adapter folder) write one file at once: both succeed, the file is whole', async () => {
  const { adapter: a, store: args } = await trainedGradientArgs(
    dir,
    'shared',
    skillRows({ skills: 2, perSkill: 10, len: 3, seed: 5 }),
  );
  const { file } = args;
  // no single flight spans processes: each writes to a temporary of its own, then renames
  // (one shared `gradients.bin.tmp` failed the later rename with ENOENT)
  const replica = new TrainingThread();
  try {
    // both threads started and their models open, so that the two writes overlap
    const warm = { ...args, rows: a.examples.slice(0, 1) };
    await Promise.all([thread.answerGradients(warm), replica.answerGradients(warm)]);
    const [mine, theirs] = await Promise.all([thread.storeGradients(args), replica.storeGradients(args)]);
    assert.deepEqual(mine.header, theirs.header);
  } finally {
    await replica.close();
  }
  const back = await readGradientStore(file);
  assert.equal(back.train.n, a.examples.length);
  assert.deepEqual(readdirSync(dirname(file)).sort(), ['examples.json', 'gradients.bin']);
});
