// A token-bigram language model folded into a Llama's embedding and (untied) output head, so a
// checkpoint with otherwise random layers babbles like its corpus instead of repeating one token.
// Used by the embedded demo model; deterministic (same documents and seed, same bytes).
//
// Target logits for "previous token i -> next token j" (a row constant does not change softmax):
//   P(j | i)  = (c[i,j] + beta * p[j]) / (c[i] + beta)        backoff to the smoothed unigram p
//   logit[i,j] = log(beta * p[j])  +  log(1 + c[i,j] / (beta * p[j]))   (+ row constant)
//              =      bias[j]      +            S[i,j]          with S sparse (seen pairs only)
// S is approximated by a rank-K projection found by seeded subspace iteration (K = D - 2):
//   Q = orth((S S^T)^q S Omega) [R, K],  S ~= Q (Q^T S),  so  embed row i = [a Q[i,:], c, f_i],
//   lm_head row j = [(S^T Q)[j,:] / a, bias[j] / c, 0]   (a, c scales; rows/columns of S that are
//   all zero are left out of the products, and the [*, K] factors are stored column-major).
// The last column f_i fills every embedding row up to the same RMS (1), so the final RMSNorm
// (weight 1) is an identity on an unchanged residual stream and logits = embed[i] . lm_head[j].
//
// Glossary: V vocab, D hidden, K = D - 2 factor rank, R contexts seen, C successors seen.
// Cost: O(q K^2 R) for the Gram-Schmidt passes.
import { Prng } from '../../common/index.ts';

export interface BigramWeightsOptions {
  /** Token ids of each document; `endTokenId` is counted after each document's last token. */
  documents: number[][];
  vocabSize: number;
  hiddenSize: number;
  /** Counted as the successor of every document's last token (e.g. `<|im_end|>`), or null. */
  endTokenId: number | null;
  /** Extra pair counts added to the documents' (e.g. to weight how replies start). Default none. */
  extraPairs?: Array<{ prev: number; next: number; count: number }>;
  seed: number;
  /** Backoff weight to the unigram (pseudo-count per context). Default 0.1. */
  beta?: number;
  /** Pseudo-count of every token in the unigram (keeps unseen tokens rare but possible). Default 0.01. */
  unigramFloor?: number;
  /** Subspace (power) iterations. Default 2. */
  iterations?: number;
}

export interface BigramWeights {
  embed: Float32Array; // [V, D]
  lmHead: Float32Array; // [V, D]
}

/** Sparse bigram counts: rows[i] maps next token -> count; unigram[j] counts j as a successor. */
export interface BigramCounts {
  rows: Array<Map<number, number>>; // [V] of {j: c[i,j]}
  unigram: Float64Array; // [V]
  total: number;
}

export function countBigrams(
  documents: number[][],
  vocabSize: number,
  endTokenId: number | null,
  extraPairs: BigramWeightsOptions['extraPairs'] = [],
): BigramCounts {
  const rows = Array.from({ length: vocabSize }, () => new Map<number, number>());
  const unigram = new Float64Array(vocabSize); // [V]
  let total = 0;
  for (const doc of documents) {
    const seq = endTokenId === null ? doc : [...doc, endTokenId];
    for (let t = 0; t < seq.length; t++) {
      const j = seq[t]!;
      unigram[j]!++;
      total++;
      if (t > 0) rows[seq[t - 1]!]!.set(j, (rows[seq[t - 1]!]!.get(j) ?? 0) + 1);
    }
  }
  for (const { prev, next, count } of extraPairs) {
    rows[prev]!.set(next, (rows[prev]!.get(next) ?? 0) + count);
    unigram[next]! += count;
    total += count;
  }
  return { rows, unigram, total };
}

/** Modified Gram-Schmidt on the K columns of a column-major [K, R] matrix (column a at a*R), in place. */
function orthonormalize(m: Float64Array, r: number, k: number): void {
  for (let a = 0; a < k; a++) {
    const ca = m.subarray(a * r, (a + 1) * r); // [R]
    for (let b = 0; b < a; b++) {
      const cb = m.subarray(b * r, (b + 1) * r); // [R]
      let dot = 0;
      for (let n = 0; n < r; n++) dot += ca[n]! * cb[n]!;
      for (let n = 0; n < r; n++) ca[n]! -= dot * cb[n]!;
    }
    let norm = 0;
    for (let n = 0; n < r; n++) norm += ca[n]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let n = 0; n < r; n++) ca[n]! /= norm;
  }
}

export function bigramWeights(o: BigramWeightsOptions): BigramWeights {
  const V = o.vocabSize;
  const D = o.hiddenSize;
  const K = D - 2;
  const beta = o.beta ?? 0.1;
  const floor = o.unigramFloor ?? 0.01;
  const { rows, unigram, total } = countBigrams(o.documents, V, o.endTokenId, o.extraPairs);
  const bias = new Float64Array(V); // [V]
  for (let j = 0; j < V; j++) bias[j] = Math.log(beta * ((unigram[j]! + floor) / (total + V * floor)));
  // S in coordinate form over its R non-empty rows and C non-empty columns: (row r, column c, value).
  const rowIds: number[] = []; // [R] token id of each compressed row
  const colOf = new Map<number, number>(); // token id -> compressed column
  const colIds: number[] = []; // [C]
  const er: number[] = [];
  const ec: number[] = [];
  const ev: number[] = [];
  for (let i = 0; i < V; i++) {
    if (rows[i]!.size === 0) continue;
    for (const [j, c] of [...rows[i]!.entries()].sort((x, y) => x[0] - y[0])) {
      if (!colOf.has(j)) {
        colOf.set(j, colIds.length);
        colIds.push(j);
      }
      er.push(rowIds.length);
      ec.push(colOf.get(j)!);
      ev.push(Math.log1p(c / Math.exp(bias[j]!)));
    }
    rowIds.push(i);
  }
  const R = rowIds.length;
  const C = colIds.length;
  const k = Math.min(K, R, C); // usable rank
  // Column-major products: S x ([k, C] -> [k, R]) and S^T x ([k, R] -> [k, C]).
  const mulS = (x: Float64Array, transpose: boolean): Float64Array => {
    const [nIn, nOut, into, from] = transpose ? [R, C, ec, er] : [C, R, er, ec];
    const y = new Float64Array(k * nOut); // [k, nOut]
    for (let col = 0; col < k; col++) {
      for (let e = 0; e < ev.length; e++) y[col * nOut + into[e]!]! += ev[e]! * x[col * nIn + from[e]!]!;
    }
    return y;
  };
  const rng = new Prng(o.seed);
  let q: Float64Array = new Float64Array(k * C); // [k, C], then [k, R]
  for (let n = 0; n < q.length; n++) q[n] = rng.normal();
  q = mulS(q, false); // [k, R]
  orthonormalize(q, R, k);
  for (let it = 0; it < (o.iterations ?? 2); it++) {
    q = mulS(mulS(q, true), false);
    orthonormalize(q, R, k);
  }
  const proj = mulS(q, true); // S^T Q [k, C]
  // Scale so the largest Q row plus the bias column stays under RMS 1, with room for the filler.
  let maxRow = 0;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let col = 0; col < k; col++) s += q[col * R + r]! ** 2;
    maxRow = Math.max(maxRow, s);
  }
  const c = Math.sqrt(D / 4);
  const a = Math.sqrt(D / 2 / (maxRow || 1));
  const embed = new Float32Array(V * D); // [V, D]
  const lmHead = new Float32Array(V * D); // [V, D]
  for (let r = 0; r < R; r++) for (let col = 0; col < k; col++) embed[rowIds[r]! * D + col] = a * q[col * R + r]!;
  for (let cc = 0; cc < C; cc++)
    for (let col = 0; col < k; col++) lmHead[colIds[cc]! * D + col] = proj[col * C + cc]! / a;
  for (let i = 0; i < V; i++) {
    embed[i * D + K] = c;
    let s = 0;
    for (let d = 0; d <= K; d++) s += embed[i * D + d]! ** 2;
    embed[i * D + K + 1] = Math.sqrt(Math.max(0, D - s));
    lmHead[i * D + K] = bias[i]! / c;
  }
  return { embed, lmHead };
}
