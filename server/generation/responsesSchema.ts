// The body of POST /v1/responses (OpenAI's Responses API), declared once (TypeBox): Fastify validates
// HTTP bodies with it and the WebSocket handler its `"type": "responses"` bodies. Input items are
// checked item by item in responsesRequest.ts, whose errors name `input[i]...`.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Optional field that may also be null ("not set"), as OpenAI accepts. */
const Opt = <T extends TSchema>(s: T) => Type.Optional(Type.Union([s, Type.Null()], { description: s.description }));

const Item = Type.Object({ type: Type.Optional(Type.String()) }, { additionalProperties: true });

const FunctionTool = Type.Object(
  {
    type: Type.String({
      description: '"function"; built-in tools (web_search, file_search, ...) are refused by name.',
    }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    description: Opt(Type.String()),
    parameters: Opt(Type.Object({}, { additionalProperties: true })),
    strict: Opt(Type.Boolean()),
  },
  { additionalProperties: true },
);

export const ResponsesBody = Type.Object(
  {
    model: Type.String({ minLength: 1, description: 'Base model id, an adapter id, or "auto".' }),
    input: Type.Union([Type.String(), Type.Array(Item)], {
      description: 'A user message, or items: messages, function_call and function_call_output items.',
    }),
    instructions: Opt(Type.String({ description: 'A system message put first; not carried to a follow-up.' })),
    previous_response_id: Opt(Type.String({ description: 'Continue the conversation of a stored response.' })),
    store: Opt(Type.Boolean({ description: 'Keep this response for previous_response_id and GET. Default true.' })),
    max_output_tokens: Opt(Type.Integer({ minimum: 1, description: 'Most tokens to generate.' })),
    temperature: Opt(Type.Number({ minimum: 0, maximum: 2 })),
    top_p: Opt(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    top_logprobs: Opt(Type.Integer({ minimum: 0, maximum: 20 })),
    include: Opt(Type.Array(Type.String())),
    tools: Opt(Type.Array(FunctionTool)),
    tool_choice: Opt(Type.Union([Type.String(), Type.Object({ type: Type.String() }, { additionalProperties: true })])),
    parallel_tool_calls: Opt(Type.Boolean()),
    text: Opt(
      Type.Object(
        { format: Opt(Type.Object({ type: Type.String() }, { additionalProperties: true })) },
        { additionalProperties: true },
      ),
    ),
    truncation: Opt(Type.String()),
    metadata: Opt(Type.Record(Type.String(), Type.String())),
    user: Opt(Type.String({ maxLength: 256 })),
    stream: Opt(Type.Boolean()),
  },
  { additionalProperties: true },
);
export type ResponsesBody = Static<typeof ResponsesBody>;
