// One Responses request through the one generation pipeline: body -> chat request (responsesRequest)
// -> planChat -> runCompletion -> typed events (responsesStream). HTTP answers with the final
// Response object, or with the events as SSE (`event: <type>` + `data: <json>`, no [DONE]);
// the WebSocket sends the same events (ws.ts).
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppServices } from '../appServices.ts';
import { mapError } from '../http/errorHandler.ts';
import { planChat } from './planRequest.ts';
import { runCompletion, type CompletionRun, type RunContext } from './runCompletion.ts';
import { clientSignal, runContext } from './serveCompletion.ts';
import { renameParam, toChatRequest } from './responsesRequest.ts';
import { newId } from './responsesShapes.ts';
import { inputItemsOf } from './responsesInputItems.ts';
import { responseEvents, type ResponseEvent, type ResponseTurn } from './responsesStream.ts';
import type { ResponsesBody } from './responsesSchema.ts';
import { servicesFor } from '../security/payer.ts';

export interface ResponseRun {
  turn: ResponseTurn;
  run: CompletionRun;
  events: AsyncGenerator<ResponseEvent>;
}

/**
 * A failure after the stream started, as `response.failed` carries it: OpenAI's codes are a closed
 * set, so ours go in the message (`tool_call_invalid: ...`) and the code is the nearest of theirs.
 */
export function describeFailure(err: unknown): { code: string; message: string } {
  const m = mapError(err);
  const code = m.status === 429 ? 'rate_limit_exceeded' : m.status >= 500 ? 'server_error' : 'invalid_prompt';
  return { code, message: `${m.body.error.code}: ${m.body.error.message}` };
}

/** Plans the request (errors here keep their status) and starts its events. */
export async function startResponse(
  s: AppServices,
  body: ResponsesBody,
  ctx: RunContext,
  opts: { failAsEvent: boolean },
): Promise<ResponseRun> {
  try {
    const { chat, history } = toChatRequest(body, s.responses);
    const plan = await planChat(chat, s.planDeps());
    const turn: ResponseTurn = {
      head: {
        id: newId('resp'),
        created_at: plan.head.created,
        model: plan.head.model,
        body,
        servedBy: plan.servedBy,
        completionId: plan.head.id,
      },
      history,
      inputItems: inputItemsOf(body.input, (id) => s.responses.item(id, 'input')),
    };
    const run = runCompletion(plan, ctx);
    return {
      turn,
      run,
      events: responseEvents(turn, run, {
        store: s.responses,
        failAsEvent: opts.failAsEvent,
        describe: describeFailure,
      }),
    };
  } catch (err) {
    throw renameParam(err);
  }
}

export async function serveResponse(
  s: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  body: ResponsesBody,
): Promise<unknown> {
  const stream = body.stream ?? false;
  const ctx = runContext(s, clientSignal(s, reply), request.log);
  const r = await startResponse(servicesFor(s, request.payer), body, ctx, { failAsEvent: stream });
  const release = s.engine.track();
  reply.header('x-loraledger-adapter', r.turn.head.servedBy.adapter ?? s.baseModelId);
  request.log.info({ response: r.turn.head.id, model: r.turn.head.model, stream }, 'response started');
  let first: IteratorResult<ResponseEvent>;
  try {
    first = await r.events.next(); // errors before the first token keep their HTTP status
    if (!stream) {
      let last = first;
      for (let e = first; !e.done; e = await r.events.next()) last = e;
      return (last.value as ResponseEvent).response;
    }
  } catch (err) {
    if (stream) release();
    throw renameParam(err);
  } finally {
    if (!stream) release();
  }
  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no');
  return reply.send(Readable.from(sseEvents(first, r, release), { objectMode: false, highWaterMark: 16 * 1024 }));
}

async function* sseEvents(first: IteratorResult<ResponseEvent>, r: ResponseRun, release: () => void) {
  try {
    for (let e = first; !e.done; e = await r.events.next())
      yield `event: ${e.value.type}\ndata: ${JSON.stringify(e.value)}\n\n`;
  } finally {
    release();
    await r.events.return(undefined);
    await r.run.chunks.return(undefined);
  }
}
