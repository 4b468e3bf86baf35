// The planted-evidence experiment: of k retrieved passages, one holds the answer the model is
// scored on; attribution must give that passage the largest share.
//
// Model: the real trained stories260K (token i is spelled `[i]`), through the real engine worker
// (onnxruntime, batched `score`), the real tokenizer, the real EIP-712 signer and SQLite outbox.
// Per case (seeded):
//   passages  K = 4 texts of 20 tokens sampled from the model itself (temperature 0.7, seeded), so
//             every passage comes from the same distribution; they are stored in a DataNet per case
//   planted   one passage chosen at random; key = 6 of its tokens, answer = the next 8, at the
//             offset where the answer is LEAST likely given only BOS + key (an answer the model
//             cannot guess without the passage); cases whose answer also occurs in another
//             passage are skipped
//   prompt    "[1]" (BOS) + the passages in order + the key       (PLAIN_RAG_TEMPLATE)
//   scored    log p(answer | prompt of each subset) -> exact Shapley over 2^4 subsets (and LOO)
//   hit       the planted passage has the strictly largest share_ppm (shares = positive scores
//             normalised, so a case where every score is <= 0 is a miss)
// Measured on this machine over 5 disjoint seed ranges of 50 cases (this file's range first):
//   Shapley share top-1 0.44, 0.52, 0.28, 0.34, 0.38 (mean 0.39; chance 0.25)
//   leave-one-out       0.36, 0.34, 0.26, 0.34, 0.26
//   planted score minus the mean of the others: +4.8, +6.9, +4.0, +4.9, +5.1 nats
// stories260K copies in context only weakly (about +0.4 nats per copied token of its own text,
// nothing for random token strings; its greedy output reproduced a passage span in only 2-9 of 500 tries), so the top-1
// rate is modest. Asserted, for this file's fixed seeds: top-1 >= 0.30 and margin >= 2 nats.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type EngineClient } from '../kernels/index.ts';
import { loadTokenizer } from '../kernels/model/index.ts';
import { Prng } from '../common/index.ts';
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
} from '../attribution/index.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const K = 4,
  PASSAGE = 20,
  KEY = 6,
  ANSWER = 8,
  CASES = 50,
  FLOOR = 0.3,
  MARGIN_FLOOR = 2;
const tmp = mkdtempSync(join(tmpdir(), 'planted-'));
let engine: EngineClient;

before(async () => {
  engine = await startEngine({
    modelDir: MODEL,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'grouped',
    maxLoraRank: 8,
    maxActiveAdapters: 1,
    maxCachedAdapters: 1,
    maxCachedAdapterBytes: 1e6,
    maxBatchSize: 16,
    maxBatchTokens: 2048,
    maxQueue: 64,
    maxModelLen: 512,
    cacheDir: join(tmp, 'graphs'),
    threads: 1,
  });
});
after(async () => {
  await engine?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function sample(seed: number): Promise<number[]> {
  const out: number[] = [];
  const events = engine.generate({
    id: `p${seed}`,
    promptIds: [1],
    adapterId: null,
    maxTokens: PASSAGE,
    sampling: { temperature: 0.7, topP: 1, topK: 0, seed },
    stopTokenIds: [],
    ignoreEos: true,
  });
  for await (const e of events) if (e.type === 'token') out.push(e.tokenId);
  return out;
}

const spell = (ids: number[]): string => ids.map((t) => `[${t}]`).join(' ');
const contains = (hay: number[], needle: number[]): boolean =>
  hay.some((_, i) => needle.every((t, j) => hay[i + j] === t));

test('planted evidence: the passage holding the answer gets the largest share (real stories260K engine)', async () => {
  const tok = await loadTokenizer(MODEL);
  // BOS first, as llama2.c trained it (this tokenizer's config does not add one itself).
  const tokenizer = {
    encode: (text: string) => [1, ...tok.encode(text)],
    applyChatTemplate: () => {
      throw new Error('completions only');
    },
  };
  const store = new DatanetStore(join(tmp, 'datanets.sqlite'));
  const outbox = new Outbox(join(tmp, 'outbox.sqlite'));
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
    model: 'stories260K',
    adapterOwner: () => null,
    fees: validateFeeConfig({
      promptPricePer1k: '1000',
      completionPricePer1k: '1000',
      split: { model: 500_000, adapter: 200_000, data: 300_000 },
    }),
  };
  const shapleySvc = new AttributionService(common);
  const looSvc = new AttributionService({ ...common, maxExactShapleyK: 0 });
  const contributors = Array.from({ length: K }, (_, i) => `0x${String(i + 1).padStart(40, '0')}`);
  let cases = 0,
    shapleyHits = 0,
    looHits = 0,
    scoreHits = 0,
    margin = 0;
  for (let c = 0; cases < CASES && c < CASES * 2; c++) {
    const rng = new Prng(1000 + c);
    const texts = await Promise.all(Array.from({ length: K }, (_, i) => sample(c * 100 + i + 1)));
    const planted = rng.int(K);
    // The answer the model cannot guess without the passage: the span whose answer is least likely given only the key.
    const starts = Array.from({ length: PASSAGE - KEY - ANSWER + 1 }, (_, j) => j);
    const alone = await engine.score(
      starts.map((j) => ({
        promptIds: [1, ...texts[planted]!.slice(j, j + KEY)],
        targetIds: texts[planted]!.slice(j + KEY, j + KEY + ANSWER),
        adapterId: null,
      })),
    );
    const at = starts.reduce((b, j) => (alone[j]!.total < alone[b]!.total ? j : b), 0);
    const key = texts[planted]!.slice(at, at + KEY);
    const answer = texts[planted]!.slice(at + KEY, at + KEY + ANSWER);
    if (texts.some((t, i) => i !== planted && contains(t, answer))) continue;
    cases++;
    store.createDatanet({ id: `case-${c}` }); // one DataNet per case: sampled texts may repeat across cases
    const passages: Passage[] = texts.map((t, i) => {
      const doc = store.addDocument({
        datanet: `case-${c}`,
        text: `${spell(t)} `.trimEnd(),
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
      usage: { promptTokens: K * PASSAGE + KEY + 1, completionTokens: ANSWER },
    };
    const s = await shapleySvc.attribute({ ...request, requestId: `shapley-${c}` });
    const l = await looSvc.attribute({ ...request, requestId: `loo-${c}` });
    assert.equal(s.method, 'shapley-exact-v1');
    assert.equal(l.method, 'loo-logprob-v1');
    const best = (shares: number[]): boolean => shares.every((x, i) => i === planted || x < shares[planted]!);
    if (best(s.sources.map((x) => x.share_ppm))) shapleyHits++;
    if (best(l.sources.map((x) => x.share_ppm))) looHits++;
    const phi = s.sources.map((x) => x.score);
    if (best(phi)) scoreHits++;
    margin += phi[planted]! - (phi.reduce((a, b) => a + b, 0) - phi[planted]!) / (K - 1);
    if (cases === 1) {
      const stored = outbox.get(s.record_id);
      assert.ok(
        stored && (await verifyRecord(stored.signed, domain)),
        'the signed record is in the outbox and verifies',
      );
    }
  }
  const acc = shapleyHits / cases;
  console.log(
    `planted evidence (stories260K, K=${K}, ${cases} cases): Shapley top-1 ${acc.toFixed(2)} (${shapleyHits}/${cases}), leave-one-out ${(looHits / cases).toFixed(2)} (${looHits}/${cases}), chance ${(1 / K).toFixed(2)}; by Shapley score ${(scoreHits / cases).toFixed(2)}; mean margin (planted - mean other) ${(margin / cases).toFixed(2)} nats`,
  );
  assert.equal(cases, CASES);
  assert.ok(acc >= FLOOR, `Shapley top-1 accuracy ${acc} is below the floor ${FLOOR}`);
  assert.ok(
    margin / cases >= MARGIN_FLOOR,
    `mean Shapley margin of the planted passage ${margin / cases} nats is below ${MARGIN_FLOOR}`,
  );
});
