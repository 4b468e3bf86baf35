// The scoring side of training-data influence: the thread and the inline scorer give the scores
// dataInfScores gives on the store read directly (DataInf itself is checked in dataInf.test.ts
// against hand-computed values; the scorers run it in float32 through onnxruntime, dataInfGraph.ts,
// so DataInf agrees to 1e-5 of the largest score, the dot product exactly); a store rewritten for
// another manifest or projection is refused;
// the cache keeps stores under its byte budget; a closed thread refuses further work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../../../common/index.ts';
import {
  GRADIENT_FORMAT,
  GradientStoreWriter,
  readGradientStore,
  type GradientHeader,
} from '../../../adapters/index.ts';
import { dataInfScores, gradientDotScores } from './dataInf.ts';
import { StoreCache, inlineInfluenceScoring, threadInfluenceScoring } from './influenceScoring.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-influence-scoring-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const rng = new Prng(7);
const SHAPES = [
  { name: 'lora_a.0.q_proj', shape: [6, 2] as const },
  { name: 'lora_b.0.q_proj', shape: [2, 5] as const },
];
/** Scores per answer agree with `want` to 1e-5 of each answer's largest |score|. */
function assertClose(got: Float64Array[], want: number[][], what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((s, a) => {
    const top = Math.max(...want[a]!.map(Math.abs));
    assert.equal(s.length, want[a]!.length, what);
    s.forEach((x, k) =>
      assert.ok(Math.abs(x - want[a]![k]!) <= 1e-5 * top, `${what}: answer ${a} row ${k}: ${x} vs ${want[a]![k]}`),
    );
  });
}

const randomBlocks = (): Float32Array[] =>
  SHAPES.map((b) => Float32Array.from({ length: b.shape[0] * b.shape[1] }, () => rng.normal()));

async function writeStore(file: string, manifestHash: string, n: number): Promise<void> {
  const header: GradientHeader = {
    format: GRADIENT_FORMAT,
    manifestHash,
    loraScale: 2,
    projection: null,
    blocks: SHAPES.map((b) => ({ ...b, stored: [b.shape[0], b.shape[1]] as [number, number] })),
    examples: Array.from({ length: n }, (_, i) => ({ id: `ex-${i}`, lossTokens: 3 })),
  };
  const w = await GradientStoreWriter.create(file, header);
  for (let i = 0; i < n; i++) await w.append(randomBlocks());
  await w.close();
}

test('thread and inline scores equal dataInfScores / gradientDotScores on the store as read', async () => {
  const file = join(dir, 'a.bin');
  await writeStore(file, 'm-a', 9);
  const store = await readGradientStore(file);
  const answers = [randomBlocks(), randomBlocks()];
  const thread = threadInfluenceScoring();
  try {
    for (const method of ['datainf', 'gradient_dot'] as const) {
      const rule = method === 'datainf' ? dataInfScores : gradientDotScores;
      const want = answers.map((v) => [...rule(store.train, v)]);
      const args = { file, manifestHash: 'm-a', projection: null, method, answers };
      const check =
        method === 'datainf'
          ? assertClose
          : (got: Float64Array[], w: number[][], what: string) =>
              assert.deepEqual(
                got.map((x) => [...x]),
                w,
                what,
              );
      check(await thread.scoreAnswers(args), want, `${method} on the thread`);
      check(await inlineInfluenceScoring().scoreAnswers(args), want, `${method} inline`);
    }
    // rewritten for another manifest, or asked under another projection: refused, naming it
    await writeStore(file, 'm-b', 4);
    const args = { file, manifestHash: 'm-a', projection: null, method: 'datainf' as const, answers };
    await assert.rejects(thread.scoreAnswers(args), /belongs to manifest m-b, not m-a/);
    await assert.rejects(
      thread.scoreAnswers({ ...args, manifestHash: 'm-b', projection: { seed: 0, k: 2 } }),
      /was projected as null/,
    );
    assert.equal((await thread.scoreAnswers({ ...args, manifestHash: 'm-b' }))[0]!.length, 4, 'the new store');
  } finally {
    await thread.close();
  }
  await assert.rejects(
    thread.scoreAnswers({ file, manifestHash: 'm-b', projection: null, method: 'datainf', answers }),
    /closed/,
  );
});

test('a scoring thread that dies fails its call; the next call runs on a fresh thread', async () => {
  const file = join(dir, 'crash.bin');
  await writeStore(file, 'm-c', 5);
  const store = await readGradientStore(file);
  const answers = [randomBlocks()];
  const args = { file, manifestHash: 'm-c', projection: null, method: 'datainf' as const, answers };
  const thread = threadInfluenceScoring({ faultInjection: true });
  try {
    await thread.scoreAnswers(args); // the thread is up
    const dying = thread.scoreAnswers(args);
    const exited = thread.injectExit();
    await dying.then(
      () => undefined, // it may have answered before the exit
      (err: Error) => assert.match(err.message, /exit/i),
    );
    await exited; // seen by the pool: the next call starts a fresh thread (a fixed wait of 100 ms was too short on a loaded host)
    assertClose(await thread.scoreAnswers(args), [[...dataInfScores(store.train, answers[0]!)]], 'a fresh thread');
  } finally {
    await thread.close();
  }
});

test('the store cache keeps the most recent stores within its byte budget', async () => {
  const files = ['c1.bin', 'c2.bin', 'c3.bin'].map((f) => join(dir, f));
  for (const f of files) await writeStore(f, 'm', 10); // 10 rows x 22 values x 4 bytes = 880 bytes each
  const cache = new StoreCache(2000); // room for two
  const first = cache.get(files[0]!);
  await first;
  assert.equal(cache.get(files[0]!), first, 'a loaded store is reused');
  await cache.get(files[1]!);
  await cache.get(files[2]!); // over budget: the least recently used (files[0]) goes
  assert.notEqual(cache.get(files[0]!), first, 'the evicted store is read again');
  const tiny = new StoreCache(1); // the most recent store always stays, even over the budget
  const only = tiny.get(files[1]!);
  await only;
  assert.equal(tiny.get(files[1]!), only);
});
