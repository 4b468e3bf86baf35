// bench:influence: training-data influence (DataInf over LoRA gradients) on stories260K, measured.
//
//   class recovery  5 skills × PER examples (one contributor each), held-out queries per skill:
//                   AUC of same-skill examples by score, top contributor right; DataInf and the
//                   plain gradient dot product; exact against projected (Spearman, top-10 overlap)
//   LDS             N examples, S seeded half-subsets retrained; per query, Spearman between the
//                   subset's summed scores and minus its real query loss; DataInf, dot product, BM25
//   cost            gradient precompute per example, per-request score time, bytes per example
// Usage: npm run bench:influence [-- --per 20 --lds-subsets 32 --lds-queries 10 --epochs 2 --lead 3 --seed 1
//          --family order|cipher --len 4 --answers true|generated --lr 0.003 --model embedded-quick|embedded --no-lds]
// SHOW=1 prints five queries with their true and generated answers to stderr.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Bm25Index, bm25Search } from '../common/index.ts';
import { TrainingThread } from '../factory/index.ts';
import {
  dataInfScores,
  gradientDotScores,
  readGradientStore,
  rocAuc,
  rowBytes,
  spearman,
  topKOverlap,
  type GradientBlocks,
} from '../attribution/scoring/influence/index.ts';
import {
  rowExample,
  skillConfig,
  skillRows,
  skillsOf,
  trainSkillAdapter,
  type SkillFamily,
} from '../test/support/influenceSkills.ts';
import { Prng } from '../common/index.ts';
import { DataInfGraphs } from '../attribution/scoring/influence/dataInfGraph.ts';
import { startEngine } from '../kernels/index.ts';
import { quickEmbeddedDefault } from '../test/support/embeddedQuick.ts';
import { ensureEmbeddedDefault } from '../factory/index.ts';
import { embeddedWiring } from '../server/integrations.ts';

/**
 * The real engine's greedy answers to the queries (each as long as its true completion, one at a
 * time) and the mean seconds per answer.
 */
async function generate(adapterDir: string, cacheDir: string, queries: { prompt: number[]; completion: number[] }[]) {
  const engine = await startEngine({
    modelDir: MODEL,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'grouped',
    maxLoraRank: 64,
    maxActiveAdapters: 1,
    maxCachedAdapters: 1,
    maxCachedAdapterBytes: 1e8,
    maxBatchSize: 4,
    maxBatchTokens: 256,
    maxQueue: 8,
    maxModelLen: 512,
    cacheDir,
    threads: 1,
    adapters: [{ id: 'skills', path: adapterDir }],
  });
  try {
    const run = async (q: { prompt: number[]; completion: number[] }, id: string) => {
      const ids: number[] = [];
      for await (const ev of engine.generate({
        id,
        promptIds: q.prompt,
        adapterId: 'skills',
        maxTokens: q.completion.length,
        sampling: { temperature: 0, topP: 1, topK: 0 },
        stopTokenIds: [],
        ignoreEos: true,
      }))
        if (ev.type === 'token') ids.push(ev.tokenId);
      return ids;
    };
    await run(queries[0]!, 'warm');
    const started = performance.now();
    const answers: number[][] = [];
    for (const [i, q] of queries.entries()) answers.push(await run(q, `g${i}`));
    return { answers, seconds: (performance.now() - started) / 1000 / queries.length };
  } finally {
    await engine.close();
  }
}

const { values: a } = parseArgs({
  options: {
    per: { type: 'string', default: '20' },
    epochs: { type: 'string', default: '2' },
    /** Tokens of the skill-specific lead before each answer (copy-with-prefix style). */
    lead: { type: 'string', default: '3' },
    /** Class recovery's data: training rows drawn with this seed, held-out queries with seed + 98. */
    seed: { type: 'string', default: '1' },
    'lds-examples': { type: 'string', default: '100' },
    'lds-subsets': { type: 'string', default: '32' },
    'lds-queries': { type: 'string', default: '10' },
    /** stories260k; embedded-quick: the embedded default's quick build (its base model); embedded: the full build. */
    model: { type: 'string', default: 'stories260k' },
    /** true: the queries' answers are their true completions; generated: the adapter's own greedy answers. */
    answers: { type: 'string', default: 'true' },
    /**
     * order: reorderings mapped into each skill's own range; cipher: per-skill shifts in one
     * vocabulary; ranged: the same shifts, each written in the skill's own range.
     */
    family: { type: 'string', default: 'order' },
    /** Values per input. */
    len: { type: 'string', default: '4' },
    /** Skip the EOS at the end of each answer (stories260K never saw token 2 in pretraining: its loss stays ~5.3 nats). */
    'no-eos': { type: 'boolean', default: false },
    /**
     * Class recovery only: which tokens carry the loss whose gradients are taken. completion (the
     * issue's DataInf, the factory's training loss); row: every token after BOS, prompt included,
     * as DataInf's repository does for its generation tasks (labels = input_ids). A reported variant.
     */
    'grad-loss': { type: 'string', default: 'completion' },
    /** LoRA rank (skillConfig's default when absent; alpha stays 2 × rank). */
    rank: { type: 'string' },
    /** Tokens of each skill's instruction in the prompt (1: its marker alone). */
    instruction: { type: 'string', default: '1' },
    /** Learning rate (skillConfig's default when absent). */
    lr: { type: 'string' },
    /** Skip the LDS part (it retrains the adapter --lds-subsets times). */
    'no-lds': { type: 'boolean', default: false },
  },
});
const root = mkdtempSync(join(tmpdir(), 'bench-influence-'));
const MODEL =
  a.model === 'embedded-quick'
    ? (await quickEmbeddedDefault(join(root, 'embedded'))).modelDir
    : a.model === 'embedded'
      ? // the full build `npm start` serves, from its default cache (built there first if missing)
        (await ensureEmbeddedDefault(new URL('../.loraledger/embedded', import.meta.url).pathname, embeddedWiring))
          .modelDir
      : new URL('../../shared/models/stories260K', import.meta.url).pathname;
const cacheDir = join(root, 'cache');
const thread = new TrainingThread();
const grads = thread.influenceGradients({ modelDir: MODEL, cacheDir, threads: 1, maxRank: 64 });
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const trainConfig = (o: { seed?: number } = {}) =>
  skillConfig({
    epochs: Number(a.epochs),
    ...(a.lr ? { learningRate: Number(a.lr) } : {}),
    ...(a.rank ? { rank: Number(a.rank), alpha: 2 * Number(a.rank) } : {}),
    ...o,
  });
if (a.answers !== 'true' && a.answers !== 'generated') throw new Error('--answers: true or generated');
/** The queries with their answers as --answers says (generated: each the adapter's own greedy answer). */
const answered = <Q extends { completion: number[] }>(qs: Q[], gen: { answers: number[][] }) =>
  a.answers === 'generated' ? qs.map((q, i) => ({ ...q, completion: gen.answers[i]! })) : qs;
const family = a.family as SkillFamily;
if (!['order', 'cipher', 'ranged'].includes(family)) throw new Error('--family: order, cipher or ranged');
const SKILLS = skillsOf(family);
/** One gradient ([L][d_l]) scaled to unit norm over all its blocks. */
const unitRow = (row: readonly Float32Array[]) => {
  const norm = Math.sqrt(row.reduce((s, b) => s + b.reduce((t, x) => t + x * x, 0), 0)) || 1;
  return row.map((b) => b.map((x) => x / norm));
};
/** Every example's gradient in `g` scaled to unit norm over all blocks. */
const unitRows = (g: GradientBlocks): GradientBlocks => {
  const norms = new Float64Array(g.n);
  g.blocks.forEach((b, l) => b.forEach((x, j) => (norms[Math.floor(j / g.dims[l]!)] += x * x)));
  return {
    ...g,
    blocks: g.blocks.map((b, l) => b.map((x, j) => x / (Math.sqrt(norms[Math.floor(j / g.dims[l]!)]!) || 1))),
  };
};
if (a['grad-loss'] !== 'completion' && a['grad-loss'] !== 'row') throw new Error('--grad-loss: completion or row');
/** The rows whose gradients class recovery takes, as --grad-loss says. */
const gradRows = <E extends { tokens: number[]; weights: number[] }>(xs: E[]): E[] =>
  a['grad-loss'] === 'row' ? xs.map((e) => ({ ...e, weights: e.tokens.map((_, t) => (t >= 1 ? 1 : 0)) })) : xs;
/** The rows' shape, as the flags say (class recovery and LDS alike). */
const shape = {
  len: Number(a.len),
  family,
  eos: !a['no-eos'],
  lead: Number(a.lead),
  instruction: Number(a.instruction),
};
const skillOf = (id: string) => SKILLS.findIndex((k) => id.startsWith(`skill-${k.name}-`));

async function storeOf(
  dir: string,
  examples: ReturnType<typeof rowExample>[],
  hash: string,
  projection: { seed: number; k: number } | null,
) {
  const file = join(dir, 'influence', projection ? `gradients-k${projection.k}.bin` : 'gradients.bin');
  const t = await grads.storeGradients({
    adapterDir: dir,
    precision: 'fp32',
    examples,
    projection,
    file,
    manifestHash: hash,
  });
  return { ...(await readGradientStore(file)), seconds: t.seconds };
}

try {
  // --- class recovery ---
  const per = Number(a.per);
  const rows = skillRows({
    skills: 5,
    perSkill: per,
    ...shape,
    seed: Number(a.seed),
  });
  const adapter = await trainSkillAdapter({
    modelDir: MODEL,
    cacheDir,
    root,
    name: 'skills',
    rows,
    config: trainConfig(),
    family,
  });
  const exact = await storeOf(adapter.dir, gradRows(adapter.examples), adapter.manifestHash, null);
  const proj = await storeOf(adapter.dir, gradRows(adapter.examples), adapter.manifestHash, { seed: 0, k: 16 });
  const truth = skillRows({
    skills: 5,
    perSkill: 4,
    ...shape,
    seed: Number(a.seed) + 98,
  });
  const gen = await generate(adapter.dir, join(cacheDir, 'engine'), truth);
  const queries = answered(truth, gen);
  if (process.env.SHOW)
    truth.slice(0, 5).forEach((q, i) => console.error(`${q.prompt} | ${q.completion} -> ${gen.answers[i]}`));
  const qrows = gradRows(queries.map((q, i) => rowExample(`q${i}`, q)));
  let started = performance.now();
  const v = await grads.answerGradients({ adapterDir: adapter.dir, precision: 'fp32', rows: qrows, projection: null });
  const answerSeconds = (performance.now() - started) / 1000 / qrows.length;
  const vp = await grads.answerGradients({
    adapterDir: adapter.dir,
    precision: 'fp32',
    rows: qrows,
    projection: { seed: 0, k: 16 },
  });
  // the training gradients in fp32, straight from the graph (the store holds them in fp16)
  const trainFp32 = await grads.answerGradients({
    adapterDir: adapter.dir,
    precision: 'fp32',
    rows: gradRows(adapter.examples),
    projection: null,
  });
  const fp32: GradientBlocks = {
    n: adapter.examples.length,
    dims: exact.train.dims,
    blocks: exact.train.dims.map((d, l) => {
      const out = new Float32Array(adapter.examples.length * d);
      trainFp32.blocks.forEach((row, k) => out.set(row[l]!, k * d));
      return out;
    }),
  };
  const rec = {
    fp16rho: [] as number[],
    fp16ov: [] as number[],
    datainf: [] as number[],
    graph: [] as number[],
    dot: [] as number[],
    proj: [] as number[],
    unit: [] as number[],
    abs: [] as number[],
    sharedPos: [] as number[],
    otherNeg: [] as number[],
    top: [] as number[],
    topDot: [] as number[],
    rho: [] as number[],
    ov: [] as number[],
  };
  // a reported variant beside the DataInf: every gradient scaled to unit norm (over all blocks) first
  const unitTrain = unitRows(exact.train);
  // DataInf as the server runs it (influenceScoring.ts: onnxruntime through a DataInfGraph per store
  // shape); the first call opens the graph and makes the store's constants and Gram matrices
  const graphs = new DataInfGraphs();
  const openStart = performance.now();
  await graphs.scores(exact.train, v.blocks[0]!);
  const graphOpenSeconds = (performance.now() - openStart) / 1000;
  const graphScores: Float64Array[] = [];
  let graphMs = 0;
  for (let i = 0; i < queries.length; i++) {
    const t = performance.now();
    graphScores.push(await graphs.scores(exact.train, v.blocks[i]!));
    graphMs += performance.now() - t;
  }
  await graphs.close();
  let graphDiff = 0; // largest |graph - JavaScript| over the query's largest |score|
  let scoreMs = 0; // the JavaScript rule alone, per request (the other scores below are for the report)
  queries.forEach((q, i) => {
    const pos = adapter.examples.map((e) => skillOf(e.id) === q.skill);
    const scoreStart = performance.now();
    const s = dataInfScores(exact.train, v.blocks[i]!);
    scoreMs += performance.now() - scoreStart;
    const top = s.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    s.forEach((x, k) => (graphDiff = Math.max(graphDiff, Math.abs(x - graphScores[i]![k]!) / top)));
    rec.graph.push(rocAuc(graphScores[i]!, pos));
    const d = gradientDotScores(exact.train, v.blocks[i]!);
    const sp = dataInfScores(proj.train, vp.blocks[i]!);
    rec.datainf.push(rocAuc(s, pos));
    rec.abs.push(rocAuc(s.map(Math.abs), pos));
    // same-skill examples whose answer shares a token (same place) with the query's: share scored
    // positive; the other same-skill examples: share scored negative
    const answer = truth[i]!.completion;
    const shares = (k: number) => {
      const r = rows[k]!.completion;
      return r.some((t, j) => j < answer.length && t === answer[j] && t !== 2 && !(j < Number(a.lead)));
    };
    const same = adapter.examples.map((_, k) => k).filter((k) => pos[k]);
    const sharing = same.filter(shares);
    const other = same.filter((k) => !shares(k));
    if (sharing.length) rec.sharedPos.push(sharing.filter((k) => s[k]! > 0).length / sharing.length);
    if (other.length) rec.otherNeg.push(other.filter((k) => s[k]! < 0).length / other.length);
    rec.dot.push(rocAuc(d, pos));
    rec.proj.push(rocAuc(sp, pos));
    rec.unit.push(rocAuc(dataInfScores(unitTrain, unitRow(v.blocks[i]!)), pos));
    // top contributor: the one with the largest summed positive score
    const by = (xs: Float64Array) => {
      const c = new Float64Array(5);
      xs.forEach((x, k) => (c[skillOf(adapter.examples[k]!.id)] += Math.max(x, 0)));
      return c.indexOf(Math.max(...c));
    };
    rec.top.push(by(s) === q.skill ? 1 : 0);
    rec.topDot.push(by(d) === q.skill ? 1 : 0);
    rec.rho.push(spearman(s, sp));
    rec.ov.push(topKOverlap(s, sp, 10));
    const s32 = dataInfScores(fp32, v.blocks[i]!);
    rec.fp16rho.push(spearman(s32, s));
    rec.fp16ov.push(topKOverlap(s32, s, 10));
  });
  const scoreSeconds = graphMs / 1000 / queries.length;
  const jsScoreSeconds = scoreMs / 1000 / queries.length;
  const genSeconds = gen.seconds;
  const exactAnswers = truth.filter((q, i) => gen.answers[i]!.join() === q.completion.join()).length / truth.length;
  console.log(
    JSON.stringify({
      model: a.model,
      epochs: Number(a.epochs),
      lead: Number(a.lead),
      family,
      len: Number(a.len),
      answers: a.answers,
      grad_loss: a['grad-loss'],
      instruction: Number(a.instruction),
      learning_rate: trainConfig().learningRate,
      class_recovery: {
        generated_answer_right: exactAnswers,
        examples: adapter.examples.length,
        queries: queries.length,
        train_seconds: adapter.seconds,
        query_loss: mean(v.losses),
        train_loss: mean(trainFp32.losses),
        fp32_vs_fp16_store_spearman: mean(rec.fp16rho),
        fp32_vs_fp16_store_top10: mean(rec.fp16ov),
        auc_datainf: mean(rec.datainf),
        /** The same scores as the server computes them (float32 in onnxruntime): AUC and largest difference. */
        auc_datainf_graph: mean(rec.graph),
        datainf_graph_max_relative_difference: graphDiff,
        auc_dot: mean(rec.dot),
        auc_datainf_projected: mean(rec.proj),
        auc_datainf_unit_gradients: mean(rec.unit),
        /** Diagnostic, not a protocol figure: same-skill examples ranked by |score| (helpful or harmful). */
        auc_datainf_magnitude: mean(rec.abs),
        /** Diagnostics: same-skill examples sharing an answer token with the true answer that score > 0; the others that score < 0. */
        same_skill_sharing_positive: mean(rec.sharedPos),
        same_skill_other_negative: mean(rec.otherNeg),
        top_contributor_datainf: mean(rec.top),
        top_contributor_dot: mean(rec.topDot),
        exact_vs_projected_spearman: mean(rec.rho),
        exact_vs_projected_top10: mean(rec.ov),
      },
      cost: {
        bytes_per_example_fp16: rowBytes(exact.header),
        bytes_per_example_projected_k16: rowBytes(proj.header),
        bytes_per_example_fp32_unprojected: exact.header.blocks.reduce((s, b) => s + 4 * b.shape[0] * b.shape[1], 0),
        precompute_seconds_per_example: exact.seconds / adapter.examples.length,
        answer_gradient_seconds: answerSeconds,
        datainf_seconds_per_request: scoreSeconds,
        datainf_graph_open_seconds: graphOpenSeconds,
        datainf_javascript_seconds_per_request: jsScoreSeconds,
        generation_seconds_per_request: genSeconds,
        attribution_over_generation: (answerSeconds + scoreSeconds) / genSeconds,
        attribution_over_generation_javascript_rule: (answerSeconds + jsScoreSeconds) / genSeconds,
      },
    }),
  );

  // --- LDS ---
  if (!a['no-lds']) {
    const n = Number(a['lds-examples']);
    const S = Number(a['lds-subsets']);
    const ldsRows = skillRows({
      skills: 5,
      perSkill: Math.ceil(n / 5),
      ...shape,
      seed: 7,
    }).slice(0, n);
    const full = await trainSkillAdapter({
      modelDir: MODEL,
      cacheDir,
      root,
      name: 'lds-full',
      rows: ldsRows,
      config: trainConfig(),
      family,
    });
    const store = await storeOf(full.dir, full.examples, full.manifestHash, null);
    const lqTruth = skillRows({
      skills: 5,
      perSkill: Math.ceil(Number(a['lds-queries']) / 5),
      ...shape,
      seed: 123,
    }).slice(0, Number(a['lds-queries']));
    const lq = answered(lqTruth, await generate(full.dir, join(cacheDir, 'engine-lds'), lqTruth));
    const lqRows = lq.map((q, i) => rowExample(`lq${i}`, q));
    const lv = await grads.answerGradients({ adapterDir: full.dir, precision: 'fp32', rows: lqRows, projection: null });
    const bm = new Bm25Index((t) => t.split(' '));
    full.examples.forEach((e) => bm.add(e.id, e.tokens.join(' ')));
    const pred = lqRows.map((_, i) => ({
      datainf: dataInfScores(store.train, lv.blocks[i]!),
      dot: gradientDotScores(store.train, lv.blocks[i]!),
      bm25: (() => {
        const hits = new Map(bm25Search([bm], lqRows[i]!.tokens.join(' '), n).map((h) => [h.docId, h.score]));
        return Float64Array.from(full.examples, (e) => hits.get(e.id) ?? 0);
      })(),
    }));
    const rng = new Prng(2024);
    const subsetLoss: number[][] = []; // [S][queries]
    const members: boolean[][] = [];
    started = performance.now();
    for (let s = 0; s < S; s++) {
      const pick = full.examples.map(() => rng.next() < 0.5);
      members.push(pick);
      const sub = await trainSkillAdapter({
        modelDir: MODEL,
        cacheDir,
        root,
        name: `lds-${s}`,
        rows: ldsRows.filter((_, i) => pick[i]),
        config: trainConfig({ seed: 1 }),
        family,
      });
      const out = await grads.answerGradients({
        adapterDir: sub.dir,
        precision: 'fp32',
        rows: lqRows,
        projection: null,
      });
      subsetLoss.push(out.losses);
      rmSync(sub.dir, { recursive: true, force: true });
    }
    const lds = (k: 'datainf' | 'dot' | 'bm25') =>
      mean(
        lqRows.map((_, q) => {
          const predicted = members.map((m) => m.reduce((s, inSub, i) => s + (inSub ? pred[q]![k][i]! : 0), 0));
          return spearman(
            predicted,
            subsetLoss.map((l) => -l[q]!),
          ); // helpfulness lowers the loss
        }),
      );
    console.log(
      JSON.stringify({
        lds: {
          examples: n,
          subsets: S,
          queries: lqRows.length,
          retrain_seconds: (performance.now() - started) / 1000 / S,
          datainf: lds('datainf'),
          gradient_dot: lds('dot'),
          bm25: lds('bm25'),
        },
      }),
    );
  }
} finally {
  await thread.close();
  rmSync(root, { recursive: true, force: true });
}
