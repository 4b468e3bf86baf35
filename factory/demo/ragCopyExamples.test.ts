import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ragCopyExamples } from './ragCopyExamples.ts';

// a stand-in corpus: 600 distinct words, so where a span was cut from is unambiguous
const words = Array.from({ length: 600 }, (_, i) => `w${i}`);
const options = { count: 50, seed: 3, words };
const span = (s: string) => s.replace(/[?.]$/, '').split(' ');
const isCut = (ws: string[]) => {
  const at = words.indexOf(ws[0]!.toLowerCase());
  return at >= 0 && ws.every((w, j) => w.toLowerCase() === words[at + j]);
};

test('each passage is a lead question and a body; the answer is the target body, verbatim', () => {
  for (const e of ragCopyExamples(options)) {
    assert.ok(e.passages.length >= 1 && e.passages.length <= 5);
    assert.ok(e.source >= 0 && e.source < e.passages.length);
    for (const p of e.passages) {
      const m = /^([^?]+\?) ([^?]+\.)$/.exec(p);
      assert.ok(m, p);
      const [lead, body] = [span(m[1]!), span(m[2]!)];
      assert.ok(lead.length >= 4 && lead.length <= 9 && isCut(lead), `lead ${m[1]}`);
      assert.ok(body.length >= 8 && body.length <= 20 && isCut(body), `body ${m[2]}`);
    }
    assert.ok(e.passages[e.source]!.endsWith(` ${e.answer}`));
    assert.match(e.answer, /^[A-Z0-9]/, 'sentences start with a capital');
  }
});

test('the question is the target lead, or ends with its last 1-3 words', () => {
  const xs = ragCopyExamples(options);
  for (const [i, e] of xs.entries()) {
    const lead = e.passages[e.source]!.split('? ')[0]!;
    const q = e.question.replace(/\?$/, '');
    if (i % 2 === 0) assert.equal(q, lead);
    else {
      const tail = lead.split(' ').slice(-1)[0]!.toLowerCase();
      assert.ok(q.toLowerCase().endsWith(tail), `${q} / ${lead}`);
      assert.notEqual(q, lead);
    }
  }
});

test('each passage count and each target place comes up; deterministic for a seed', () => {
  const xs = ragCopyExamples({ ...options, count: 100 });
  for (let m = 1; m <= 5; m++)
    for (let s = 0; s < m; s++)
      assert.ok(
        xs.some((e) => e.passages.length === m && e.source === s),
        `${m} passages, target ${s}`,
      );
  assert.deepEqual(ragCopyExamples(options), ragCopyExamples(options));
  assert.notDeepEqual(ragCopyExamples(options), ragCopyExamples({ ...options, seed: 4 }));
  assert.throws(() => ragCopyExamples({ ...options, words: words.slice(0, 20) }), /corpus shorter/);
});

test('with documents, every other example quotes them: their question as the lead, their answer as the body', () => {
  const documents = Array.from(
    { length: 12 },
    (_, i) => `What is thing ${i}? Thing ${i} is a sample answer number ${i}.`,
  );
  const xs = ragCopyExamples({ ...options, documents });
  for (const [i, e] of xs.entries()) {
    const fromDocs = e.passages.every((p) => documents.includes(p));
    assert.equal(fromDocs, i % 2 === 1, `example ${i}: ${e.passages[0]}`);
    if (fromDocs) {
      assert.equal(new Set(e.passages).size, e.passages.length, 'no document twice in one prompt');
      assert.match(e.answer, /^Thing \d+ is a sample answer number \d+\.$/);
    }
  }
});
