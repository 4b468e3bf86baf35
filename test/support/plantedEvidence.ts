// The planted-evidence experiment (test/plantedEvidence.test.ts has the full description): of K
// passages sampled from the model itself, one holds an answer the model cannot guess without it;
// attribution must give that passage the largest share. Run on any engine: the stories260K test,
// and `npm run bench:demo` on the embedded default.
//
// Passages, key and answer are token ids; prompts are spelled "[i] [j] ..." and mapped back to the
// same ids by `spelledTokenizer`, so the model sees exactly BOS + passages + key, whatever its
// text tokenizer would make of decoded text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type EngineClient } from '../../kernels/index.ts';
import { Prng } from '../../common/index.ts';
import {
  AttributionService,
  DatanetStore,
  Outbox,
  PLAIN_RAG_TEMPLATE,
  Retriever,
  createRecordSigner,
  eip712Domain,
  signAndAppend,
  validateFeeConfig,
  verifyRecord,
  type Passage,
} from '../../attribution/index.ts';

export interface PlantedOptions {
  /** K passages per case. */
  k: number;
  passage: number;
  key: number;
  answer: number;
  cases: number;
  /** Case c uses Prng(seedBase + c). */
  seedBase: number;
  bos: number;
  model: string;
  /** Called once per case, before its attributions run, with the planted passage's index. */
  onCase?: (planted: number) => void;
}

export interface PlantedResult {
  cases: number;
  shapleyHits: number;
  looHits: number;
  /** Top-1 hits of the linear surrogate (linear-surrogate-v1), the default beyond 4 passages. */
  surrogateHits: number;
  scoreHits: number;
  /** Mean over cases of the planted passage's Shapley score minus the mean of the others, nats. */
  margin: number;
  /** The first case's signed record verified from the outbox. */
  recordVerified: boolean;
}

export const spell = (ids: number[]): string => ids.map((t) => `[${t}]`).join(' ');
const contains = (hay: number[], needle: number[]): boolean =>
  hay.some((_, i) => needle.every((t, j) => hay[i + j] === t));

/** "[i] [j] ..." -> BOS, i, j, ...: the prompt tokenizer of the experiment. */
export function spelledTokenizer(bos: number) {
  return {
    encode: (text: string) => [bos, ...[...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]))],
    applyChatTemplate: (): number[] => {
      throw new Error('completions only');
    },
  };
}

export async function runPlantedEvidence(
  engine: EngineClient,
  o: PlantedOptions,
  tokenizer: { encode: (text: string) => number[]; applyChatTemplate: () => number[] } = spelledTokenizer(o.bos),
): Promise<PlantedResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'planted-'));
  const store = new DatanetStore(join(tmp, 'datanets.sqlite'));
  const outbox = new Outbox(join(tmp, 'outbox.sqlite'));
  try {
    const sample = async (seed: number): Promise<number[]> => {
      const out: number[] = [];
      const events = engine.generate({
        id: `p${seed}`,
        promptIds: [o.bos],
        adapterId: null,
        maxTokens: o.passage,
        sampling: { temperature: 0.7, topP: 1, topK: 0, seed },
        stopTokenIds: [],
        ignoreEos: true,
      });
      for await (const e of events) if (e.type === 'token') out.push(e.tokenId);
      return out;
    };
    const domain = eip712Domain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
    const sink = signAndAppend(
      createRecordSigner('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', domain),
      outbox,
    );
    const common = {
      retriever: new Retriever(store),
      scorer: engine,
      sink,
      tokenizer,
      template: PLAIN_RAG_TEMPLATE,
      model: o.model,
      adapterOwner: () => null,
      fees: validateFeeConfig({
        promptPricePer1k: '1000',
        completionPricePer1k: '1000',
        split: { model: 500_000, adapter: 200_000, data: 300_000 },
      }),
    };
    const shapleySvc = new AttributionService({ ...common, maxExactShapleyK: 20 });
    const looSvc = new AttributionService({ ...common, maxExactShapleyK: 0, largeKMethod: 'leave_one_out' });
    const surrogateSvc = new AttributionService({ ...common, maxExactShapleyK: 0, largeKMethod: 'linear_surrogate' });
    const contributors = Array.from({ length: o.k }, (_, i) => `0x${String(i + 1).padStart(40, '0')}`);
    const r: PlantedResult = {
      cases: 0,
      shapleyHits: 0,
      looHits: 0,
      surrogateHits: 0,
      scoreHits: 0,
      margin: 0,
      recordVerified: false,
    };
    for (let c = 0; r.cases < o.cases && c < o.cases * 2; c++) {
      const rng = new Prng(o.seedBase + c);
      const texts = await Promise.all(Array.from({ length: o.k }, (_, i) => sample(c * 100 + i + 1)));
      const planted = rng.int(o.k);
      // The answer the model cannot guess without the passage: the span whose answer is least likely given only the key.
      const starts = Array.from({ length: o.passage - o.key - o.answer + 1 }, (_, j) => j);
      const alone = await engine.score(
        starts.map((j) => ({
          promptIds: [o.bos, ...texts[planted]!.slice(j, j + o.key)],
          targetIds: texts[planted]!.slice(j + o.key, j + o.key + o.answer),
          adapterId: null,
        })),
      );
      const at = starts.reduce((b, j) => (alone[j]!.total < alone[b]!.total ? j : b), 0);
      const key = texts[planted]!.slice(at, at + o.key);
      const answer = texts[planted]!.slice(at + o.key, at + o.key + o.answer);
      if (texts.some((t, i) => i !== planted && contains(t, answer))) continue;
      // a model that memorised text can sample the same passage twice: a DataNet holds a text once
      if (new Set(texts.map(spell)).size < texts.length) continue;
      r.cases++;
      store.createDatanet({ id: `case-${c}` }); // one DataNet per case: sampled texts may repeat across cases
      const passages: Passage[] = texts.map((t, i) => {
        const doc = store.addDocument({
          datanet: `case-${c}`,
          text: spell(t),
          contributor: contributors[i]!,
          metadata: { case: c },
        });
        return {
          docId: doc.docId,
          datanet: doc.datanet,
          contributor: doc.contributor,
          text: doc.text,
          score: 0,
          bm25: 0,
        };
      });
      const request = {
        parts: { kind: 'completion' as const, prompt: spell(key) },
        passages,
        adapterId: null,
        outputIds: answer,
        outputText: spell(answer),
        usage: { promptTokens: o.k * o.passage + o.key + 1, completionTokens: o.answer },
      };
      o.onCase?.(planted);
      const s = await shapleySvc.attribute({ ...request, requestId: `shapley-${c}` });
      const l = await looSvc.attribute({ ...request, requestId: `loo-${c}` });
      const g = await surrogateSvc.attribute({ ...request, requestId: `surrogate-${c}` });
      if (s.method !== 'shapley-exact-v1' || l.method !== 'loo-logprob-v1' || g.method !== 'linear-surrogate-v1')
        throw new Error(`unexpected methods ${s.method} / ${l.method} / ${g.method}`);
      const best = (shares: number[]): boolean => shares.every((x, i) => i === planted || x < shares[planted]!);
      if (best(s.sources.map((x) => x.share_ppm))) r.shapleyHits++;
      if (best(l.sources.map((x) => x.share_ppm))) r.looHits++;
      if (best(g.sources.map((x) => x.share_ppm))) r.surrogateHits++;
      const phi = s.sources.map((x) => x.score);
      if (best(phi)) r.scoreHits++;
      r.margin += phi[planted]! - (phi.reduce((a, b) => a + b, 0) - phi[planted]!) / (o.k - 1);
      if (r.cases === 1) {
        const stored = outbox.get(s.record_id);
        r.recordVerified = Boolean(stored && (await verifyRecord(stored.signed, domain)));
      }
    }
    r.margin /= Math.max(1, r.cases);
    return r;
  } finally {
    store.close();
    outbox.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The engine the planted-evidence experiment runs on: stories260K, fp32, one rank-8 adapter slot,
 * graphs cached under `graphsDir`. The test and the probe (bench/probes/plantedMethods.ts) differ
 * only in batch size and threads; the demo-model probes (startDemoEngine) take more.
 */
export function startPlantedEngine(o: {
  modelDir: string;
  graphsDir: string;
  maxBatchSize: number;
  maxBatchTokens: number;
  threads: number;
  maxLoraRank?: number;
  /** Host cache budget for the one adapter, bytes. Default 1e6. */
  adapterBytes?: number;
  maxQueue?: number;
}): Promise<EngineClient> {
  return startEngine({
    modelDir: o.modelDir,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'grouped',
    maxLoraRank: o.maxLoraRank ?? 8,
    maxActiveAdapters: 1,
    maxCachedAdapters: 1,
    maxCachedAdapterBytes: o.adapterBytes ?? 1e6,
    maxBatchSize: o.maxBatchSize,
    maxBatchTokens: o.maxBatchTokens,
    maxQueue: o.maxQueue ?? 64,
    maxModelLen: 512,
    cacheDir: o.graphsDir,
    threads: o.threads,
  });
}

/** The same for the probes on a demo model: every core, rank-16 adapters. */
export function startDemoEngine(
  modelDir: string,
  graphsDir: string,
  o: { batchTokens?: number; queue?: number } = {},
): Promise<EngineClient> {
  return startPlantedEngine({
    modelDir,
    graphsDir,
    maxBatchSize: 16,
    maxBatchTokens: o.batchTokens ?? 2048,
    threads: 0,
    maxLoraRank: 16,
    adapterBytes: 1e7,
    ...(o.queue ? { maxQueue: o.queue } : {}),
  });
}

/**
 * The experiment as `npm run bench:demo` runs it on a demo base model (K = 4 passages of 20 tokens,
 * a 6-token key, an 8-token answer): its own engine (fp32, graphs under `graphsDir`), closed after.
 * bench/probes/baseCopying.ts runs the same on a base trained alone.
 */
export async function plantedOnDemoBase(o: {
  modelDir: string;
  graphsDir: string;
  cases: number;
  seedBase: number;
  bos: number;
  model: string;
}): Promise<PlantedResult> {
  const engine = await startDemoEngine(o.modelDir, o.graphsDir);
  try {
    return await runPlantedEvidence(engine, {
      k: 4,
      passage: 20,
      key: 6,
      answer: 8,
      cases: o.cases,
      seedBase: o.seedBase,
      bos: o.bos,
      model: o.model,
    });
  } finally {
    await engine.close();
  }
}
