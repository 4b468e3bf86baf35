// POST /v1/completions (OpenAI legacy completions + vLLM extras), stream or not.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CompletionBody, Responses } from '../schemas.ts';
import { planCompletion } from '../planRequest.ts';
import { serveCompletion } from '../serveCompletion.ts';

export const completionsRoute: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/v1/completions', {
    schema: {
      summary: 'Create a completion (base model, an adapter, or "auto")',
      tags: ['generation'],
      body: CompletionBody,
      response: Responses,
    },
  }, async (request, reply) => {
    const s = app.loraledger;
    const plan = await planCompletion(request.body, s.planDeps());
    return serveCompletion(s, request, reply, plan, { stream: request.body.stream ?? false, includeUsage: request.body.stream_options?.include_usage ?? false });
  });
};
