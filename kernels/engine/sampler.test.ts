import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, allowed, anyAllowed, applyMask, topIndices, argmax, nucleus } from './sampler.ts';
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

// Penalties, logit_bias and min_p: expected picks worked out by hand from OpenAI's formula
// (l -= count·frequency + [count > 0]·presence), Hugging Face's repetition penalty and vLLM's min_p.
test('presence and frequency penalties (OpenAI formula) over the tokens generated so far', () => {
  const x = Float32Array.from([1.0, 0.9, 0.5, -3]);
  const greedy = { temperature: 0, topP: 1, topK: 0 };
  assert.deepEqual(draws(new Sampler(greedy), x, 4), [0, 0, 0, 0], 'no penalty: always the argmax');
  // presence 0.2: after one 0 its logit is 0.8 < 0.9 -> 1; then 0 is 0.8 and 1 is 0.7 -> 0, and
  // again 0 (presence is paid once, however often the token came)
  assert.deepEqual(draws(new Sampler({ ...greedy, presencePenalty: 0.2 }), x, 4), [0, 1, 0, 0]);
  // frequency 0.2: 0 pays 0.2 per time: 1.0 -> 0.8 (pick 1: 0.9), 0.8 vs 0.7 -> 0, 0.6 vs 0.7 -> 1, 0.6 vs 0.5 -> 0
  assert.deepEqual(draws(new Sampler({ ...greedy, frequencyPenalty: 0.2 }), x, 5), [0, 1, 0, 1, 0]);
  // negative penalties encourage repeats
  assert.deepEqual(draws(new Sampler({ ...greedy, presencePenalty: -1 }), x, 3), [0, 0, 0]);
  assert.deepEqual(Array.from(x), [1.0, 0.9, 0.5, -3].map(Math.fround), 'the logits are not modified');
});

test('repetition penalty divides positive and multiplies negative logits of prompt and output tokens', () => {
  const greedy = { temperature: 0, topP: 1, topK: 0, repetitionPenalty: 1.5 };
  // token 0 is in the prompt: 1.0 / 1.5 = 0.667 < 0.9 -> 1; then 1 is 0.6, 0 is 0.667 -> 0
  assert.deepEqual(draws(new Sampler(greedy, undefined, [0]), Float32Array.from([1.0, 0.9, 0.5]), 2), [1, 0]);
  // negative logits are multiplied: -0.2 * 1.5 = -0.3 < -0.25 -> 1
  assert.equal(new Sampler(greedy, undefined, [0]).sample(Float32Array.from([-0.2, -0.25])).tokenId, 1);
});

test('logit_bias shifts logits: +100 forces a token, -100 bans the argmax; logprobs stay raw', () => {
  const x = randomLogits(256, 9);
  const top = argmax(x);
  const forced = new Sampler({ temperature: 1, topP: 1, topK: 0, seed: 1, logitBias: { 17: 100 } }, 0);
  const picks = Array.from({ length: 20 }, () => forced.sample(x));
  assert.ok(picks.every((p) => p.tokenId === 17));
  const lse = Math.log(x.reduce((a, v) => a + Math.exp(v), 0));
  assert.ok(Math.abs(picks[0]!.logprob! - (x[17]! - lse)) < 1e-4, 'logprob of the raw logits');
  const banned = new Sampler({ temperature: 0, topP: 1, topK: 0, logitBias: { [top]: -100 } });
  const second = Array.from(x.keys()).sort((a, b) => x[b]! - x[a]!)[1];
  assert.equal(banned.sample(x).tokenId, second);
});

test('min_p keeps only tokens at least min_p times as likely as the best (at the temperature)', () => {
  // p ∝ exp(l / T): with T = 1, token 1 is e^-0.5 = 0.61 of token 0 (kept at min_p 0.5), token 2 is
  // e^-2 = 0.14 (dropped); at T = 4, token 2 is e^-0.5 = 0.61 (kept)
  const x = Float32Array.from([2, 1.5, 0]);
  const seen = (T: number) =>
    new Set(draws(new Sampler({ temperature: T, topP: 1, topK: 0, seed: 3, minP: 0.5 }), x, 400));
  assert.deepEqual([...seen(1)].sort(), [0, 1]);
  assert.deepEqual([...seen(4)].sort(), [0, 1, 2]);
});

test('constrained rows: the bitmask removes tokens before sampling; logprobs are those of the masked distribution', () => {
  // V = 40: two mask words; allow ids 0, 2 and 33 (word 1, bit 1).
  const mask = new Int32Array([0b101, 0b10]);
  assert.deepEqual(
    [0, 1, 2, 3, 32, 33, 34].map((id) => allowed(mask, id)),
    [true, false, true, false, false, true, false],
  );
  assert.equal(anyAllowed(mask, 40), true);
  assert.equal(anyAllowed(new Int32Array([0, -4]), 34), false, 'bits past V do not count'); // only ids >= 34 set
  const logits = new Float32Array(40).map((_, i) => i / 10); // best overall: 39; best allowed: 33
  const masked = applyMask(logits, mask);
  assert.deepEqual(
    Array.from(masked).flatMap((l, i) => (l > -Infinity ? [i] : [])),
    [0, 2, 33],
  );
  const greedy = new Sampler({ temperature: 0, topP: 1, topK: 0 }, 3).sample(logits, mask);
  const lse = Math.log(Math.exp(0) + Math.exp(0.2) + Math.exp(3.3)); // by hand over the allowed ids
  assert.equal(greedy.tokenId, 33);
  assert.ok(Math.abs(greedy.logprob! - (3.3 - lse)) < 1e-6);
  assert.deepEqual(
    greedy.topLogprobs!.map((t) => t.tokenId),
    [33, 2, 0],
  );
  // temperature 1, top-p 0.9 and top-k 2 with a penalty: never a masked token, frequencies follow the masked softmax.
  const counts = new Map<number, number>();
  const s = new Sampler({ temperature: 1, topP: 1, topK: 0, seed: 3 });
  for (let i = 0; i < 4000; i++) {
    const t = s.sample(logits, mask).tokenId;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  assert.deepEqual(
    [...counts.keys()].sort((x, y) => x - y),
    [0, 2, 33],
  );
  assert.ok(Math.abs(counts.get(33)! / 4000 - Math.exp(3.3 - lse)) < 0.02, `p(33) = ${counts.get(33)! / 4000}`);
  const other = new Sampler({ temperature: 1, topP: 0.9, topK: 2, seed: 4, presencePenalty: 1 });
  for (let i = 0; i < 200; i++) assert.ok(allowed(mask, other.sample(logits, mask).tokenId));
});
