import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../common/index.ts';
import { AdapterRouter, meanEmbedder, type RoutableAdapter } from './router.ts';
import { terms } from '../common/index.ts';

const ADAPTERS: RoutableAdapter[] = [
  {
    id: 'dermatology',
    description: 'Answers questions about skin conditions: rashes, eczema, acne, psoriasis, moles and itching.',
    tags: ['dermatology', 'skin', 'medical', 'rash'],
  },
  {
    id: 'contracts-law',
    description: 'Reviews contracts and clauses: liability, indemnification, termination, non-compete and breach.',
    tags: ['law', 'legal', 'contracts'],
  },
  {
    id: 'cooking',
    description: 'Recipes and cooking techniques: baking bread, roasting chicken, sauces and soups.',
    tags: ['cooking', 'recipes', 'food'],
  },
  {
    id: 'python-code',
    description: 'Writes and debugs Python code: functions, classes, exceptions, lists and tests.',
    tags: ['python', 'code', 'programming'],
  },
  { id: 'no-metadata', description: null, tags: [] },
];

test('terms: lower-case, stop words out, light stemming', () => {
  assert.deepEqual(terms('What does this RASH indicate?'), ['rash', 'indicat']);
  assert.deepEqual(terms('Rashes and itching'), ['rash', 'itch']);
});

test('routes domain questions to the adapter whose description and tags fit', () => {
  const r = new AdapterRouter();
  r.setAdapters(ADAPTERS);
  const cases: Array<[string, string]> = [
    ['What does this rash indicate?', 'dermatology'],
    ['My skin is itchy after a new soap', 'dermatology'],
    ['Is this non-compete clause enforceable?', 'contracts-law'],
    ['How long should I roast a chicken?', 'cooking'],
    ['Why does my Python function return None?', 'python-code'],
  ];
  for (const [q, want] of cases) {
    const d = r.route(q);
    assert.equal(d.adapterId, want, `${q} -> ${d.reason}`);
    assert.equal(d.candidates[0]!.adapterId, want);
    assert.ok(d.candidates.length <= 3);
    assert.ok(d.score >= 0.15 && d.score < 1);
    assert.match(d.reason, new RegExp(`routed to ${want} .*matched`));
  }
  const rash = r.route('What does this rash indicate?');
  assert.deepEqual(rash.candidates[0]!.matched, ['rash']);
  assert.deepEqual(rash, r.route('What does this rash indicate?'), 'deterministic');
});

test('falls back to the base model (null) below the threshold, explaining why', () => {
  const r = new AdapterRouter();
  r.setAdapters(ADAPTERS);
  const d = r.route('Tell me about the history of Rome');
  assert.equal(d.adapterId, null);
  assert.match(d.reason, /no adapter reached the routing threshold 0\.15/);
  const strict = new AdapterRouter({ minScore: 0.99 });
  strict.setAdapters(ADAPTERS);
  assert.equal(strict.route('What does this rash indicate?').adapterId, null);
  const empty = new AdapterRouter();
  empty.setAdapters([{ id: 'x', description: null, tags: [] }]);
  assert.deepEqual(empty.route('rash'), {
    adapterId: null,
    score: 0,
    reason: 'no adapter has a description or tags to route by: base model',
    candidates: [],
  });
  assert.ok(!r.route('rash skin').candidates.some((c) => c.adapterId === 'no-metadata'));
});

test('equal scores go to the smaller id', () => {
  const r = new AdapterRouter();
  r.setAdapters([
    { id: 'b', description: 'garden', tags: [] },
    { id: 'a', description: 'garden', tags: [] },
    { id: 'c', description: 'kitchen', tags: [] },
  ]);
  assert.equal(r.route('garden').adapterId, 'a');
});

test('embeddings route a query with no shared words to the semantically closest adapter', () => {
  // Toy embedding: each word has a seeded random vector; "epidermis" is given skin's vector.
  const D = 64;
  const vecs = new Map<string, Float32Array>();
  const wordVec = (w: string) => {
    const key = w === 'epidermis' ? 'skin' : w;
    if (!vecs.has(key)) {
      let seed = 0;
      for (const ch of key) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
      vecs.set(key, new Prng(seed).fillNormal(new Float32Array(D), 1));
    }
    return vecs.get(key)!;
  };
  const embed = (text: string) => {
    const out = new Float32Array(D);
    for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) wordVec(w).forEach((v, i) => (out[i] += v));
    return out;
  };
  const lexOnly = new AdapterRouter();
  lexOnly.setAdapters(ADAPTERS);
  assert.equal(lexOnly.route('epidermis').adapterId, null, 'no shared word: lexical alone cannot route');
  const r = new AdapterRouter({ embed, embedWeight: 0.6 });
  r.setAdapters(ADAPTERS);
  const d = r.route('epidermis');
  assert.equal(d.adapterId, 'dermatology', d.reason);
  assert.ok(d.candidates[0]!.semantic! > 0);
  assert.match(d.reason, /semantic/);
  assert.equal(r.route('How long should I roast a chicken?').adapterId, 'cooking', 'lexical evidence still counts');
});

test('meanEmbedder averages the embedding rows of the tokens', () => {
  const table = Float32Array.from([1, 2, 3, 4, 5, 6]); // [V=3, D=2]
  const e = meanEmbedder((t) => t.split(' ').map(Number), table, 2);
  assert.deepEqual([...e('0 2')], [3, 4]);
  assert.deepEqual([...e('1')], [3, 4]);
  assert.deepEqual([...e('9')], [0, 0], 'out-of-vocabulary ids are ignored');
});
