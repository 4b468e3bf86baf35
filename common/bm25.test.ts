import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Index, bm25Search } from './bm25.ts';
import { tokenize } from './text.ts';

test('tokenize lowercases letter/digit runs, including bracketed token ids', () => {
  assert.deepEqual(tokenize('The Cat, the HAT! [461][2] naïve'), ['the', 'cat', 'the', 'hat', '461', '2', 'naïve']);
  assert.deepEqual(tokenize('  ...  '), []);
});

test('bm25Search matches a hand computation (k1=1.2, b=0.75)', () => {
  const ix = new Bm25Index();
  ix.add('d1', 'cat cat dog'); // |d| = 3
  ix.add('d2', 'dog bird'); //   |d| = 2
  ix.add('d3', 'fish'); //       |d| = 1   avgdl = 2, N = 3
  const idf = (df: number): number => Math.log(1 + (3 - df + 0.5) / (df + 0.5));
  const term = (tf: number, dl: number, df: number): number =>
    (idf(df) * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * dl) / 2));
  const hits = bm25Search([ix], 'cat dog', 10);
  assert.deepEqual(
    hits.map((h) => h.docId),
    ['d1', 'd2'],
  );
  assert.ok(Math.abs(hits[0]!.score - (term(2, 3, 1) + term(1, 3, 2))) < 1e-12);
  assert.ok(Math.abs(hits[1]!.score - term(1, 2, 2)) < 1e-12);
  assert.deepEqual(bm25Search([ix], 'zebra', 10), []);
  assert.deepEqual(
    bm25Search([ix], 'cat dog', 1).map((h) => h.docId),
    ['d1'],
  );
});

test('ties are broken by doc id; repeated adds are ignored; indexes pool their statistics', () => {
  const a = new Bm25Index();
  const b = new Bm25Index();
  a.add('0xbb', 'apple pie');
  b.add('0xaa', 'apple tart');
  a.add('0xbb', 'apple pie');
  assert.equal(a.size, 1);
  const hits = bm25Search([a, b], 'apple', 5);
  assert.deepEqual(
    hits.map((h) => [h.docId, h.index]),
    [
      ['0xaa', 1],
      ['0xbb', 0],
    ],
  );
  assert.equal(hits[0]!.score, hits[1]!.score);
  // pooled: "apple" is in both docs of the pooled corpus (df=2, N=2), as one index holding both would say
  const one = new Bm25Index();
  one.add('0xbb', 'apple pie');
  one.add('0xaa', 'apple tart');
  assert.deepEqual(
    bm25Search([one], 'apple pie', 5).map((h) => h.score),
    bm25Search([a, b], 'apple pie', 5).map((h) => h.score),
  );
});
