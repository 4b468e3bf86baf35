// The persisted span index: incremental adds answer like one segment built at once (itself checked
// against brute force in spanIndex.test.ts), survive a reopen, and rebuild on a new tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../common/index.ts';
import { buildSegment, matchSegment } from './spanIndex.ts';
import { SpanIndex, workerSegmentMerger } from './spanIndexStore.ts';

const tokenize = (text: string): number[] => text.split(' ').map(Number);

function corpus(n: number, seed: number): Array<{ docId: string; datanet: string; text: string }> {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, k) => ({
    docId: `0x${k.toString(16).padStart(64, '0')}`,
    datanet: k % 3 === 0 ? 'derm' : 'cardio',
    text: Array.from({ length: 5 + Math.floor(rand() * 60) }, () => Math.floor(rand() * 12)).join(' '),
  }));
}

test('documents added one by one match like one segment over the DataNet; segments stay logarithmic; reopen keeps them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loraledger-spans-'));
  try {
    const docs = corpus(70, 5);
    const path = join(dir, 'spans.sqlite');
    const index = new SpanIndex({ path, tokenize, tokenizerId: 't1' });
    for (const d of docs) assert.equal(index.add(d), true);
    assert.equal(index.add(docs[0]!), false, 'a document is indexed once');
    const stats = index.stats();
    assert.equal(stats.documents, 70);
    assert.equal(
      stats.tokens,
      docs.reduce((n, d) => n + tokenize(d.text).length + 1, 0),
    );
    assert.ok(stats.segments <= 2 * (Math.log2(stats.tokens) + 1), `${stats.segments} segments`);
    const derm = docs.filter((d) => d.datanet === 'derm');
    const answer = [...tokenize(derm[3]!.text).slice(2, 14), 99, ...tokenize(derm[7]!.text).slice(0, 9)];
    const reference = buildSegment(derm.map((d) => ({ docId: d.docId, tokens: tokenize(d.text) })));
    const expected = [...matchSegment(reference, answer, { minTokens: 5 })].map(([k, spans]) => ({
      docId: derm[k]!.docId,
      spans: spans.map((s) => `${s.answerStart}+${s.length}@${s.docStart}`).sort(),
    }));
    const got = (i: SpanIndex) =>
      i
        .match({ answer, datanets: ['derm'], minTokens: 5 })
        .map((m) => ({
          docId: m.docId,
          spans: m.spans.map((s) => `${s.answerStart}+${s.length}@${s.docStart}`).sort(),
        }))
        .sort((a, b) => (a.docId < b.docId ? -1 : 1));
    assert.ok(expected.length >= 2);
    assert.deepEqual(got(index), expected);
    const top = index.match({ answer, datanets: ['derm'], minTokens: 5 })[0]!;
    assert.equal(top.docId, derm[3]!.docId);
    assert.ok(top.longest >= 12 && top.covered >= 12);
    const only = index.match({ answer, datanets: ['derm'], docIds: new Set([derm[7]!.docId]), minTokens: 5 });
    assert.deepEqual(
      only.map((m) => m.docId),
      [derm[7]!.docId],
    );
    assert.deepEqual(
      index.match({ answer, datanets: ['cardio', 'nope'], docIds: new Set([derm[3]!.docId]), minTokens: 5 }),
      [],
    );
    await index.close();

    const reopened = new SpanIndex({ path, tokenize, tokenizerId: 't1' });
    assert.deepEqual(reopened.stats(), stats);
    assert.deepEqual(got(reopened), expected);
    assert.equal(reopened.sync(docs), 0, 'nothing to catch up');
    await reopened.close();

    const retokenized = new SpanIndex({ path, tokenize, tokenizerId: 't2' });
    assert.equal(retokenized.stats().documents, 0, 'another tokenizer: the index is dropped');
    assert.equal(retokenized.sync(docs), 70);
    assert.deepEqual(got(retokenized), expected);
    await retokenized.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('segments are never merged past maxSegmentTokens, and the capped index answers the same', async () => {
  const docs = corpus(60, 9);
  const capped = new SpanIndex({ path: ':memory:', tokenize, tokenizerId: 't', maxSegmentTokens: 300 });
  const whole = new SpanIndex({ path: ':memory:', tokenize, tokenizerId: 't' });
  capped.sync(docs);
  whole.sync(docs);
  assert.ok(capped.stats().segments > whole.stats().segments);
  const answer = [...tokenize(docs[30]!.text).slice(0, 10), 99, ...tokenize(docs[3]!.text).slice(1, 12)];
  const q = (i: SpanIndex) =>
    i
      .match({ answer, datanets: ['derm', 'cardio'], minTokens: 6 })
      .map((m) => `${m.docId} ${m.spans.map((s) => `${s.answerStart}+${s.length}@${s.docStart}`).join(',')}`)
      .sort();
  assert.ok(q(whole).length >= 2);
  assert.deepEqual(q(capped), q(whole));
  await capped.close();
  await whole.close();
});

test('large merges on the worker thread: queries answer the same while a merge runs and after it; the file reopens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loraledger-spans-'));
  try {
    const docs = corpus(120, 13);
    const path = join(dir, 'spans.sqlite');
    const inline = new SpanIndex({ path: ':memory:', tokenize, tokenizerId: 't' });
    inline.sync(docs);
    const bg = new SpanIndex({ path, tokenize, tokenizerId: 't', merger: workerSegmentMerger(), syncMergeTokens: 200 });
    const answer = [...tokenize(docs[90]!.text).slice(0, 12), 99, ...tokenize(docs[6]!.text).slice(2, 14)];
    const q = (i: SpanIndex) =>
      i
        .match({ answer, datanets: ['derm', 'cardio'], minTokens: 6 })
        .map((m) => `${m.docId} ${m.spans.map((s) => `${s.answerStart}+${s.length}@${s.docStart}`).join(',')}`)
        .sort();
    const expected = q(inline);
    assert.ok(expected.length >= 2);
    let sawMerging = false;
    for (const d of docs) {
      bg.add(d);
      if ((bg as unknown as { jobs: Set<unknown> }).jobs.size > 0) sawMerging = true;
    }
    assert.ok(sawMerging, 'some merge ran in the background');
    assert.deepEqual(q(bg), expected, 'while merging');
    await bg.idle();
    assert.deepEqual(q(bg), expected, 'after merging');
    const stats = bg.stats();
    assert.equal(stats.documents, 120);
    await bg.close();
    const reopened = new SpanIndex({ path, tokenize, tokenizerId: 't' });
    assert.deepEqual(reopened.stats(), stats);
    assert.deepEqual(q(reopened), expected);
    await reopened.close();
    await inline.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
