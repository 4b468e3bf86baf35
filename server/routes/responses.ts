// POST /v1/responses (OpenAI's Responses API, stream or not), and the stored responses:
// GET /v1/responses/:id, DELETE /v1/responses/:id. The request runs through the chat pipeline
// (server/generation/responsesServe.ts).
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Responses } from '../http/schemas.ts';
import { ResponsesBody } from '../generation/responsesSchema.ts';
import { serveResponse } from '../generation/responsesServe.ts';
import { inputItemsPage } from '../generation/responsesInputItems.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
const ListQuery = Type.Object({
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  after: Type.Optional(Type.String()),
  include: Type.Optional(Type.Unknown()),
});

export const responsesRoute: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/v1/responses',
    {
      schema: {
        summary: 'Create a response (OpenAI\'s Responses API) with the base model, an adapter, or "auto"',
        tags: ['generation'],
        body: ResponsesBody,
        response: Responses,
      },
    },
    async (request, reply) => serveResponse(app.loraledger, request, reply, request.body),
  );
  r.get(
    '/v1/responses/:id',
    { schema: { summary: 'A stored response', tags: ['generation'], params: IdParams, response: Responses } },
    async (request) => app.loraledger.responses.get(request.params.id, 'response_id').response,
  );
  r.get(
    '/v1/responses/:id/input_items',
    {
      schema: {
        summary: "A stored response's input items",
        tags: ['generation'],
        params: IdParams,
        querystring: ListQuery,
        response: Responses,
      },
    },
    async (request) =>
      inputItemsPage(app.loraledger.responses.get(request.params.id, 'response_id').inputItems, request.query),
  );
  r.delete(
    '/v1/responses/:id',
    { schema: { summary: 'Forget a stored response', tags: ['generation'], params: IdParams, response: Responses } },
    async (request) => {
      const s = app.loraledger.responses;
      s.get(request.params.id, 'response_id'); // 404 when unknown
      s.delete(request.params.id);
      return { id: request.params.id, object: 'response', deleted: true };
    },
  );
};
