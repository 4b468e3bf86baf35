import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigramWeights } from './bigramWeights.ts';
import { EMBEDDED_CORPUS } from './embeddedCorpus.ts';
import { loadTokenizer } from '../../kernels/model/index.ts';
import { writeBpeTokenizer } from './trainBpeTokenizer.ts';
import { Prng } from '../../common/index.ts';

/** Independent reference: plain pair counts -> for each seen context, the set of most frequent successors. */
function argmaxSets(documents: number[][], end: number): Map<number, Set<number>> {
  const pairs = new Map<string, number>();
  for (const doc of documents) {
    const seq = [...doc, end];
    for (let t = 1; t < seq.length; t++)
      pairs.set(`${seq[t - 1]},${seq[t]}`, (pairs.get(`${seq[t - 1]},${seq[t]}`) ?? 0) + 1);
  }
  const best = new Map<number, { c: number; set: Set<number> }>();
  for (const [key, c] of pairs) {
    const [i, j] = key.split(',').map(Number) as [number, number];
    const b = best.get(i);
    if (!b || c > b.c) best.set(i, { c, set: new Set([j]) });
    else if (c === b.c) b.set.add(j);
  }
  return new Map([...best].map(([i, b]) => [i, b.set]));
}

/** Greedy next token of "RMSNorm(embed[i]) . lm_head" (norm weight 1), the factorised model's head. */
function greedyNext(w: { embed: Float32Array; lmHead: Float32Array }, i: number, V: number, D: number): number {
  let ms = 0;
  for (let d = 0; d < D; d++) ms += w.embed[i * D + d]! ** 2;
  const inv = 1 / Math.sqrt(ms / D + 1e-5);
  let arg = 0;
  let top = -Infinity;
  for (let j = 0; j < V; j++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += w.embed[i * D + d]! * inv * w.lmHead[j * D + d]!;
    if (s > top) [top, arg] = [s, j];
  }
  return arg;
}

function agreement(
  w: { embed: Float32Array; lmHead: Float32Array },
  sets: Map<number, Set<number>>,
  V: number,
  D: number,
): number {
  let ok = 0;
  for (const [i, set] of sets) if (set.has(greedyNext(w, i, V, D))) ok++;
  return ok / sets.size;
}

test('small vocabulary (rank covers every context): greedy = bigram argmax everywhere, rows at RMS 1, deterministic', () => {
  const V = 40;
  const D = 48;
  const rng = new Prng(5);
  const documents = Array.from({ length: 30 }, () => Array.from({ length: 12 }, () => 3 + rng.int(V - 3)));
  const w = bigramWeights({ documents, vocabSize: V, hiddenSize: D, endTokenId: 2, seed: 1 });
  assert.equal(w.embed.length, V * D);
  assert.equal(w.lmHead.length, V * D);
  assert.equal(agreement(w, argmaxSets(documents, 2), V, D), 1);
  for (let i = 0; i < V; i++) {
    let ms = 0;
    for (let d = 0; d < D; d++) ms += w.embed[i * D + d]! ** 2;
    assert.ok(Math.abs(ms / D - 1) < 1e-4, `row ${i} mean square ${ms / D}`);
  }
  const again = bigramWeights({ documents, vocabSize: V, hiddenSize: D, endTokenId: 2, seed: 1 });
  assert.deepEqual(Buffer.from(again.embed.buffer), Buffer.from(w.embed.buffer));
  assert.deepEqual(Buffer.from(again.lmHead.buffer), Buffer.from(w.lmHead.buffer));
  // A token never seen as a context backs off to the most frequent token overall.
  const unseen = [...Array(V).keys()].find(
    (i) => !documents.some((d) => d.slice(0, -1).includes(i)) && i !== 2 && !documents.some((d) => d.at(-1) === i),
  )!;
  const freq = new Array(V).fill(0);
  for (const d of documents) for (const t of d.slice(1)) freq[t]++;
  freq[2] = documents.length;
  assert.equal(freq[greedyNext(w, unseen, V, D)], Math.max(...freq));
});

test('extraPairs add counts: a heavy extra pair becomes the greedy successor of its context', () => {
  const V = 16;
  const D = 24;
  const documents = [
    [3, 4, 5, 6],
    [3, 4, 7],
    [5, 6, 3, 4],
  ];
  const plain = bigramWeights({ documents, vocabSize: V, hiddenSize: D, endTokenId: 2, seed: 1 });
  assert.equal(greedyNext(plain, 3, V, D), 4);
  const w = bigramWeights({
    documents,
    vocabSize: V,
    hiddenSize: D,
    endTokenId: 2,
    seed: 1,
    extraPairs: [{ prev: 3, next: 9, count: 5 }],
  });
  assert.equal(greedyNext(w, 3, V, D), 9);
  assert.equal(greedyNext(w, 5, V, D), 6, 'other contexts unchanged');
});

test('embedded corpus, vocab 2048, hidden 384: greedy next token = bigram argmax for at least 95% of contexts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bigram-'));
  try {
    const V = await writeBpeTokenizer(dir, { corpus: EMBEDDED_CORPUS, vocabSize: 2048, modelMaxLength: 1024 });
    const tok = await loadTokenizer(dir);
    const documents = EMBEDDED_CORPUS.split(/\n\s*\n/)
      .filter((p) => p.trim() !== '')
      .map((p) => tok.encode(p, { addSpecialTokens: false }));
    const D = 384;
    const w = bigramWeights({ documents, vocabSize: V, hiddenSize: D, endTokenId: 2, seed: 2026 });
    const sets = argmaxSets(documents, 2);
    assert.ok(sets.size > 500, `contexts ${sets.size}`);
    const share = agreement(w, sets, V, D);
    assert.ok(
      share >= 0.95,
      `greedy matches the bigram argmax for ${(share * 100).toFixed(1)}% of ${sets.size} contexts`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
