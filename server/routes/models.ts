// GET /v1/models: the base model, every adapter (parent = base id, as vLLM lists LoRA modules),
// and the "auto" pseudo-model that routes each request to an adapter; GET /v1/models/:id: one of
// them (OpenAI's models.retrieve).
import type { FastifyPluginAsync } from 'fastify';
import { RequestError } from '../../common/index.ts';
import { AUTO_MODEL } from '../generation/planRequest.ts';

export const modelsRoute: FastifyPluginAsync = async (app) => {
  const list = () => {
    const s = app.loraledger;
    const created = Math.floor(Date.now() / 1000);
    const spec = s.engine.peek()?.spec;
    const maxModelLen = spec ? s.config.maxModelLen || spec.maxPositions : null;
    const card = (id: string, extra: Record<string, unknown>) => ({
      id,
      object: 'model',
      created,
      owned_by: 'loraledger',
      root: id,
      parent: null,
      max_model_len: maxModelLen,
      ...extra,
    });
    const adapters = s.adapters.list();
    return {
      object: 'list',
      data: [
        card(s.baseModelId, { root: s.modelDir }),
        ...adapters.map((a) =>
          card(a.id, {
            root: a.path,
            parent: s.baseModelId,
            loraledger: {
              state: a.state,
              reason: a.reason,
              rank: a.rank,
              description: a.description,
              tags: a.tags,
              owner: a.owner,
            },
          }),
        ),
        card(AUTO_MODEL, {
          parent: s.baseModelId,
          loraledger: {
            routing:
              "auto: the router picks an adapter per request from its prompt; the response's loraledger.adapter and loraledger.routed say which and why",
          },
        }),
      ],
    };
  };
  app.get(
    '/v1/models',
    { schema: { summary: 'List the base model, its adapters and "auto"', tags: ['models'] } },
    async () => list(),
  );
  // one card of the list, as OpenAI's models.retrieve reads it
  app.get<{ Params: { id: string } }>(
    '/v1/models/:id',
    { schema: { summary: 'One model: the base model, an adapter or "auto"', tags: ['models'] } },
    async (request) => {
      const card = list().data.find((m) => m.id === request.params.id);
      if (!card)
        throw new RequestError(
          'model_not_found',
          `The model "${request.params.id}" does not exist: use GET /v1/models for the list.`,
          { param: 'model' },
        );
      return card;
    },
  );
};
