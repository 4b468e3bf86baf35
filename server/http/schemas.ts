// Request schemas, declared once (TypeBox): Fastify validates HTTP bodies with them, the
// WebSocket handler validates its `body` with the same ones, and @fastify/swagger serves them at
// /docs. `nullable` (OpenAPI) lets clients send null for "not set", as OpenAI's API accepts.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Optional field that may also be null. */
const Opt = <T extends TSchema>(s: T) =>
  Type.Optional(
    Type.Unsafe<Static<T> | null>(
      s.type ? { ...s, nullable: true } : { anyOf: [s, { type: 'null' }], description: s.description },
    ),
  );

/** Structured outputs, enforced by constrained decoding (server/generation/structuredOutput.ts); at most one. */
const structuredOutput = {
  response_format: Opt(
    Type.Object(
      {
        type: Type.Union([Type.Literal('text'), Type.Literal('json_object'), Type.Literal('json_schema')]),
        json_schema: Opt(
          Type.Object(
            {
              name: Opt(Type.String()),
              description: Opt(Type.String()),
              schema: Opt(
                Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON schema (a strict subset).' }),
              ),
              strict: Opt(Type.Boolean()),
            },
            { additionalProperties: true },
          ),
        ),
      },
      { additionalProperties: true, description: 'text (default), json_object, or json_schema with a schema.' },
    ),
  ),
  guided_json: Opt(
    Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String()], {
      description: 'vLLM extension: a JSON schema (or its JSON text) the output must match.',
    }),
  ),
  guided_regex: Opt(Type.String({ minLength: 1, description: 'vLLM extension: a regex the whole output must match.' })),
  guided_choice: Opt(
    Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      maxItems: 1024,
      description: 'vLLM extension: the output is exactly one of these strings.',
    }),
  ),
};

const sampling = {
  model: Type.String({
    minLength: 1,
    description: 'Base model id, an adapter id, or "auto" (the router picks an adapter).',
  }),
  max_tokens: Opt(
    Type.Integer({
      minimum: 1,
      description: 'Most tokens to generate (completions default 16; chat default: the rest of the context).',
    }),
  ),
  temperature: Opt(Type.Number({ minimum: 0, maximum: 2, description: '0 = greedy. Default 1.' })),
  top_p: Opt(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Nucleus sampling mass. Default 1 (off).' })),
  top_k: Opt(
    Type.Integer({ minimum: -1, description: 'vLLM extension: keep the k most likely tokens (0 or -1 = off).' }),
  ),
  n: Opt(Type.Integer({ minimum: 1, maximum: 16, description: 'Choices to generate. Default 1.' })),
  seed: Opt(Type.Integer({ description: 'Same seed, same output (choice i uses seed + i).' })),
  stop: Opt(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { maxItems: 16 })], {
      description: 'Stop string(s), matched on the generated text and excluded from it.',
    }),
  ),
  user: Opt(Type.String({ maxLength: 256 })),
  stream: Opt(Type.Boolean()),
  stream_options: Opt(Type.Object({ include_usage: Opt(Type.Boolean()) })),
  logit_bias: Opt(
    Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Number({ minimum: -100, maximum: 100 }), {
      description: 'Token id (as a string) -> bias added to its logit before sampling, -100..100.',
    }),
  ),
  presence_penalty: Opt(
    Type.Number({
      minimum: -2,
      maximum: 2,
      description: "Subtracted once from the logit of every token already generated (OpenAI's formula). Default 0.",
    }),
  ),
  frequency_penalty: Opt(
    Type.Number({
      minimum: -2,
      maximum: 2,
      description: 'Subtracted from a logit once per time its token was generated so far. Default 0.',
    }),
  ),
  repetition_penalty: Opt(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 10,
      description:
        "vLLM extension: a prompt or generated token's logit l becomes l / p if l > 0, else l · p. Default 1 (off).",
    }),
  ),
  min_p: Opt(
    Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'vLLM extension: drop tokens less likely than min_p times the most likely one. Default 0 (off).',
    }),
  ),
  ignore_eos: Opt(Type.Boolean({ description: 'vLLM extension: keep generating past end-of-sequence.' })),
  return_token_ids: Opt(Type.Boolean({ description: 'vLLM extension: choices[i].token_ids (and prompt_token_ids).' })),
  ...structuredOutput,
};

const TokenIds = Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 });

export const CompletionBody = Type.Object(
  {
    ...sampling,
    prompt: Type.Union(
      [Type.String(), TokenIds, Type.Array(Type.String(), { minItems: 1 }), Type.Array(TokenIds, { minItems: 1 })],
      { description: 'Text, an array of token ids (no BOS added), an array of texts, or an array of token-id arrays.' },
    ),
    logprobs: Opt(
      Type.Integer({ minimum: 0, maximum: 20, description: 'Return this many top alternatives per token.' }),
    ),
    echo: Opt(Type.Boolean({ description: 'Prepend the prompt to the output text.' })),
  },
  { additionalProperties: true },
);
export type CompletionBody = Static<typeof CompletionBody>;

const TextPart = Type.Object({ type: Type.Literal('text'), text: Type.String() });
export const ChatMessageSchema = Type.Object({
  role: Type.Union([
    Type.Literal('system'),
    Type.Literal('developer'),
    Type.Literal('user'),
    Type.Literal('assistant'),
    Type.Literal('tool'),
  ]),
  content: Opt(
    Type.Union([Type.String(), Type.Array(TextPart)], {
      description: 'Text or text parts; null only on an assistant message with tool_calls.',
    }),
  ),
  name: Type.Optional(Type.String()),
  tool_calls: Opt(
    Type.Array(
      Type.Object(
        {
          id: Type.Optional(Type.String()),
          type: Type.Optional(Type.String()),
          function: Type.Object({ name: Type.String(), arguments: Opt(Type.String()) }, { additionalProperties: true }),
        },
        { additionalProperties: true },
      ),
      { description: 'Assistant: the calls it made; arguments is a string of JSON.' },
    ),
  ),
  tool_call_id: Opt(Type.String({ description: 'Tool: the id of the call this message answers.' })),
});

/** tools, tool_choice and parallel_tool_calls; shapes beyond these are checked by tools/toolRequest.ts (400 naming the field). */
const toolFields = {
  tools: Opt(
    Type.Array(
      Type.Object(
        {
          type: Type.String({ description: '"function" (the only kind served).' }),
          function: Type.Optional(
            Type.Object(
              {
                name: Type.String(),
                description: Opt(Type.String()),
                parameters: Opt(Type.Object({}, { additionalProperties: true, description: 'A JSON schema.' })),
                strict: Opt(Type.Boolean()),
              },
              { additionalProperties: true },
            ),
          ),
        },
        { additionalProperties: true },
      ),
      { maxItems: 128, description: 'Function tools, rendered through the chat template.' },
    ),
  ),
  tool_choice: Opt(
    Type.Union(
      [
        Type.String({ description: '"none" | "auto" | "required"' }),
        Type.Object({ type: Type.String(), function: Type.Optional(Type.Object({ name: Type.String() })) }),
      ],
      {
        description:
          'auto: calls parsed from the reply; none: tools rendered, nothing parsed; required / {"type": "function", "function": {"name"}}: a call enforced by constrained decoding.',
      },
    ),
  ),
  parallel_tool_calls: Opt(
    Type.Boolean({ description: 'tool_choice "required": one or more calls (true, default) or exactly one.' }),
  ),
};

export const ChatBody = Type.Object(
  {
    ...sampling,
    messages: Type.Array(ChatMessageSchema, { minItems: 1 }),
    ...toolFields,
    max_completion_tokens: Opt(
      Type.Integer({ minimum: 1, description: 'Same as max_tokens (newer OpenAI name); wins when both are set.' }),
    ),
    logprobs: Opt(Type.Boolean({ description: "Return each token's logprob." })),
    top_logprobs: Opt(
      Type.Integer({ minimum: 0, maximum: 20, description: 'Alternatives per token (needs logprobs: true).' }),
    ),
  },
  { additionalProperties: true },
);
export type ChatBody = Static<typeof ChatBody>;

const AdapterId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
  description: 'Adapter id: letters, digits, ".", "_", "-" (max 128).',
});

export const AddAdapterBody = Type.Object({
  id: AdapterId,
  path: Type.String({ minLength: 1, description: 'Adapter folder; must lie inside a configured adapter root.' }),
});
export const LoadLoraBody = Type.Object({ lora_name: AdapterId, lora_path: Type.String({ minLength: 1 }) });
export const UnloadLoraBody = Type.Object({ lora_name: AdapterId });
export const AdapterIdParams = Type.Object({ id: AdapterId });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      message: Type.String(),
      type: Type.String(),
      param: Type.Union([Type.String(), Type.Null()]),
      code: Type.String(),
    }),
  },
  { description: 'OpenAI error shape; `code` is a key of the error catalogue.' },
);

/** Route response docs: any 2xx body, and the OpenAI error shape for 4xx/5xx. */
export const Responses = {
  200: Type.Unknown({ description: 'See the README / OpenAI reference for the body.' }),
  '4xx': ErrorBody,
  '5xx': ErrorBody,
};
