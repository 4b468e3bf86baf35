// The ONE generation pipeline. A CompletionPlan (made by the route from a validated body) runs as
// one engine request per choice; runCompletion yields OpenAI stream chunk objects that the SSE
// writer, the WebSocket multiplexer and the non-stream responder all consume, and fills `summary`
// as it goes. Per choice:
//   first engine event awaited before anything is yielded  (so overload/errors become HTTP statuses)
//   token -> detokenizer -> stop matcher -> chunk {text|delta, token_ids?, logprobs?}
//   stop string completes -> engine.cancel(id), finish_reason "stop", later tokens ignored
//   signal aborts / consumer leaves early -> engine.cancel(id) (frees the batch slot)
// Choices are merged pull-based: an engine stream is read only when the consumer asks for more,
// so a slow consumer (SSE socket, WebSocket) pauses reading the engine.
import type { ConstraintSpec, EngineClient, SamplingParams } from '../../kernels/index.ts';
import { EngineError, deserializeError } from '../../common/index.ts';
import type { AttributionHook, ServerTokenizer } from '../ports.ts';
import { StopMatcher } from './stopMatcher.ts';
import { withToolCalls } from './tools/withToolCalls.ts';
import type { ToolPlan } from './tools/toolRequest.ts';
import {
  makeChoice,
  makeChunk,
  formatLogprobs,
  toTokenLp,
  type ChoiceResult,
  type ChunkHead,
  type CompletionKind,
  type FinishReason,
  type ServedBy,
  type StreamChunk,
  type TokenLp,
  type Usage,
} from './chunkShapes.ts';

export interface CompletionPlan {
  kind: CompletionKind;
  head: ChunkHead;
  adapterId: string | null;
  servedBy: ServedBy;
  /** Token ids per prompt; choice index = promptIndex * n + i. */
  prompts: number[][];
  n: number;
  maxTokens: number;
  sampling: SamplingParams;
  stop: string[];
  ignoreEos: boolean;
  /** Top alternatives per token (0..20); undefined = no logprobs. */
  logprobs: number | undefined;
  returnTokenIds: boolean;
  /** Completions only: prepend the prompt text. */
  echo: boolean;
  /** Seconds before the generation is cancelled with finish_reason "length" (0 = none). */
  timeoutSeconds: number;
  user?: string;
  /** Constrained decoding (structured outputs): every choice's output stays in the constraint's language. */
  constraint?: ConstraintSpec;
  /** Chat with tools (tool_choice not "none"): replies are parsed for tool calls (tools/withToolCalls.ts). */
  tools?: ToolPlan;
}

/** Per-choice timing and token callbacks (metrics). */
export interface ChoiceObserver {
  token(): void;
  done(info: { promptTokens: number; completionTokens: number; finishReason: FinishReason }): void;
}

export interface RunContext {
  engine: EngineClient;
  tokenizer: ServerTokenizer;
  /** Aborted when the client goes away (disconnect, WS cancel, socket close). */
  signal: AbortSignal;
  observe?: (adapterId: string | null) => ChoiceObserver;
  attribution?: AttributionHook;
  onAttributionError?: (err: unknown) => void;
}

export interface CompletionSummary {
  choices: ChoiceResult[];
  usage: Usage;
  attribution: Record<string, unknown> | null;
  /** True once every choice has finished. */
  complete: boolean;
}

export interface CompletionRun {
  chunks: AsyncGenerator<StreamChunk>;
  summary: CompletionSummary;
}

export function runCompletion(plan: CompletionPlan, ctx: RunContext): CompletionRun {
  const summary: CompletionSummary = {
    choices: [],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    attribution: null,
    complete: false,
  };
  const raw = { chunks: run(plan, ctx, summary), summary };
  return plan.tools ? withToolCalls(raw, plan.tools) : raw;
}

async function* run(plan: CompletionPlan, ctx: RunContext, summary: CompletionSummary): AsyncGenerator<StreamChunk> {
  const stop = new AbortController();
  const onOuter = () => stop.abort();
  ctx.signal.addEventListener('abort', onOuter, { once: true });
  if (ctx.signal.aborted) stop.abort();
  let timedOut = false;
  const timer =
    plan.timeoutSeconds > 0
      ? setTimeout(() => {
          timedOut = true;
          stop.abort();
        }, plan.timeoutSeconds * 1000)
      : undefined;
  // The answer attribution scores (output 0) keeps its keys/values in the engine for that scoring.
  const retainKv = ctx.attribution?.retainsKv?.(plan.head.id, plan.adapterId) === true;
  const gens = plan.prompts.flatMap((ids, p) =>
    Array.from({ length: plan.n }, (_, i) =>
      choice(
        plan,
        ctx,
        {
          index: p * plan.n + i,
          promptIds: ids,
          signal: stop.signal,
          timedOut: () => timedOut,
          retainKv: retainKv && p * plan.n + i === 0,
        },
        summary,
      ),
    ),
  );
  try {
    yield* merge(gens);
    for (const [p, ids] of plan.prompts.entries())
      summary.usage.prompt_tokens += summary.choices[p * plan.n]?.promptTokenIds.length ?? ids.length;
    for (const c of summary.choices) summary.usage.completion_tokens += c.tokenIds.length;
    summary.usage.total_tokens = summary.usage.prompt_tokens + summary.usage.completion_tokens;
    summary.complete = true;
    summary.attribution = await attribute(plan, ctx, summary, retainKv ? engineRequestId(plan.head.id, 0) : undefined);
    const last = makeChunk(plan.kind, plan.head, []);
    last.usage = summary.usage;
    if (summary.attribution) last.attribution = summary.attribution;
    yield last;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onOuter);
    stop.abort(); // cancels any choice still running (early exit or error)
    if (!summary.complete) ctx.attribution?.forget?.(plan.head.id);
    for (const g of gens) g.return(undefined).catch(() => {});
  }
}

async function attribute(
  plan: CompletionPlan,
  ctx: RunContext,
  summary: CompletionSummary,
  retainedKv: string | undefined,
): Promise<Record<string, unknown> | null> {
  if (!ctx.attribution) return null;
  try {
    return await ctx.attribution.onCompletion({
      requestId: plan.head.id,
      kind: plan.kind,
      model: plan.head.model,
      adapterId: plan.adapterId,
      promptIds: plan.prompts,
      promptText: plan.prompts.map((ids) => ctx.tokenizer.decode(ids)),
      outputs: summary.choices.map((c) => ({
        index: c.index,
        text: c.text,
        tokenIds: c.tokenIds,
        finishReason: c.finishReason,
      })),
      usage: summary.usage,
      user: plan.user,
      retainedKv,
    });
  } catch (err) {
    ctx.onAttributionError?.(err);
    return null;
  }
}

/** The engine's id for one choice of a request. */
function engineRequestId(requestId: string, index: number): string {
  return `${requestId}-${index}`;
}

interface ChoiceArgs {
  index: number;
  promptIds: number[];
  retainKv: boolean;
  signal: AbortSignal;
  timedOut: () => boolean;
}

async function* choice(
  plan: CompletionPlan,
  ctx: RunContext,
  a: ChoiceArgs,
  summary: CompletionSummary,
): AsyncGenerator<StreamChunk> {
  const { engine, tokenizer } = ctx;
  const reqId = engineRequestId(plan.head.id, a.index);
  const result: ChoiceResult = {
    index: a.index,
    text: '',
    tokenIds: [],
    promptTokenIds: a.promptIds,
    finishReason: 'length',
    logprobs: plan.logprobs === undefined ? null : [],
  };
  summary.choices[a.index] = result;
  let first = true; // the first chunk of each choice says who serves it (`loraledger`)
  const chunk = (text: string, o: Parameters<typeof makeChoice>[3] = {}): StreamChunk => {
    const c = makeChunk(plan.kind, plan.head, [makeChoice(plan.kind, a.index, text, o)]);
    if (first) {
      c.loraledger = plan.servedBy;
      first = false;
    }
    return c;
  };
  const detok = tokenizer.detokenizer(plan.tools?.keepSpecialTokens ? { keepSpecialTokens: true } : undefined);
  const stopper = new StopMatcher(plan.stop);
  const obs = ctx.observe?.(plan.adapterId);
  const seed = plan.sampling.seed === undefined ? undefined : plan.sampling.seed + a.index;
  const events = engine
    .generate({
      id: reqId,
      promptIds: a.promptIds,
      adapterId: plan.adapterId,
      maxTokens: plan.maxTokens,
      sampling: { ...plan.sampling, seed },
      stopTokenIds: engine.spec.eosTokenIds,
      ignoreEos: plan.ignoreEos,
      logprobs: plan.logprobs,
      constraint: plan.constraint,
      ...(a.retainKv ? { retainKv: true } : {}),
    })
    [Symbol.asyncIterator]();
  let finished = false;
  const cancel = () => {
    if (!finished) engine.cancel(reqId);
  };
  a.signal.addEventListener('abort', cancel, { once: true });
  if (a.signal.aborted) cancel();
  try {
    let ev = await events.next();
    const echo = plan.echo ? tokenizer.decode(a.promptIds) : '';
    result.text = echo;
    if (plan.kind === 'chat' || echo) yield chunk(echo, { role: plan.kind === 'chat' });
    let stopped = false;
    for (; !ev.done; ev = await events.next()) {
      const e = ev.value;
      if (e.type === 'error') throw deserializeError(e.error);
      if (e.type === 'done') {
        finished = true;
        result.finishReason = stopped
          ? 'stop'
          : e.finishReason === 'cancelled' && a.timedOut()
            ? 'length'
            : e.finishReason;
        obs?.done({
          promptTokens: e.promptTokens,
          completionTokens: result.tokenIds.length,
          finishReason: result.finishReason,
        });
        continue;
      }
      if (stopped) continue;
      obs?.token();
      result.tokenIds.push(e.tokenId);
      const piece = stopper.push(detok.push(e.tokenId));
      if (piece.stopped) {
        stopped = true;
        engine.cancel(reqId);
      }
      let lp: TokenLp | undefined;
      if (result.logprobs && e.logprob !== undefined) {
        lp = toTokenLp((ids) => tokenizer.decode(ids), e.tokenId, e.logprob, e.topLogprobs);
        result.logprobs.push(lp);
      }
      const offset = result.text.length;
      result.text += piece.text;
      if (piece.text !== '' || plan.returnTokenIds || lp) {
        yield chunk(piece.text, {
          tokenIds: plan.returnTokenIds ? [e.tokenId] : undefined,
          logprobs: lp ? formatLogprobs(plan.kind, [lp], offset) : undefined,
        });
      }
    }
    if (!finished) throw new EngineError('engine_failed', `engine stream for ${reqId} ended without a done event`);
    let tail = '';
    if (!stopped) {
      const p = stopper.push(detok.flush());
      tail = p.text + (p.stopped ? '' : stopper.flush());
      if (p.stopped) result.finishReason = 'stop';
    }
    result.text += tail;
    yield chunk(tail, { finish: result.finishReason });
  } finally {
    a.signal.removeEventListener('abort', cancel);
    if (!finished)
      obs?.done({
        promptTokens: a.promptIds.length,
        completionTokens: result.tokenIds.length,
        finishReason: 'cancelled',
      });
    cancel();
    events.return?.(undefined)?.catch(() => {}); // release the engine stream (its buffer and row)
  }
}

/** Pull-based merge: each source is advanced only after its last value was consumed. */
async function* merge<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  type Step = { i: number; r: IteratorResult<T> };
  const pending = new Map<number, Promise<Step>>();
  const pull = (i: number) => {
    const p = sources[i].next().then((r) => ({ i, r }));
    p.catch(() => {}); // observed by the race below; this only keeps losers from being "unhandled"
    pending.set(i, p);
  };
  sources.forEach((_, i) => pull(i));
  while (pending.size > 0) {
    const { i, r } = await Promise.race(pending.values());
    if (r.done) {
      pending.delete(i);
      continue;
    }
    yield r.value;
    pull(i);
  }
}
