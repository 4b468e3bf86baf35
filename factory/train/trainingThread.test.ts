// The training thread as the one writer of an adapter's influence/gradients.bin: concurrent
// storeGradients calls for one file share one write (the same result object comes back to every
// caller), a call with other arguments waits and then writes its own, and no temporary is left
// behind. A real adapter trained on stories260K by the factory's loop (the skills harness).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { influenceFiles, readGradientHeader } from '../../adapters/index.ts';
import {
  influenceWorkspace,
  skillConfig,
  skillRows,
  STORIES260K,
  trainSkillAdapter,
} from '../../test/support/influenceSkills.ts';

const { dir, thread } = influenceWorkspace('ll-thread-gradients-');

test('storeGradients is single-flight per file: one write shared, other arguments wait their turn', async () => {
  const cacheDir = join(dir, 'cache');
  const a = await trainSkillAdapter({
    modelDir: STORIES260K,
    cacheDir,
    root: dir,
    name: 'skills',
    rows: skillRows({ skills: 2, perSkill: 3, len: 3, seed: 4 }),
    config: skillConfig({ epochs: 1 }),
  });
  const file = influenceFiles(a.dir).gradients;
  const args = {
    modelDir: STORIES260K,
    cacheDir,
    threads: 1,
    maxRank: 64,
    adapterDir: a.dir,
    precision: 'fp32' as const,
    examples: a.examples,
    projection: null,
    file,
    manifestHash: a.manifestHash,
  };
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
