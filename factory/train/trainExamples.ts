// Training rows -> token examples with loss weights (PEFT/TRL conventions), cut to the context.
//
//   completion  [BOS] prompt completion EOS      loss on the completion and EOS
//   chat        the model's chat template        loss on the assistant turns (./chatTokens.ts)
//   text        [BOS] text EOS                   loss on every token after the first
//
// BOS: where the tokenizer's own encode adds one (the server encodes /v1/completions prompts that
// way, and TRL tokenizes the prompt with the tokenizer's special tokens), unless `addBos` says
// otherwise. EOS: the tokenizer's, when it has one (TRL appends it to language-modeling text too).
// Prompt and completion are tokenized separately, as the served prompt is, so the boundary is
// where the model will meet it.
//
// Rows longer than the context: `overflow: 'refuse'` throws (context_length_exceeded, naming the
// row and its token count); `'truncate'` keeps the first `contextLength` tokens (TRL's
// "keep_start") and reports the row; a truncated row left with no loss target is dropped (and
// reported with lossTokensKept 0).
//
// Glossary: L tokens of one example.
import { RequestError } from '../../common/index.ts';
import type { loadTokenizer } from '../../kernels/model/index.ts';
import { chatTokens, type WeightedTokens } from './chatTokens.ts';
import { rowError, rowName, type SourcedRow, type TrainingRow } from './trainingRows.ts';

type TextTokenizer = Awaited<ReturnType<typeof loadTokenizer>>;
/** What building examples needs of a tokenizer (a loaded `TextTokenizer` fits). */
export type ExampleTokenizer = Pick<TextTokenizer, 'encode' | 'applyChatTemplate' | 'bosTokenId' | 'eosTokenId'>;

export interface TrainExample {
  id: string;
  tokens: number[]; // [L]
  /** [L] weights[t] = 1 when tokens[t] is a loss target, predicted from tokens[0..t-1]; weights[0] = 0. */
  weights: number[];
}

export interface TrainExamplesOptions {
  /** Most tokens an example may hold (the training graph's T). */
  contextLength: number;
  /** What to do with a longer row. */
  overflow: 'truncate' | 'refuse';
  /** Start completion and text rows with BOS. Default: when the tokenizer's encode adds BOS. */
  addBos?: boolean;
  /** The request field errors name. Default `training_file`. */
  param?: string;
}

export interface TruncatedRow {
  id: string;
  line?: number;
  /** Tokens before truncation. */
  tokens: number;
  /** Tokens kept (the context length). */
  kept: number;
  /** Loss targets left; 0 means the row was dropped. */
  lossTokensKept: number;
}

export interface TrainExamples {
  examples: TrainExample[];
  truncated: TruncatedRow[];
}

/** Whether `tok.encode` (with special tokens) starts text with BOS. */
export function tokenizerAddsBos(tok: Pick<TextTokenizer, 'encode' | 'bosTokenId'>): boolean {
  if (tok.bosTokenId === null) return false;
  const withSpecial = tok.encode('a');
  const plain = tok.encode('a', { addSpecialTokens: false });
  return withSpecial[0] === tok.bosTokenId && plain[0] !== tok.bosTokenId;
}

/** Loss targets of an example. */
export function lossTokenCount(e: { weights: number[] }): number {
  let n = 0;
  for (let t = 1; t < e.weights.length; t++) n += e.weights[t]!;
  return n;
}

/** One row's tokens and weights, uncut. */
export function tokenizeRow(
  tok: ExampleTokenizer,
  row: TrainingRow,
  o: { addBos: boolean; bad: (problem: string) => never },
): WeightedTokens {
  if (row.kind === 'chat') return chatTokens(tok, row.messages, o.bad);
  const head = o.addBos && tok.bosTokenId !== null ? [tok.bosTokenId] : [];
  const tail = tok.eosTokenId !== null ? [tok.eosTokenId] : [];
  const context = row.kind === 'completion' ? [...head, ...tok.encode(row.prompt, { addSpecialTokens: false })] : head;
  const target = tok.encode(row.kind === 'completion' ? row.completion : row.text, { addSpecialTokens: false });
  const tokens = [...context, ...target, ...tail];
  const weights = tokens.map((_, t) => (t >= context.length && t > 0 ? 1 : 0));
  return { tokens, weights };
}

/** Tokenizes `rows` into examples for a context of `contextLength` tokens. */
export function buildTrainExamples(
  rows: SourcedRow[],
  tok: ExampleTokenizer,
  opts: TrainExamplesOptions,
): TrainExamples {
  const param = opts.param ?? 'training_file';
  const ctx = opts.contextLength;
  if (!Number.isInteger(ctx) || ctx < 2)
    throw new RequestError('invalid_request', `contextLength must be an integer >= 2 (got ${ctx})`, {
      param: 'context_length',
    });
  if (opts.overflow !== 'truncate' && opts.overflow !== 'refuse')
    throw new RequestError(
      'invalid_request',
      `overflow must be "truncate" or "refuse" (got ${JSON.stringify(opts.overflow)})`,
      {
        param: 'overflow',
      },
    );
  const addBos = opts.addBos ?? tokenizerAddsBos(tok);
  const examples: TrainExample[] = [];
  const truncated: TruncatedRow[] = [];
  for (const r of rows) {
    const where = rowName(r);
    const details = { id: r.id, ...(r.line !== undefined ? { line: r.line } : {}) };
    const bad = rowError({ where, param, details });
    const { tokens, weights } = tokenizeRow(tok, r.row, { addBos, bad });
    if (lossTokenCount({ weights }) === 0) bad('the row has no token to train on');
    if (tokens.length <= ctx) {
      examples.push({ id: r.id, tokens, weights });
      continue;
    }
    if (opts.overflow === 'refuse') {
      throw new RequestError(
        'context_length_exceeded',
        `${where} has ${tokens.length} tokens, more than the context length ${ctx} (overflow "refuse"; "truncate" keeps the first ${ctx})`,
        { param, details: { ...details, tokens: tokens.length, contextLength: ctx } },
      );
    }
    const kept = { id: r.id, tokens: tokens.slice(0, ctx), weights: weights.slice(0, ctx) };
    const lossTokensKept = lossTokenCount(kept);
    truncated.push({ ...details, tokens: tokens.length, kept: ctx, lossTokensKept });
    if (lossTokensKept > 0) examples.push(kept);
  }
  return { examples, truncated };
}
