import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, topIndices, argmax, nucleus } from './sampler.ts';
import { Prng } from '../../common/index.ts';

function randomLogits(V: number, seed: number): Float32Array {
  return new Prng(seed).fillNormal(new Float32Array(V), 2);
}

function draws(s: Sampler, logits: Float32Array, n: number): number[] {
  return Array.from({ length: n }, () => s.sample(logits).tokenId);
}

test('topIndices returns the m largest ids in descending order', () => {
  const x = randomLogits(1000, 1);
  const full = Array.from(x.keys()).sort((a, b) => x[b] - x[a]);
  assert.deepEqual(Array.from(topIndices(x, 17)), full.slice(0, 17));
  assert.equal(argmax(x), full[0]);
});

test('greedy picks the argmax; same seed gives the same draws, another seed differs', () => {
  const x = randomLogits(512, 2);
  assert.equal(new Sampler({ temperature: 0, topP: 1, topK: 0 }).sample(x).tokenId, argmax(x));
  const p = { temperature: 1, topP: 1, topK: 0, seed: 7 };
  const a = draws(new Sampler(p), x, 50);
  assert.deepEqual(draws(new Sampler(p), x, 50), a);
  assert.notDeepEqual(draws(new Sampler({ ...p, seed: 8 }), x, 50), a);
  assert.deepEqual(new Set(draws(new Sampler({ ...p, topP: 0 }), x, 20)), new Set([argmax(x)]), 'top_p 0 is greedy');
  assert.deepEqual(new Set(draws(new Sampler({ ...p, topK: 1 }), x, 20)), new Set([argmax(x)]), 'top_k 1 is greedy');
});

test('top-k draws only from the k largest logits and reaches all of them', () => {
  const x = randomLogits(2000, 3);
  const allowed = new Set(topIndices(x, 5));
  const seen = new Set(draws(new Sampler({ temperature: 5, topP: 1, topK: 5, seed: 1 }), x, 400));
  assert.deepEqual([...seen].sort(), [...allowed].sort());
});

test('top-p draws only from the smallest nucleus holding the mass', () => {
  const V = 49152;
  const x = randomLogits(V, 4);
  const T = 0.7;
  const order = Array.from(x.keys()).sort((a, b) => x[b] - x[a]);
  const max = x[order[0]];
  const w = order.map((i) => Math.exp((x[i] - max) / T));
  const z = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  let cut = 0;
  while (acc < 0.5) acc += w[cut++] / z;
  const nucleus = new Set(order.slice(0, cut));
  const seen = draws(new Sampler({ temperature: T, topP: 0.5, topK: 0, seed: 3 }), x, 300);
  for (const id of seen) assert.ok(nucleus.has(id), `token ${id} outside the top-p nucleus of ${cut}`);
  assert.ok(new Set(seen).size > 1);
});

test('logprobs are log-softmax of the raw logits; top logprobs are the best ids', () => {
  const x = randomLogits(300, 5);
  const r = new Sampler({ temperature: 0.5, topP: 1, topK: 0, seed: 9 }, 3).sample(x);
  let z = 0;
  for (const v of x) z += Math.exp(v);
  assert.ok(Math.abs(r.logprob! - (x[r.tokenId] - Math.log(z))) < 1e-6);
  assert.deepEqual(
    r.topLogprobs!.map((t) => t.tokenId),
    Array.from(topIndices(x, 3)),
  );
  const all = new Sampler({ temperature: 0, topP: 1, topK: 0 }, x.length).sample(x).topLogprobs!;
  const mass = all.reduce((a, t) => a + Math.exp(t.logprob), 0);
  assert.ok(Math.abs(mass - 1) < 1e-5, `probabilities sum to ${mass}`);
  assert.equal(new Sampler({ temperature: 0, topP: 1, topK: 0 }).sample(x).logprob, undefined);
});

test('nucleus finds the fewest heaviest ids reaching the mass (vs a full sort), flat or peaked', () => {
  for (const [seed, std] of [
    [1, 0.01],
    [2, 3],
    [3, 0],
  ]) {
    const V = 5000;
    const w = Float64Array.from(new Prng(seed).fillNormal(new Float32Array(V), std), (x) => Math.exp(x));
    const z = w.reduce((a, b) => a + b, 0);
    for (const p of [0.05, 0.5, 0.9, 0.999]) {
      const sorted = Array.from(w).sort((a, b) => b - a);
      let want = 0;
      for (let acc = 0; acc < p * z;) acc += sorted[want++];
      const idx = new Int32Array(V);
      const n = nucleus(w, idx, V, p * z);
      assert.equal(n, want, `std ${std} p ${p}`);
      const minIn = Math.min(...Array.from(idx.subarray(0, n), (i) => w[i]));
      const maxOut = Math.max(...Array.from(idx.subarray(n), (i) => w[i]));
      assert.ok(minIn >= maxOut);
    }
  }
});
