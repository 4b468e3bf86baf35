// One-off probe (helper E): dumps a small skill adapter's stored gradients, the same examples'
// gradients recomputed one by one (fp32, row alignment with ids), answer gradients and the
// scorer's DataInf scores to a folder, for an independent numpy recomputation (influenceCheck.py).
// Usage: npx tsx bench/probes/influenceCheck.ts OUTDIR && python3 bench/probes/influenceCheck.py OUTDIR
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingThread } from '../../factory/index.ts';
import { dataInfScores, readGradientStore } from '../../attribution/scoring/influence/index.ts';
import {
  rowExample,
  skillConfig,
  skillRows,
  STORIES260K,
  trainSkillAdapter,
} from '../../test/support/influenceSkills.ts';

const out = process.argv[2]!;
const root = mkdtempSync(join(tmpdir(), 'infl-check-'));
const cacheDir = join(root, 'cache');
const thread = new TrainingThread();
const grads = thread.influenceGradients({ modelDir: STORIES260K, cacheDir, threads: 1, maxRank: 64 });
try {
  const rows = skillRows({ skills: 5, perSkill: 8, len: 3, lead: 3, seed: 1 });
  const a = await trainSkillAdapter({
    modelDir: STORIES260K,
    cacheDir,
    root,
    name: 's',
    rows,
    config: skillConfig({ epochs: 3 }),
  });
  const file = join(a.dir, 'influence', 'gradients.bin');
  await grads.storeGradients({
    adapterDir: a.dir,
    precision: 'fp32',
    examples: a.examples,
    projection: null,
    file,
    manifestHash: a.manifestHash,
  });
  const store = await readGradientStore(file);
  const again = await grads.answerGradients({
    adapterDir: a.dir,
    precision: 'fp32',
    rows: a.examples,
    projection: null,
  });
  const queries = skillRows({ skills: 5, perSkill: 1, len: 3, lead: 3, seed: 99 }).map((q, i) =>
    rowExample(`q${i}`, q),
  );
  queries.push({ ...a.examples[7]!, id: 'train7' }); // a training example as the answer: it must rank first
  const v = await grads.answerGradients({ adapterDir: a.dir, precision: 'fp32', rows: queries, projection: null });
  const cat = (xs: Float32Array[]) => Buffer.from(new Float32Array(xs.flatMap((x) => [...x])).buffer);
  writeFileSync(join(out, 'store.bin'), cat([...store.train.blocks]));
  writeFileSync(join(out, 'again.bin'), cat(again.blocks.flat()));
  writeFileSync(join(out, 'v.bin'), cat(v.blocks.flat()));
  writeFileSync(
    join(out, 'meta.json'),
    JSON.stringify({
      n: store.train.n,
      dims: store.train.dims,
      ids: store.header.examples.map((e) => e.id),
      exampleIds: a.examples.map((e) => e.id),
      queries: queries.map((q) => q.id),
      scores: v.blocks.map((b) => [...dataInfScores(store.train, b)]),
    }),
  );
} finally {
  await thread.close();
}
