import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatanetStore } from './datanetStore.ts';
import { Retriever } from './retrieve.ts';
import { cosine } from '../../common/index.ts';
import { LoraledgerError } from '../../common/index.ts';

const alice = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
const bob = '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359';

function fixture(): DatanetStore {
  const s = new DatanetStore(':memory:');
  s.createDatanet({ id: 'animals' });
  s.createDatanet({ id: 'food' });
  s.addDocument({ datanet: 'animals', text: 'The cat sat on the mat.', contributor: alice });
  s.addDocument({ datanet: 'animals', text: 'A dog chased the cat around the yard.', contributor: bob });
  s.addDocument({ datanet: 'food', text: 'Cat food is made of fish.', contributor: bob });
  return s;
}

test('retrieve ranks by BM25 across DataNets and carries contributors', async () => {
  const r = new Retriever(fixture());
  const hits = await r.retrieve({ datanets: ['animals', 'food'], query: 'what did the cat sit on? mat', topK: 2 });
  assert.equal(hits.length, 2);
  assert.equal(hits[0]!.text, 'The cat sat on the mat.');
  assert.equal(hits[0]!.contributor, alice);
  assert.equal(hits[0]!.datanet, 'animals');
  assert.ok(hits[0]!.score > hits[1]!.score);
  assert.deepEqual(
    (await r.retrieve({ datanets: ['food'], query: 'fish', topK: 3 })).map((h) => h.datanet),
    ['food'],
  );
});

test('the index follows inserts made after it was built', async () => {
  const s = fixture();
  const r = new Retriever(s);
  assert.equal((await r.retrieve({ datanets: ['food'], query: 'banana', topK: 3 })).length, 0);
  s.addDocument({ datanet: 'food', text: 'A banana is yellow.', contributor: alice });
  const hits = await r.retrieve({ datanets: ['food'], query: 'banana', topK: 3 });
  assert.deepEqual(
    hits.map((h) => h.text),
    ['A banana is yellow.'],
  );
});

test('optional embedding re-rank orders by cosine to the query', async () => {
  // A toy embedding: [count of "dog", count of "mat"]; the query is all "dog".
  const embed = async (texts: string[]): Promise<Float32Array[]> =>
    texts.map((t) => Float32Array.from([t.split('dog').length - 1, t.split('mat').length - 1]));
  const r = new Retriever(fixture(), { embed });
  const hits = await r.retrieve({ datanets: ['animals'], query: 'cat dog', topK: 2 });
  assert.equal(hits[0]!.text, 'A dog chased the cat around the yard.');
  assert.equal(hits[0]!.score, 1);
  assert.ok(hits[0]!.bm25 > 0);
  assert.equal(cosine(Float32Array.from([0, 0]), Float32Array.from([1, 0])), 0);
});

test('bad retrieval requests: unknown DataNet 404, bad top_k / datanets 400', async () => {
  const r = new Retriever(fixture());
  const rejects = (req: unknown, code: string, param: string) =>
    assert.rejects(
      r.retrieve(req as never),
      (e: unknown) => e instanceof LoraledgerError && e.code === code && e.param === param,
    );
  await rejects({ datanets: ['animals', 'ghosts'], query: 'x', topK: 2 }, 'datanet_not_found', 'datanet');
  await rejects({ datanets: [], query: 'x', topK: 2 }, 'invalid_request', 'rag.datanets');
  await rejects({ datanets: 'animals', query: 'x', topK: 2 }, 'invalid_request', 'rag.datanets');
  await rejects({ datanets: ['animals'], query: 'x', topK: 0 }, 'invalid_request', 'rag.top_k');
  await rejects({ datanets: ['animals'], query: 'x', topK: 17 }, 'invalid_request', 'rag.top_k');
});
