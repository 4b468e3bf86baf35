// POST /v1/attribution/influence on a real adapter trained on stories260K by the factory's loop
// (the skills harness), scored through the real training thread, with the server's error handler.
// Gradients are computed on first request from the stored example rows (an older adapter's path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadTokenizer } from '../../kernels/model/index.ts';
import {
  influenceWorkspace,
  SKILLS,
  skillConfig,
  skillRows,
  STORIES260K,
  trainSkillAdapter,
} from '../../test/support/influenceSkills.ts';
import { installErrorHandlers } from '../http/errorHandler.ts';
import { createInfluenceScorer, influenceRoutes } from './influence.ts';

const STORIES = STORIES260K;
const { dir, thread } = influenceWorkspace('ll-influence-');
let trained: { a: Awaited<ReturnType<typeof trainSkillAdapter>>; rows: ReturnType<typeof skillRows> } | null = null;

test('the influence route ranks an answer’s own training example first and refuses bad input clearly', async () => {
  const rows = skillRows({ skills: 5, perSkill: 4, len: 3, seed: 2 });
  const cacheDir = join(dir, 'cache');
  const a = await trainSkillAdapter({
    modelDir: STORIES,
    cacheDir,
    root: dir,
    name: 'skills',
    rows,
    config: skillConfig({ epochs: 4 }),
  });
  trained = { a, rows };
  // the same adapter without a manifest, and with a manifest but no example rows
  cpSync(a.dir, join(dir, 'plain'), { recursive: true });
  rmSync(join(dir, 'plain', 'loraledger.json'));
  rmSync(join(dir, 'plain', 'influence'), { recursive: true });
  cpSync(a.dir, join(dir, 'gone'), { recursive: true });
  rmSync(join(dir, 'gone', 'influence'), { recursive: true });
  const paths = new Map(['skills', 'plain', 'gone'].map((id) => [id, { path: join(dir, id) }]));
  const threadGradients = thread.influenceGradients({ modelDir: STORIES, cacheDir, threads: 1, maxRank: 64 });
  const answerCalls: number[] = []; // rows per answerGradients call (the real thread answers them)
  const scorer = createInfluenceScorer({
    gradients: {
      storeGradients: (x) => threadGradients.storeGradients(x),
      answerGradients: (x) => {
        answerCalls.push(x.rows.length);
        return threadGradients.answerGradients(x);
      },
    },
    adapters: { get: (id) => paths.get(id) as never },
    contextLength: 24,
  });
  const app = Fastify({ logger: false });
  installErrorHandlers(app);
  await app.register(influenceRoutes(scorer, await loadTokenizer(STORIES)));
  await app.ready();
  const post = (body: object) => app.inject({ method: 'POST', url: '/v1/attribution/influence', payload: body });

  const k = 7;
  const res = await post({ model: 'skills', prompt: rows[k]!.prompt, completion: rows[k]!.completion, top_k: 5 });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.data.length, 5);
  assert.equal(body.data[0].example_id, a.examples[k]!.id);
  assert.equal(body.data[0].contributor, SKILLS[rows[k]!.skill]!.contributor);
  assert.equal(body.data[0].datanet, 'skills');
  assert.equal(body.data[0].doc_id, a.examples[k]!.id);
  assert.ok(body.data[0].score > 0);
  const positive = body.data.filter((d: { score: number }) => d.score > 0);
  assert.equal(
    positive.reduce((s: number, d: { share_ppm: number }) => s + d.share_ppm, 0),
    1_000_000,
  );
  for (const d of body.data) if (d.score <= 0) assert.equal(d.share_ppm, 0);
  assert.equal(body.contributors.length, 5);
  // the text form: stories260K spells token i as [i]
  const text = (ids: number[]) => ids.map((i) => `[${i}]`).join(' ');
  const viaText = await post({
    model: 'skills',
    prompt: text(rows[k]!.prompt.slice(1)),
    completion: text(rows[k]!.completion),
  });
  assert.equal(viaText.statusCode, 200, viaText.body);
  assert.equal(viaText.json().data[0].example_id, a.examples[k]!.id);

  const err = async (body: object, status: number, code: string, param: string) => {
    const r = await post(body);
    assert.equal(r.statusCode, status, r.body);
    assert.equal(r.json().error.code, code);
    assert.equal(r.json().error.param, param);
    return r.json().error.message as string;
  };
  await err({ model: 'nope', prompt: [1], completion: [2] }, 404, 'model_not_found', 'model');
  assert.match(
    await err({ model: 'plain', prompt: [1], completion: [2] }, 404, 'training_manifest_missing', 'model'),
    /no training manifest/,
  );
  assert.match(
    await err({ model: 'gone', prompt: [1], completion: [2] }, 404, 'training_examples_missing', 'model'),
    /token rows are gone/,
  );
  assert.match(
    await err(
      { model: 'skills', prompt: [1, 2, 3], completion: Array.from({ length: 30 }, () => 300) },
      400,
      'context_length_exceeded',
      'completion',
    ),
    /exceed the training context of 24/,
  );
  await err({ model: 'skills', completion: [2] }, 400, 'invalid_request', 'prompt');
  await err({ model: 'skills', prompt: [1, 480], completion: '' }, 400, 'invalid_request', 'completion');

  // concurrent answers for one adapter batch up: those arriving while a call is out go together next
  answerCalls.length = 0;
  const asks = [3, 7, 11].map((i) => ({
    adapterId: 'skills',
    promptIds: rows[i]!.prompt,
    completionIds: rows[i]!.completion,
  }));
  const together = await Promise.all(asks.map((q) => scorer.score(q)));
  assert.equal(
    answerCalls.reduce((x, y) => x + y, 0),
    3,
  );
  assert.ok(answerCalls.length < 3, `calls of ${answerCalls.join(', ')} rows`);
  const batched = answerCalls.length;
  for (const [i, q] of asks.entries()) {
    const alone = (await scorer.score(q))!;
    assert.deepEqual(
      together[i]!.map((s) => s.exampleId),
      alone.map((s) => s.exampleId),
    );
  }
  assert.deepEqual(answerCalls.slice(batched), [1, 1, 1]); // one at a time: nothing to batch
  await app.close();
  await scorer.close(); // its scoring thread
});

test('an adapter on a read-only volume: its gradients go to the cache directory, where the next scorer finds them', async (t) => {
  assert.ok(trained, 'the first test trained the adapter');
  const { a, rows } = trained;
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  // root ignores permission bits: only a read-only mount stops it writing
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', ro], { stdio: 'pipe' });
    } catch (err) {
      t.skip(
        `as root only a read-only mount stops writes, and mounting is not permitted (${String(err).split('\n')[0]})`,
      );
      return;
    }
  const adapter = join(ro, 'skills');
  cpSync(a.dir, adapter, { recursive: true });
  rmSync(join(adapter, 'influence', 'gradients.bin'), { force: true }); // only the example rows stay
  if (asRoot) execFileSync('mount', ['-o', 'remount,ro', ro], { stdio: 'pipe' });
  else for (const d of [join(adapter, 'influence'), adapter]) chmodSync(d, 0o555);
  try {
    const gradients = thread.influenceGradients({
      modelDir: STORIES,
      cacheDir: join(dir, 'cache'),
      threads: 1,
      maxRank: 64,
    });
    const cacheDir = join(dir, 'influence-cache');
    let stored = 0;
    const k = 7;
    for (let round = 0; round < 2; round++) {
      const scorer = createInfluenceScorer({
        gradients: {
          storeGradients: (x) => {
            stored++;
            return gradients.storeGradients(x);
          },
          answerGradients: (x) => gradients.answerGradients(x),
        },
        adapters: { get: () => ({ path: adapter }) as never },
        contextLength: 24,
        cacheDir,
      });
      const top = await scorer.score({
        adapterId: 'skills',
        promptIds: rows[k]!.prompt,
        completionIds: rows[k]!.completion,
        topK: 1,
      });
      assert.equal(
        top![0]!.exampleId,
        a.examples[k]!.id,
        'the answer’s own example first, as beside a writable adapter',
      );
      await scorer.close();
    }
    assert.equal(stored, 1, 'computed once, then read from the cache by the second scorer');
    const names = readdirSync(cacheDir);
    assert.equal(names.length, 1);
    assert.ok(existsSync(join(cacheDir, names[0]!, 'gradients.bin')));
    assert.ok(!existsSync(join(adapter, 'influence', 'gradients.bin')), 'nothing written beside the adapter');
  } finally {
    if (asRoot) execFileSync('umount', [ro], { stdio: 'pipe' });
    else for (const d of [adapter, join(adapter, 'influence')]) chmodSync(d, 0o755);
  }
});
