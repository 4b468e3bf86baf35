// Serves one CompletionPlan over HTTP: a JSON body (stream false) or Server-Sent Events
// (stream true), both consuming runCompletion's chunks. A client that disconnects aborts the
// run, which cancels its engine requests and frees their batch slots.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppServices } from '../appServices.ts';
import { makeResponse, type StreamChunk } from './chunkShapes.ts';
import { mapError } from '../http/errorHandler.ts';
import { runCompletion, type CompletionPlan, type CompletionRun, type RunContext } from './runCompletion.ts';

/** The run context for a request: engine, tokenizer, metrics, attribution, and an abort signal. */
export function runContext(s: AppServices, signal: AbortSignal, log: FastifyRequest['log']): RunContext {
  return {
    engine: s.engine.get(),
    tokenizer: s.tokenizer,
    signal,
    observe: (a) => s.metrics.observe(a),
    attribution: s.attribution,
    onAttributionError: (err) => log.warn({ err }, 'attribution failed; response sent without it'),
  };
}

/** Aborts when the client goes away before the response finished, or at the shutdown deadline. */
export function clientSignal(s: AppServices, reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return AbortSignal.any([ac.signal, s.engine.shutdownSignal]);
}

export async function serveCompletion(
  s: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  plan: CompletionPlan,
  opts: { stream: boolean; includeUsage: boolean },
): Promise<unknown> {
  const signal = clientSignal(s, reply);
  const ctx = runContext(s, signal, request.log);
  const release = s.engine.track();
  // without streaming, a reply whose tool call breaks after it began is returned as plain text
  if (!opts.stream && plan.tools) plan = { ...plan, tools: { ...plan.tools, streamed: false } };
  const run = runCompletion(plan, ctx);
  reply.header('x-loraledger-adapter', plan.adapterId ?? s.baseModelId);
  request.log.info(
    {
      completion: plan.head.id,
      adapter: plan.adapterId,
      n: plan.n,
      maxTokens: plan.maxTokens,
      stream: opts.stream,
      promptTokens: plan.prompts.map((p) => p.length),
      user: plan.user,
    },
    'generation started',
  );
  request.log.trace(
    { completion: plan.head.id, prompt: plan.prompts.map((p) => s.tokenizer.decode(p)) },
    'prompt text',
  );
  if (!opts.stream) {
    try {
      for await (const _ of run.chunks) {
        /* the summary collects the choices */
      }
    } finally {
      release();
    }
    return makeResponse(plan.kind, plan.head, run.summary.choices, run.summary.usage, {
      returnTokenIds: plan.returnTokenIds,
      servedBy: plan.servedBy,
      attribution: run.summary.attribution,
    });
  }
  let first: IteratorResult<StreamChunk>;
  try {
    first = await run.chunks.next(); // errors before the first chunk keep their HTTP status
  } catch (err) {
    release();
    throw err;
  }
  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no');
  const frames = Readable.from(sseFrames(first, run, opts.includeUsage, request.log, release), {
    objectMode: false,
    highWaterMark: 16 * 1024,
  });
  return reply.send(frames);
}

const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;

/** The final chunk (empty choices) carries usage and attribution; drop what was not asked for. */
export function finalChunk(chunk: StreamChunk, includeUsage: boolean): StreamChunk | null {
  if (chunk.choices.length > 0 || chunk.usage === undefined) return chunk;
  if (includeUsage) return chunk;
  if (!chunk.attribution) return null;
  const { usage: _u, ...rest } = chunk;
  return rest;
}

async function* sseFrames(
  first: IteratorResult<StreamChunk>,
  run: CompletionRun,
  includeUsage: boolean,
  log: FastifyRequest['log'],
  release: () => void,
): AsyncGenerator<string> {
  try {
    let next = first;
    while (!next.done) {
      const out = finalChunk(next.value, includeUsage);
      if (out) yield frame(out);
      next = await run.chunks.next();
    }
    yield 'data: [DONE]\n\n';
  } catch (err) {
    const m = mapError(err);
    if (!m.expected) log.error({ err }, 'stream failed');
    yield frame(m.body);
    yield 'data: [DONE]\n\n';
  } finally {
    release();
    await run.chunks.return(undefined);
  }
}
