// POST /v1/chat/completions (OpenAI chat + vLLM extras), stream or not.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ChatBody, Responses } from '../schemas.ts';
import { planChat } from '../planRequest.ts';
import { serveCompletion } from '../serveCompletion.ts';

export const chatCompletionsRoute: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/v1/chat/completions', {
    schema: {
      summary: 'Create a chat completion (base model, an adapter, or "auto")',
      tags: ['generation'],
      body: ChatBody,
      response: Responses,
    },
  }, async (request, reply) => {
    const s = app.loraledger;
    const plan = await planChat(request.body, s.planDeps());
    return serveCompletion(s, request, reply, plan, { stream: request.body.stream ?? false, includeUsage: request.body.stream_options?.include_usage ?? false });
  });
};
