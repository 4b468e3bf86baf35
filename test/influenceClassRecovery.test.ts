// Class recovery, lean (DataInf's own protocol, the full figures are bench:influence's): an adapter
// trained by the factory's loop on five skills, one contributor each, on stories260K; for held-out
// queries of each skill, same-skill training examples rank above the others by DataInf (AUC) and
// the contributor with the most positive influence is the skill's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InfluenceScorer, rocAuc } from '../attribution/scoring/influence/index.ts';
import {
  influenceWorkspace,
  SKILLS,
  skillConfig,
  skillRows,
  STORIES260K,
  trainSkillAdapter,
} from './support/influenceSkills.ts';

const STORIES = STORIES260K;
const { dir, thread } = influenceWorkspace('ll-class-recovery-');

test('DataInf recovers the skill and the contributor of held-out queries', async () => {
  const shape = { skills: 5, len: 3, lead: 3 };
  const rows = skillRows({ ...shape, perSkill: 8, seed: 1 });
  const cacheDir = join(dir, 'cache');
  const a = await trainSkillAdapter({
    modelDir: STORIES,
    cacheDir,
    root: dir,
    name: 'skills',
    rows,
    config: skillConfig({ epochs: 2 }),
  });
  const scorer = new InfluenceScorer({
    adapterDir: () => a.dir,
    gradients: thread.influenceGradients({ modelDir: STORIES, cacheDir, threads: 1, maxRank: 64 }),
    contextLength: 64,
  });
  const queries = skillRows({ ...shape, perSkill: 2, seed: 99 });
  const skillOf = (id: string) => SKILLS.findIndex((s) => id.startsWith(`skill-${s.name}-`));
  const aucs: number[] = [];
  let right = 0;
  for (const q of queries) {
    const scores = (await scorer.score({ adapterId: 'skills', promptIds: q.prompt, completionIds: q.completion }))!;
    aucs.push(
      rocAuc(
        scores.map((s) => s.score),
        scores.map((s) => skillOf(s.exampleId) === q.skill),
      ),
    );
    const byContributor = new Map<string, number>();
    for (const s of scores)
      byContributor.set(s.contributor!, (byContributor.get(s.contributor!) ?? 0) + Math.max(s.score, 0));
    const top = [...byContributor].sort((x, y) => y[1] - x[1])[0]![0];
    if (top === SKILLS[q.skill]!.contributor) right++;
  }
  const auc = aucs.reduce((s, x) => s + x, 0) / aucs.length;
  assert.ok(auc >= 0.75, `mean AUC ${auc.toFixed(3)} (${aucs.map((x) => x.toFixed(2)).join(' ')})`);
  assert.ok(right >= 8, `top contributor right for ${right} of ${queries.length} queries`);
});
