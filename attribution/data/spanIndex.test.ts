// The suffix array and the span search against brute force (independent, straightforward loops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSegment, coveredTokens, matchSegment, mergeSegments, suffixArray, type Span } from './spanIndex.ts';
import { mulberry32 } from '../../common/index.ts';

/** Suffix array by sorting suffixes with a direct comparison (a shorter suffix first on ties). */
function bruteSuffixArray(s: Int32Array): number[] {
  const cmp = (a: number, b: number): number => {
    for (let t = 0; ; t++) {
      if (a + t >= s.length) return b + t >= s.length ? 0 : -1;
      if (b + t >= s.length) return 1;
      if (s[a + t] !== s[b + t]) return s[a + t]! - s[b + t]!;
    }
  };
  return Array.from({ length: s.length }, (_, i) => i).sort(cmp);
}

/** f_d(i) by trying every document offset; spans as the module defines them. */
function bruteSpans(doc: number[], answer: number[], m: number): Span[] {
  const f = answer.map((_, i) => {
    let best = 0;
    let at = 0;
    for (let j = 0; j < doc.length; j++) {
      let len = 0;
      while (i + len < answer.length && j + len < doc.length && answer[i + len] === doc[j + len]) len++;
      if (len > best) [best, at] = [len, j];
    }
    return { len: best, at };
  });
  const out: Span[] = [];
  f.forEach(({ len, at }, i) => {
    if (len >= m && (i === 0 || f[i - 1]!.len < len + 1)) out.push({ answerStart: i, docStart: at, length: len });
  });
  return out;
}

test('suffixArray equals sorting the suffixes directly (random, repetitive and separator-holding inputs)', () => {
  const rand = mulberry32(7);
  const cases: Int32Array[] = [
    new Int32Array([]),
    new Int32Array([5]),
    new Int32Array([1, 1, 1, 1, 1, 1, 1]),
    new Int32Array([2, 1, 2, 1, 2, 1, -1, 2, 1, -1]),
  ];
  for (let c = 0; c < 30; c++)
    cases.push(
      Int32Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * (c % 3 ? 4 : 50)) - 1),
    );
  for (const s of cases) assert.deepEqual([...suffixArray(s)], bruteSuffixArray(s), `input ${[...s].slice(0, 12)}`);
});

test('matchSegment finds exactly the brute-force spans per document, including planted copies and repeats', () => {
  const rand = mulberry32(11);
  for (let round = 0; round < 12; round++) {
    const vocab = round % 2 === 0 ? 6 : 40; // small vocabularies make many short accidental matches
    const docs = Array.from({ length: 1 + (round % 5) }, () =>
      Array.from({ length: 20 + Math.floor(rand() * 120) }, () => Math.floor(rand() * vocab)),
    );
    let answer = Array.from({ length: 30 + Math.floor(rand() * 60) }, () => Math.floor(rand() * vocab));
    // plant a long copy from one document and a short one from another
    const src = docs[round % docs.length]!;
    answer = [...answer.slice(0, 10), ...src.slice(5, 5 + 17), ...answer.slice(10), ...src.slice(0, 9)];
    for (const m of [1, 3, 8]) {
      const seg = buildSegment(docs.map((tokens, k) => ({ docId: `d${k}`, tokens })));
      const got = matchSegment(seg, answer, { minTokens: m, maxOccurrences: Infinity });
      docs.forEach((doc, k) => {
        assert.deepEqual(got.get(k) ?? [], bruteSpans(doc, answer, m), `round ${round} m ${m} doc ${k}`);
      });
    }
  }
});

test('merged segments answer like one segment built at once; include restricts documents', () => {
  const rand = mulberry32(3);
  const docs = Array.from({ length: 6 }, (_, k) => ({
    docId: `d${k}`,
    tokens: Array.from({ length: 50 }, () => Math.floor(rand() * 8)),
  }));
  const answer = [...docs[4]!.tokens.slice(3, 20), 9, 9, ...docs[1]!.tokens.slice(0, 12)];
  const once = buildSegment(docs);
  const merged = mergeSegments(
    buildSegment(docs.slice(0, 2)),
    mergeSegments(buildSegment(docs.slice(2, 3)), buildSegment(docs.slice(3))),
  );
  assert.deepEqual(merged.docIds, once.docIds);
  assert.deepEqual([...merged.tokens], [...once.tokens]);
  assert.deepEqual([...merged.docStarts], [...once.docStarts]);
  assert.deepEqual(matchSegment(merged, answer, { minTokens: 4 }), matchSegment(once, answer, { minTokens: 4 }));
  const only1 = matchSegment(once, answer, { minTokens: 4, include: (d) => d === 1 });
  assert.deepEqual([...only1.keys()], [1]);
  assert.ok(only1.get(1)!.some((s) => s.length >= 12 && s.docStart === 0));
});

test('coveredTokens counts the union of overlapping spans once', () => {
  assert.equal(coveredTokens([]), 0);
  assert.equal(
    coveredTokens([
      { answerStart: 0, docStart: 0, length: 10 },
      { answerStart: 5, docStart: 0, length: 10 },
      { answerStart: 30, docStart: 0, length: 2 },
    ]),
    17,
  );
  assert.throws(() => buildSegment([{ docId: 'x', tokens: [1, -1] }]), /token -1/);
});
