// POST /tokenize and POST /detokenize, as vLLM serves them (no /v1 prefix): the served model's
// own tokenizer, so a client can count tokens or map ids back to text without loading it.
//
//   /tokenize   {model, prompt, add_special_tokens?}            -> {count, max_model_len, tokens}
//               {model, messages, tools?}  (the chat template, generation prompt appended; tools
//               rendered as chat completions render them)
//   /detokenize {model, tokens}                                 -> {prompt}
// `model` must name the base model, an adapter or "auto" (they share the tokenizer); an unknown one
// is 404 model_not_found, a token id outside the vocabulary 400 naming `tokens`.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { RequestError } from '../../common/index.ts';
import { ChatMessageSchema } from '../http/schemas.ts';
import { AUTO_MODEL, chatMessages } from '../generation/planRequest.ts';
import { planTools } from '../generation/tools/toolRequest.ts';

const TokenizeBody = Type.Union([
  Type.Object({
    model: Type.String({ minLength: 1 }),
    prompt: Type.String(),
    add_special_tokens: Type.Optional(Type.Boolean({ description: "Add the tokenizer's BOS (default true)." })),
  }),
  Type.Object({
    model: Type.String({ minLength: 1 }),
    messages: Type.Array(ChatMessageSchema, { minItems: 1 }),
    tools: Type.Optional(Type.Array(Type.Unknown(), { description: 'Function tools, as chat completions take them.' })),
  }),
]);
const DetokenizeBody = Type.Object({
  model: Type.String({ minLength: 1 }),
  tokens: Type.Array(Type.Integer({ minimum: 0 })),
});

export const tokenizeRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const served = (model: string) => {
    const s = app.loraledger;
    if (model !== s.baseModelId && model !== AUTO_MODEL && !s.adapters.get(model))
      throw new RequestError('model_not_found', `The model "${model}" does not exist (GET /v1/models).`, {
        param: 'model',
      });
    return s;
  };
  r.post(
    '/tokenize',
    {
      schema: {
        summary: "Token ids of a prompt or of chat messages (vLLM's /tokenize)",
        tags: ['tokens'],
        body: TokenizeBody,
      },
    },
    async (request) => {
      const s = served(request.body.model);
      const b = request.body;
      let tokens: number[];
      if ('messages' in b) {
        const { rendered } = planTools({ tools: b.tools, tool_choice: 'none' }, null);
        tokens = s.tokenizer.applyChatTemplate(chatMessages(b as Parameters<typeof chatMessages>[0]), {
          tools: rendered,
        });
      } else tokens = s.tokenizer.encode(b.prompt, { addSpecialTokens: b.add_special_tokens ?? true });
      const spec = s.engine.peek()?.spec;
      return { count: tokens.length, max_model_len: spec ? s.config.maxModelLen || spec.maxPositions : null, tokens };
    },
  );
  r.post(
    '/detokenize',
    { schema: { summary: "Text of token ids (vLLM's /detokenize)", tags: ['tokens'], body: DetokenizeBody } },
    async (request) => {
      const s = served(request.body.model);
      const vocab = s.engine.peek()?.spec.vocabSize;
      const bad = vocab === undefined ? -1 : request.body.tokens.findIndex((id) => id >= vocab);
      if (bad >= 0)
        throw new RequestError(
          'invalid_request',
          `tokens[${bad}] = ${request.body.tokens[bad]} is outside the vocabulary (0..${vocab! - 1})`,
          {
            param: 'tokens',
          },
        );
      return { prompt: s.tokenizer.decode(request.body.tokens) };
    },
  );
};
