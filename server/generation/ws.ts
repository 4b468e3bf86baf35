// GET /v1/ws: many generations multiplexed on one WebSocket, each named by a client-chosen id.
//   client -> {"id", "type": "chat.completions" | "completions" | "responses", "body": {same as HTTP}}
//             {"id", "type": "cancel"}
//   server -> {"id", "type": "chunk", "data": <the object an SSE chunk carries>}
//             {"id", "type": "done", "finish_reason", "finish_reasons", "usage", "attribution"?}
//   responses: {"id", "type": "event", "data": <a typed Responses event, as SSE carries it>} ...
//             {"id", "type": "done", "status", "response_id"} (the last event holds the Response)
//             {"id", "type": "error", "error": {message, type, param, code}}
// Runs the same plan + runCompletion pipeline as the HTTP routes. Backpressure: when the socket's
// send buffer passes --ws-high-water-mark, a generation waits for it to flush before reading the
// engine again; --ws-max-generations caps concurrent generations per socket. Each generation also
// holds one slot of the server's admission limit (--max-pending-requests, app.admission) while it
// runs, as an HTTP generation does: past it, that generation gets an `overloaded` error message and
// the socket stays open. Each generation is also a request in flight for its key
// (--max-concurrent-per-key; the socket itself is not one): past it, a `rate_limit_exceeded` error
// message. Closing the socket cancels all of its generations (and frees their slots).
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { Ajv } from 'ajv';
import type { AppServices } from '../appServices.ts';
import { mapError } from '../http/errorHandler.ts';
import { LoraledgerError, RequestError } from '../../common/index.ts';
import { planChat, planCompletion } from './planRequest.ts';
import { runCompletion, type RunContext } from './runCompletion.ts';
import { ChatBody, CompletionBody } from '../http/schemas.ts';
import { runContext } from './serveCompletion.ts';
import { ResponsesBody } from './responsesSchema.ts';
import { startResponse } from './responsesServe.ts';
import { servicesFor } from '../security/payer.ts';

const ajv = new Ajv({ coerceTypes: false, useDefaults: true, allErrors: false, strict: false });
const validators = {
  'chat.completions': ajv.compile(ChatBody),
  completions: ajv.compile(CompletionBody),
  responses: ajv.compile(ResponsesBody),
};
type GenType = keyof typeof validators;

type Id = string | number;
interface Envelope {
  id: Id;
  type: GenType | 'cancel';
  body?: unknown;
}

function parseEnvelope(raw: string): Envelope {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch (err) {
    throw new RequestError('malformed_json', `The message is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof m !== 'object' || m === null)
    throw new RequestError('invalid_request', 'A message is a JSON object {id, type, body}');
  const e = m as Record<string, unknown>;
  if (!((typeof e.id === 'string' && e.id.length > 0 && e.id.length <= 128) || typeof e.id === 'number')) {
    throw new RequestError('invalid_request', 'id must be a non-empty string (max 128) or a number', { param: 'id' });
  }
  if (e.type !== 'cancel' && !(typeof e.type === 'string' && Object.hasOwn(validators, e.type))) {
    throw new RequestError(
      'invalid_request',
      'type must be "chat.completions", "completions", "responses" or "cancel"',
      {
        param: 'type',
      },
    );
  }
  return e as unknown as Envelope;
}

function validateBody(type: GenType, body: unknown): void {
  const v = validators[type];
  if (!v(body)) throw Object.assign(new Error('validation'), { validation: v.errors ?? [], validationContext: 'body' });
}

export const wsRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/v1/ws',
    {
      websocket: true,
      schema: { summary: 'Multiplexed streaming generations over one WebSocket (see README)', tags: ['generation'] },
    },
    (socket, request) => {
      const s = servicesFor(app.loraledger, request.payer); // records name the key that paid
      const live = new Map<Id, AbortController>();
      const send = (o: unknown) =>
        new Promise<void>((resolve) => {
          if (socket.readyState !== socket.OPEN) return resolve();
          const over = socket.bufferedAmount > s.config.wsHighWaterMark;
          socket.send(JSON.stringify(o), () => resolve());
          if (!over && socket.bufferedAmount <= s.config.wsHighWaterMark) resolve(); // no need to wait for the flush
        });
      const sendError = (id: Id | null, err: unknown) => {
        const m = mapError(err);
        if (!m.expected) request.log.error({ err, ws: id }, 'websocket generation failed');
        return send({ id, type: 'error', error: m.body.error });
      };

      socket.on('message', (data, isBinary) => {
        let env: Envelope;
        try {
          env = parseEnvelope(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
        } catch (err) {
          void sendError(null, err);
          return;
        }
        if (env.type === 'cancel') {
          const ac = live.get(env.id);
          if (ac) ac.abort();
          else
            void sendError(
              env.id,
              new RequestError(
                'not_found',
                `No generation with id ${JSON.stringify(env.id)} is running on this socket`,
                { param: 'id' },
              ),
            );
          return;
        }
        if (live.has(env.id)) {
          void sendError(
            env.id,
            new RequestError(
              'conflict',
              `A generation with id ${JSON.stringify(env.id)} is already running on this socket`,
              { param: 'id' },
            ),
          );
          return;
        }
        if (live.size >= s.config.wsMaxGenerations) {
          void sendError(
            env.id,
            new LoraledgerError(
              'overloaded',
              `This socket already runs ${live.size} generations (--ws-max-generations)`,
            ),
          );
          return;
        }
        const keySlot = app.admission.takeForKey(request); // --max-concurrent-per-key: each generation counts
        if (keySlot === null) {
          void sendError(env.id, app.admission.keyRefused());
          return;
        }
        const admitted = app.admission.take(); // HTTP and WebSocket generations share the limit
        if (admitted === null) {
          keySlot();
          void sendError(env.id, app.admission.refused());
          return;
        }
        const slot = () => {
          admitted();
          keySlot();
        };
        const ac = new AbortController();
        live.set(env.id, ac);
        void generate(s, env.id, env.type, env.body, ac.signal, send, request.log)
          .catch((err: unknown) => sendError(env.id, err))
          .finally(() => {
            live.delete(env.id);
            slot();
          });
      });
      socket.on('close', () => {
        for (const ac of live.values()) ac.abort();
      });
      socket.on('error', (err) => request.log.warn({ err }, 'websocket error'));
    },
  );
};

type Send = (o: unknown) => Promise<void>;
type Log = Parameters<typeof runContext>[2];

async function generate(
  s: AppServices,
  id: Id,
  type: GenType,
  body: unknown,
  clientSignal: AbortSignal,
  send: Send,
  log: Log,
): Promise<void> {
  validateBody(type, body);
  const ctx = runContext(s, AbortSignal.any([clientSignal, s.engine.shutdownSignal]), log);
  const release = s.engine.track();
  try {
    if (type === 'responses') await streamResponse(s, id, body as ResponsesBody, ctx, send, log);
    else await streamCompletion(s, id, type, body, ctx, send, log);
  } finally {
    release();
  }
}

/** A completions / chat generation: its chunks, then `done` with finish reasons and usage. */
async function streamCompletion(
  s: AppServices,
  id: Id,
  type: GenType,
  body: unknown,
  ctx: RunContext,
  send: Send,
  log: Log,
): Promise<void> {
  const deps = s.planDeps();
  const plan =
    type === 'chat.completions'
      ? await planChat(body as ChatBody, deps)
      : await planCompletion(body as CompletionBody, deps);
  const run = runCompletion(plan, ctx);
  log.info(
    { ws: id, completion: plan.head.id, adapter: plan.adapterId, maxTokens: plan.maxTokens },
    'ws generation started',
  );
  for await (const chunk of run.chunks) {
    if (chunk.choices.length > 0) await send({ id, type: 'chunk', data: chunk });
  }
  const reasons = run.summary.choices.map((c) => c.finishReason);
  await send({
    id,
    type: 'done',
    finish_reason: ctx.signal.aborted ? 'cancelled' : reasons[0],
    finish_reasons: reasons,
    usage: run.summary.usage,
    loraledger: plan.servedBy,
    ...(run.summary.attribution ? { attribution: run.summary.attribution } : {}),
  });
}

/** A Responses generation: its typed events, then `done` with the final status. */
async function streamResponse(
  s: AppServices,
  id: Id,
  body: ResponsesBody,
  ctx: RunContext,
  send: Send,
  log: Log,
): Promise<void> {
  const r = await startResponse(s, body, ctx, { failAsEvent: true });
  log.info({ ws: id, response: r.turn.head.id, model: r.turn.head.model }, 'ws response started');
  let status = 'failed';
  for await (const e of r.events) {
    await send({ id, type: 'event', data: e });
    status = String((e.response as { status?: string } | undefined)?.status ?? status);
  }
  await send({ id, type: 'done', status: ctx.signal.aborted ? 'cancelled' : status, response_id: r.turn.head.id });
}

export type { WebSocket };
