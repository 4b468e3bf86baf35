import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPEAT_MAX, REPEAT_MIN, inductionExamples, spreadInductionExamples } from './inductionExamples.ts';

const corpus = Array.from({ length: 500 }, (_, i) => 3 + ((i * 7) % 50)); // a stand-in token stream
const options = { count: 40, seed: 7, bos: 1, firstToken: 3, vocabSize: 64, corpusTokens: corpus };

test('each example is BOS, a sequence, the same sequence again; loss on the repeat after its first token', () => {
  for (const e of inductionExamples(options)) {
    const len = (e.tokens.length - 1) / 2;
    assert.ok(Number.isInteger(len) && len >= REPEAT_MIN && len <= REPEAT_MAX, `length ${e.tokens.length}`);
    assert.equal(e.tokens[0], 1);
    assert.deepEqual(e.tokens.slice(1 + len), e.tokens.slice(1, 1 + len));
    assert.equal(e.weights.length, e.tokens.length);
    const targets = e.weights.flatMap((w, t) => (w === 1 ? [t] : []));
    assert.deepEqual(
      targets,
      Array.from({ length: len - 1 }, (_, j) => len + 2 + j),
    );
    assert.ok(e.weights.every((w) => w === 0 || w === 1));
  }
});

test('half the sequences are uniform over the non-special ids, half are cut from the corpus', () => {
  const xs = inductionExamples(options);
  const isCut = (seq: number[]) => corpus.some((_, at) => seq.every((t, j) => corpus[at + j] === t));
  const seqs = xs.map((e) => e.tokens.slice(1, 1 + (e.tokens.length - 1) / 2));
  assert.ok(
    seqs.every((s) => s.every((t) => t >= 3 && t < 64)),
    'no special token, nothing outside the vocabulary',
  );
  assert.equal(seqs.filter((s, i) => i % 2 === 1 && isCut(s)).length, 20, 'every odd example is a corpus span');
  assert.equal(seqs.filter((s, i) => i % 2 === 0 && isCut(s)).length, 0, 'no random one happens to be a corpus span');
});

test('deterministic for a seed, different for another', () => {
  assert.deepEqual(inductionExamples(options), inductionExamples(options));
  assert.notDeepEqual(inductionExamples(options), inductionExamples({ ...options, seed: 8 }));
  assert.throws(() => inductionExamples({ ...options, corpusTokens: corpus.slice(0, 10) }), /corpus shorter/);
});

test('long-distance repeats: BOS, a corpus cut of 40-240 tokens, then 3 spans copied from it, loss after each span start', () => {
  const long = Array.from({ length: 2000 }, (_, i) => 3 + ((i * 7) % 61));
  for (const e of spreadInductionExamples({ ...options, corpusTokens: long })) {
    assert.equal(e.tokens[0], 1);
    assert.equal(e.weights.length, e.tokens.length);
    const spans: number[][] = [];
    let at = e.tokens.length;
    // walk back over the 3 spans: each starts at a weight-0 token followed by weight-1 tokens
    for (let c = 0; c < 3; c++) {
      let start = at - 1;
      while (e.weights[start] === 1) start--;
      spans.unshift(e.tokens.slice(start, at));
      assert.ok(at - start >= 8 && at - start <= 16, `span of ${at - start}`);
      at = start;
    }
    const context = e.tokens.slice(1, at);
    assert.ok(context.length >= 40 && context.length <= 240, `context of ${context.length}`);
    assert.ok(
      e.weights.slice(0, at).every((w) => w === 0),
      'no loss on the context',
    );
    for (const s of spans)
      assert.ok(
        context.some((_, i) => s.every((t, j) => context[i + j] === t)),
        'copied from the context',
      );
  }
});
