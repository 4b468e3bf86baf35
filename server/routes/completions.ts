// POST /v1/completions (OpenAI legacy completions + vLLM extras) and POST /v1/chat/completions
// (OpenAI chat + vLLM extras), stream or not: one route shape, validated body -> plan ->
// serveCompletion; only the URL, schema and planner differ.
import type { FastifyPluginAsync } from 'fastify';
import type { Static, TObject } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ChatBody, CompletionBody, Responses } from '../http/schemas.ts';
import { planChat, planCompletion, type PlanDeps } from '../generation/planRequest.ts';
import type { CompletionPlan } from '../generation/runCompletion.ts';
import { serveCompletion } from '../generation/serveCompletion.ts';

type StreamFields = { stream?: boolean | null; stream_options?: { include_usage?: boolean | null } | null };

function generationRoute<B extends TObject>(
  url: string,
  summary: string,
  body: B,
  plan: (body: Static<B>, deps: PlanDeps) => Promise<CompletionPlan>,
): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<TypeBoxTypeProvider>().post(
      url,
      {
        schema: { summary, tags: ['generation'], body, response: Responses },
      },
      async (request, reply) => {
        const s = app.loraledger;
        const b = request.body as Static<B> & StreamFields;
        return serveCompletion(s, request, reply, await plan(b, s.planDeps(request.payer)), {
          stream: b.stream ?? false,
          includeUsage: b.stream_options?.include_usage ?? false,
        });
      },
    );
  };
}

export const completionsRoute = generationRoute(
  '/v1/completions',
  'Create a completion (base model, an adapter, or "auto")',
  CompletionBody,
  planCompletion,
);
export const chatCompletionsRoute = generationRoute(
  '/v1/chat/completions',
  'Create a chat completion (base model, an adapter, or "auto")',
  ChatBody,
  planChat,
);
