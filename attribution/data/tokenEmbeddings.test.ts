import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCheckpoint } from '../../kernels/model/index.ts';
import { loadTokenEmbeddings, tokenEmbeddingEmbedder } from './tokenEmbeddings.ts';
import { DatanetStore } from './datanetStore.ts';
import { Retriever } from './retrieve.ts';
import { LoraledgerError } from '../../common/index.ts';

const MODEL = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const encode = (text: string): number[] => (text.match(/\[(\d+)\]/g) ?? []).map((t) => Number(t.slice(1, -1)));

test("loadTokenEmbeddings reads exactly the checkpoint's embed_tokens; the embedder mean-pools its rows", async () => {
  const e = await loadTokenEmbeddings(MODEL);
  const ref = (await loadCheckpoint(MODEL)).tensors.get('model.embed_tokens.weight')!;
  assert.deepEqual([e.vocab, e.dim], ref.shape);
  assert.deepEqual(e.table, ref.data);
  const [v] = await tokenEmbeddingEmbedder(e, encode)(['[5] [7] [9999]']); // 9999 is outside the vocabulary: skipped
  for (let d = 0; d < e.dim; d++)
    assert.ok(Math.abs(v![d]! - (ref.data[5 * e.dim + d]! + ref.data[7 * e.dim + d]!) / 2) < 1e-6);
  const [zero] = await tokenEmbeddingEmbedder(e, encode)(['no tokens']);
  assert.ok(zero!.every((x) => x === 0));
});

test("re-ranking with base-model embeddings: the passage with the query's token mix has cosine 1 and ranks first", async () => {
  const e = await loadTokenEmbeddings(MODEL);
  const store = new DatanetStore(':memory:');
  store.createDatanet({ id: 'n' });
  const who = '0x00000000000000000000000000000000000000aa';
  store.addDocument({ datanet: 'n', text: '[300] [301]', contributor: who });
  store.addDocument({ datanet: 'n', text: '[300] [410] [411] [412] [300] [410] [411] [412]', contributor: who });
  store.addDocument({ datanet: 'n', text: '[50] [51] [52]', contributor: who });
  const query = '[300] [410] [411] [412]';
  const reranked = await new Retriever(store, { embed: tokenEmbeddingEmbedder(e, encode) }).retrieve({
    datanets: ['n'],
    query,
    topK: 2,
  });
  assert.equal(reranked.length, 2); // [50] [51] [52] shares no term: not a BM25 candidate
  assert.equal(reranked[0]!.text, '[300] [410] [411] [412] [300] [410] [411] [412]');
  assert.ok(Math.abs(reranked[0]!.score - 1) < 1e-6, `cosine ${reranked[0]!.score}`); // the query twice: the same mean
  assert.ok(reranked[1]!.score < reranked[0]!.score);
  assert.ok(reranked[1]!.bm25 > 0);
});

test('a missing model folder is a model_folder_invalid error', async () => {
  await assert.rejects(
    loadTokenEmbeddings('/nonexistent-model-dir'),
    (err: unknown) => err instanceof LoraledgerError && err.code === 'model_folder_invalid',
  );
});
