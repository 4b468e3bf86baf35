// From examples to the training graph's batches: a seeded train/validation split, a seeded
// shuffle per epoch, length bucketing, micro-batches grouped into optimizer steps, and right
// padding into the graph's inputs. Same seed, same examples -> identical batches.
//
// Epoch plan (the "sortish" sampler of fastai / fairseq's length buckets):
//   1. shuffle the example order (Prng seeded by seed and epoch);
//   2. cut it into windows of bucketWindow * B examples and sort each window by length (stable);
//   3. cut each window into micro-batches of B rows (only the epoch's last may be short);
//   4. shuffle the micro-batch order, then group M consecutive micro-batches into one optimizer step.
// Rows of a micro-batch have similar lengths, so little of it is padding.
//
// Batch tensors (the training graph's inputs; padding id 0, padding is never a loss target):
//   input_ids[b, t] = tokens[t]                     for t < L_b, else 0
//   labels[b, t]    = tokens[t + 1]                 for t < L_b - 1, else 0
//   loss_mask[b, t] = weights[t + 1]                for t < L_b - 1, else 0
//   seq_len[b]      = L_b
// A step's loss is sum(token cross-entropy * loss_mask) over ALL its micro-batches divided by the
// step's lossTokens (a token counts for the whole step, as TRL/PEFT accumulate gradients).
//
// Glossary: B rows per micro-batch, T tokens per row (the micro-batch's longest L_b), M
// micro-batches per optimizer step, L_b tokens of row b.
import { Prng, RequestError } from '../../common/index.ts';
import { deriveSeed } from './deriveSeed.ts';
import { lossTokenCount, type TrainExample } from './trainExamples.ts';

/** Stream ids for deriveSeed. */
const SPLIT_STREAM = 1;
const EPOCH_STREAM = 2;

export interface SplitOptions {
  /** Share of examples held out for validation, in [0, 1). 0 = none. */
  validationFraction: number;
  seed: number;
}

/**
 * A seeded split: round(n * fraction) examples go to validation (at least one on each side when
 * there are two or more); both parts keep the input order.
 */
export function splitExamples<E>(examples: readonly E[], o: SplitOptions): { train: E[]; validation: E[] } {
  const f = o.validationFraction;
  if (!(f >= 0 && f < 1))
    throw new RequestError('invalid_request', `validation fraction must be in [0, 1) (got ${f})`, {
      param: 'validation_fraction',
    });
  const n = examples.length;
  const held = f === 0 || n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * f)));
  const order = shuffled(n, new Prng(deriveSeed(o.seed, SPLIT_STREAM)));
  const isValidation = new Uint8Array(n); // [n]
  for (let i = 0; i < held; i++) isValidation[order[i]!] = 1;
  return {
    train: examples.filter((_, i) => isValidation[i] === 0),
    validation: examples.filter((_, i) => isValidation[i] === 1),
  };
}

export interface EpochOptions {
  /** B: rows per micro-batch. */
  batchSize: number;
  seed: number;
  /** 0-based epoch number (each epoch has its own shuffle). */
  epoch: number;
  /** M: micro-batches per optimizer step. Default 1. */
  gradientAccumulationSteps?: number;
  /** Micro-batches per length-sorting window. Default 50; 1 turns bucketing off. */
  bucketWindow?: number;
}

/** One optimizer step: its micro-batches as indices into the examples, and its loss-token count. */
export interface StepPlan {
  microBatches: number[][]; // [M][B] (the last step may hold fewer, a last micro-batch fewer rows)
  /** Loss targets over all micro-batches of the step: the divisor of the step's mean loss. */
  lossTokens: number;
}

function positiveInt(v: number | undefined, fallback: number, param: string): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 1)
    throw new RequestError('invalid_request', `${param} must be a positive integer (got ${x})`, { param });
  return x;
}

/** Fisher-Yates permutation of 0..n-1. */
function shuffled(n: number, rng: Prng): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The epoch's optimizer steps (see the header); deterministic in (examples, options). */
export function planEpoch(examples: readonly TrainExample[], o: EpochOptions): StepPlan[] {
  const b = positiveInt(o.batchSize, 1, 'batch_size');
  const m = positiveInt(o.gradientAccumulationSteps, 1, 'gradient_accumulation_steps');
  const window = positiveInt(o.bucketWindow, 50, 'bucket_window') * b;
  if (!Number.isInteger(o.epoch) || o.epoch < 0)
    throw new RequestError('invalid_request', `epoch must be an integer >= 0 (got ${o.epoch})`, { param: 'epoch' });
  const rng = new Prng(deriveSeed(o.seed, EPOCH_STREAM, o.epoch));
  const order = shuffled(examples.length, rng);
  const micro: number[][] = [];
  for (let w = 0; w < order.length; w += window) {
    const win = order.slice(w, w + window).sort((i, j) => examples[i]!.tokens.length - examples[j]!.tokens.length);
    for (let k = 0; k < win.length; k += b) micro.push(win.slice(k, k + b));
  }
  const microOrder = shuffled(micro.length, rng);
  const steps: StepPlan[] = [];
  for (let s = 0; s < microOrder.length; s += m) {
    const microBatches = microOrder.slice(s, s + m).map((i) => micro[i]!);
    let lossTokens = 0;
    for (const mb of microBatches) for (const i of mb) lossTokens += lossTokenCount(examples[i]!);
    steps.push({ microBatches, lossTokens });
  }
  return steps;
}

/** Validation micro-batches: every example once, sorted by length (no shuffle), B rows each. */
export function planEvaluation(examples: readonly TrainExample[], batchSize: number): number[][] {
  const b = positiveInt(batchSize, 1, 'batch_size');
  const order = examples.map((_, i) => i).sort((i, j) => examples[i]!.tokens.length - examples[j]!.tokens.length);
  const out: number[][] = [];
  for (let k = 0; k < order.length; k += b) out.push(order.slice(k, k + b));
  return out;
}

/** One micro-batch of the training graph (names in the header's formulas). */
export interface TrainBatch {
  /** Example ids, row by row. [B] */
  ids: string[];
  rows: number; // B
  width: number; // T
  inputIds: BigInt64Array; // [B, T]  graph input `input_ids`
  labels: BigInt64Array; // [B, T]  graph input `labels`
  lossMask: Float32Array; // [B, T]  graph input `loss_mask`
  seqLen: BigInt64Array; // [B]  graph input `seq_len`
  /** sum(lossMask): this micro-batch's loss targets. */
  lossTokens: number;
}

/** Right-pads `rows` to their longest into the graph's tensors. */
export function padBatch(rows: readonly TrainExample[]): TrainBatch {
  const B = rows.length;
  if (B === 0) throw new RequestError('invalid_request', 'a batch needs at least one example', { param: 'batch' });
  let T = 0;
  for (const r of rows) T = Math.max(T, r.tokens.length);
  const inputIds = new BigInt64Array(B * T); // [B, T]
  const labels = new BigInt64Array(B * T); // [B, T]
  const lossMask = new Float32Array(B * T); // [B, T]
  const seqLen = new BigInt64Array(B); // [B]
  let lossTokens = 0;
  rows.forEach((r, b) => {
    const L = r.tokens.length;
    if (r.weights.length !== L)
      throw new RequestError('invalid_request', `example ${r.id} has ${L} tokens but ${r.weights.length} weights`, {
        param: 'batch',
      });
    seqLen[b] = BigInt(L);
    for (let t = 0; t < L; t++) {
      inputIds[b * T + t] = BigInt(r.tokens[t]!);
      if (t + 1 < L) {
        labels[b * T + t] = BigInt(r.tokens[t + 1]!);
        const w = r.weights[t + 1]!;
        lossMask[b * T + t] = w;
        lossTokens += w;
      }
    }
  });
  return { ids: rows.map((r) => r.id), rows: B, width: T, inputIds, labels, lossMask, seqLen, lossTokens };
}
