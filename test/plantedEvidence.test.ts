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
import type { EngineClient } from '../kernels/index.ts';
import { loadTokenizer } from '../kernels/model/index.ts';
import { runPlantedEvidence, startPlantedEngine } from './support/plantedEvidence.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const K = 4,
  CASES = 50,
  FLOOR = 0.3,
  MARGIN_FLOOR = 2;
const tmp = mkdtempSync(join(tmpdir(), 'planted-'));
let engine: EngineClient;

before(async () => {
  engine = await startPlantedEngine({
    modelDir: MODEL,
    graphsDir: join(tmp, 'graphs'),
    maxBatchSize: 16,
    maxBatchTokens: 2048,
    threads: 1,
  });
});
after(async () => {
  await engine?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function planted(k: number, seedBase: number) {
  const tok = await loadTokenizer(MODEL);
  // BOS first, as llama2.c trained it (this tokenizer's config does not add one itself); the
  // real tokenizer reads the spelled passages back to the same ids.
  const tokenizer = {
    encode: (text: string) => [1, ...tok.encode(text)],
    applyChatTemplate: (): number[] => {
      throw new Error('completions only');
    },
  };
  const r = await runPlantedEvidence(
    engine,
    { k, passage: 20, key: 6, answer: 8, cases: CASES, seedBase, bos: 1, model: 'stories260K' },
    tokenizer,
  );
  const top1 = (hits: number) => (hits / r.cases).toFixed(2);
  console.log(
    `planted evidence (stories260K, K=${k}, ${r.cases} cases): Shapley top-1 ${top1(r.shapleyHits)} (${r.shapleyHits}/${r.cases}), linear surrogate ${top1(r.surrogateHits)}, leave-one-out ${top1(r.looHits)}, chance ${(1 / k).toFixed(2)}; by Shapley score ${top1(r.scoreHits)}; mean margin (planted - mean other) ${r.margin.toFixed(2)} nats`,
  );
  assert.equal(r.cases, CASES);
  assert.ok(r.recordVerified, 'the signed record is in the outbox and verifies');
  return r;
}

test('planted evidence: the passage holding the answer gets the largest share (real stories260K engine)', async () => {
  const r = await planted(K, 1000);
  const acc = r.shapleyHits / r.cases;
  assert.ok(acc >= FLOOR, `Shapley top-1 accuracy ${acc} is below the floor ${FLOOR}`);
  assert.ok(
    r.margin >= MARGIN_FLOOR,
    `mean Shapley margin of the planted passage ${r.margin} nats is below ${MARGIN_FLOOR}`,
  );
});

test('planted evidence at K=6: the linear surrogate (the default there) keeps the top-1 of exact Shapley within 0.02', async () => {
  const r = await planted(6, 2000);
  const shapley = r.shapleyHits / r.cases;
  const surrogate = r.surrogateHits / r.cases;
  assert.ok(surrogate >= shapley - 0.02, `linear surrogate top-1 ${surrogate} vs exact Shapley ${shapley}`);
});
