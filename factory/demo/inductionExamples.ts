// Repeated-sequence examples for the embedded default's base pretraining. They teach the model to
// find a span of its context and continue it: the "induction" behaviour that answering from
// retrieved passages, and the planted-evidence experiment, rest on.
//
// Each example is BOS, a sequence R of 8-24 tokens, then R again, with loss on the second R
// after its first token (the first token of the repeat cannot be known to start one). Half the
// sequences are drawn uniformly from the non-special vocabulary, so nothing but the context
// predicts the repeat. The other half are cut from the general corpus's tokens, so copying also
// works on text with natural statistics.
//
// Measured on the full profile's base (bench/probes/baseCopying.ts; docs/benchmarks.md, "The
// embedded default"), planted-evidence Shapley top-1 over 150 cases: 0.61 without these examples
// (6 epochs of the general part), 0.82 with 2,400 sequences of 16-48 tokens, 0.94 with 3,000 of
// 8-24 (3 epochs each, about the same training time). Short sequences give more starts of a copy
// per token trained, and a copy's start is what has to be learned. A multi-passage format (a key
// taken from one of several passages, then what follows it) instead of half the repeats gave 0.58.
//
// Deterministic for a seed.
import { Prng } from '../../common/index.ts';
import type { TrainExample } from '../train/trainExamples.ts';

export interface InductionOptions {
  count: number;
  seed: number;
  bos: number;
  /** Ids below this are special tokens, never drawn. */
  firstToken: number;
  vocabSize: number;
  /** The general corpus as one token stream: the natural half is cut from it. */
  corpusTokens: readonly number[];
}

export const REPEAT_MIN = 8;
export const REPEAT_MAX = 24;
const SPREAD_CONTEXT_MIN = 40;
const SPREAD_CONTEXT_MAX = 240;

/**
 * Long-distance copies: BOS, 40-240 tokens cut from the corpus, then 3 spans of 8-16 tokens each
 * copied from random places in it, with loss on each copy after its first token. Measured on the
 * full profile's base (bench/probes/baseCopying.ts --spread N), they did not make it copy a RAG
 * passage greedily and cost planted evidence when they replace the short repeats
 * (docs/benchmarks.md), so the build has none.
 */
export function spreadInductionExamples(o: InductionOptions): TrainExample[] {
  if (o.count > 0 && o.corpusTokens.length <= SPREAD_CONTEXT_MAX)
    throw new RangeError('spreadInductionExamples: corpus shorter than one context');
  const rng = new Prng(o.seed);
  return Array.from({ length: o.count }, (_, i) => {
    const len = SPREAD_CONTEXT_MIN + rng.int(SPREAD_CONTEXT_MAX - SPREAD_CONTEXT_MIN + 1);
    const at = rng.int(o.corpusTokens.length - len + 1);
    const context = o.corpusTokens.slice(at, at + len);
    const tokens = [o.bos, ...context];
    const weights = tokens.map(() => 0);
    for (let c = 0; c < 3; c++) {
      const n = 8 + rng.int(9);
      const from = rng.int(len - n + 1);
      const span = context.slice(from, from + n);
      tokens.push(...span);
      weights.push(0, ...span.slice(1).map(() => 1));
    }
    return { id: `spread-${i}`, tokens, weights };
  });
}

export function inductionExamples(o: InductionOptions): TrainExample[] {
  if (o.corpusTokens.length <= REPEAT_MAX) throw new RangeError('inductionExamples: corpus shorter than one sequence');
  const rng = new Prng(o.seed);
  return Array.from({ length: o.count }, (_, i) => {
    const len = REPEAT_MIN + rng.int(REPEAT_MAX - REPEAT_MIN + 1);
    let r: number[];
    if (i % 2 === 1) {
      const at = rng.int(o.corpusTokens.length - len + 1);
      r = o.corpusTokens.slice(at, at + len);
    } else r = Array.from({ length: len }, () => o.firstToken + rng.int(o.vocabSize - o.firstToken));
    return {
      id: `induction-${i}`,
      tokens: [o.bos, ...r, ...r],
      weights: [0, ...r.map(() => 0), 0, ...r.slice(1).map(() => 1)],
    };
  });
}
