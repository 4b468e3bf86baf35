// OpenAI wire shapes for the two endpoints, made in one place: stream chunks
// (`text_completion` / `chat.completion.chunk`), per-token logprobs, and the non-stream bodies.
// runCompletion produces chunks with these; SSE, WebSocket and non-stream responses consume them.
import type { FinishReason as EngineFinishReason, TokenLogprob } from '../../kernels/index.ts';
import type { ToolCall } from './tools/parseToolCalls.ts';

/** The engine's reasons, and "tool_calls" (a chat reply that ended with tool calls). */
export type FinishReason = EngineFinishReason | 'tool_calls';

export type CompletionKind = 'chat' | 'completion';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Where and why the request was served (the `loraledger` object on responses). */
export interface ServedBy {
  adapter: string | null;
  routed?: { reason: string; score?: number };
}

export interface ChunkChoice {
  index: number;
  text?: string; // completion
  delta?: { role?: 'assistant'; content?: string; tool_calls?: ToolCallDelta[] }; // chat
  logprobs: unknown;
  finish_reason: FinishReason | null;
  token_ids?: number[];
}

/** A streamed piece of a tool call: id, type and name on its first delta, argument fragments after. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface StreamChunk {
  id: string;
  object: 'text_completion' | 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  loraledger?: ServedBy;
  attribution?: Record<string, unknown>;
}

/** One generated token's logprob info, before it is put in either endpoint's shape. */
export interface TokenLp {
  text: string;
  logprob: number;
  top: Array<{ text: string; logprob: number }>;
}

export function toTokenLp(
  decode: (ids: number[]) => string,
  tokenId: number,
  logprob: number,
  top: TokenLogprob[] = [],
): TokenLp {
  return { text: decode([tokenId]), logprob, top: top.map((t) => ({ text: decode([t.tokenId]), logprob: t.logprob })) };
}

const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];

/** Logprobs in the endpoint's shape; `offset` is the text offset of the first token (completions). */
export function formatLogprobs(kind: CompletionKind, lps: TokenLp[], offset = 0): unknown {
  if (kind === 'chat') {
    return {
      content: lps.map((t) => ({
        token: t.text,
        logprob: t.logprob,
        bytes: bytes(t.text),
        top_logprobs: t.top.map((a) => ({ token: a.text, logprob: a.logprob, bytes: bytes(a.text) })),
      })),
      refusal: null, // required by OpenAI's schema (nullable): the model never refuses by itself here
    };
  }
  const textOffset: number[] = [];
  let at = offset;
  for (const t of lps) {
    textOffset.push(at);
    at += t.text.length;
  }
  return {
    tokens: lps.map((t) => t.text),
    token_logprobs: lps.map((t) => t.logprob),
    top_logprobs: lps.map((t) => Object.fromEntries(t.top.map((a) => [a.text, a.logprob]))),
    text_offset: textOffset,
  };
}

export interface ChunkHead {
  id: string;
  created: number;
  model: string;
}

export function makeChunk(kind: CompletionKind, head: ChunkHead, choices: ChunkChoice[]): StreamChunk {
  return { ...head, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', choices };
}

/** One choice's piece of a chunk: text (or chat delta), token ids, logprobs, finish reason. */
export function makeChoice(
  kind: CompletionKind,
  index: number,
  text: string,
  opts: {
    tokenIds?: number[];
    logprobs?: unknown;
    finish?: FinishReason | null;
    role?: boolean;
  } = {},
): ChunkChoice {
  const c: ChunkChoice = { index, logprobs: opts.logprobs ?? null, finish_reason: opts.finish ?? null };
  if (kind === 'chat')
    c.delta = opts.role ? { role: 'assistant', content: text } : text === '' && opts.finish ? {} : { content: text };
  else c.text = text;
  if (opts.tokenIds) c.token_ids = opts.tokenIds;
  return c;
}

/** A finished choice as the non-stream body and the attribution hook see it. */
export interface ChoiceResult {
  index: number;
  text: string;
  tokenIds: number[];
  promptTokenIds: number[];
  finishReason: FinishReason;
  logprobs: TokenLp[] | null;
  /** Chat with tools: the text around the calls (null: none) and the calls; unset = `text` is the content. */
  content?: string | null;
  toolCalls?: ToolCall[];
}

/** A chat choice's message: its text, or the text around its tool calls and the calls. */
function chatMessage(c: ChoiceResult): Record<string, unknown> {
  if (c.toolCalls === undefined || c.toolCalls.length === 0)
    return { role: 'assistant', content: c.content ?? c.text, refusal: null };
  return { role: 'assistant', content: c.content ?? null, refusal: null, tool_calls: c.toolCalls };
}

/** The non-stream body (`text_completion` / `chat.completion`). */
export function makeResponse(
  kind: CompletionKind,
  head: ChunkHead,
  choices: ChoiceResult[],
  usage: Usage,
  extra: {
    returnTokenIds: boolean;
    servedBy: ServedBy;
    attribution?: Record<string, unknown> | null;
  },
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...head,
    object: kind === 'chat' ? 'chat.completion' : 'text_completion',
    choices: choices.map((c) => {
      const logprobs = c.logprobs ? formatLogprobs(kind, c.logprobs) : null;
      const base =
        kind === 'chat'
          ? {
              index: c.index,
              message: chatMessage(c),
              logprobs,
              finish_reason: c.finishReason,
            }
          : { index: c.index, text: c.text, logprobs, finish_reason: c.finishReason };
      return extra.returnTokenIds ? { ...base, token_ids: c.tokenIds, prompt_token_ids: c.promptTokenIds } : base;
    }),
    usage,
    loraledger: extra.servedBy,
  };
  if (extra.attribution) body.attribution = extra.attribution;
  return body;
}
