// JSON Schemas of OpenAI's wire objects, generated at test time (ts-json-schema-generator) from
// the official `openai` npm package's own types, which OpenAI generates from its OpenAPI document.
// No npm package ships that document itself (see docs/api.md), and the project commits nothing
// fetched from outside, so these types are the pinned reference: the lockfile pins `openai`.
// Nothing here is written by hand except the list of SDK-only fields the wire never carries.
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import type OpenAI from 'openai';

/** Each wire object, by the `openai` type that describes it (the generator reads this file). */
export interface Wire {
  response: OpenAI.Responses.Response;
  inputItems: OpenAI.Responses.ResponseItemList;
  responseEvent: OpenAI.Responses.ResponseStreamEvent;
  chatCompletion: OpenAI.ChatCompletion;
  chatChunk: OpenAI.ChatCompletionChunk;
  completion: OpenAI.Completion;
  model: OpenAI.Model;
}
export type WireName = keyof Wire;

/** Properties the SDK adds on the client (never on the wire): not required of a server. */
const SDK_ONLY: Record<string, string[]> = { Response: ['output_text'] };

/**
 * One validator per wire object, and one per Responses stream event type (the member of the
 * ResponseStreamEvent union whose `type` it is). About 7 s: the generator reads the SDK's declarations.
 */
export function openaiWireValidators(): {
  wire: Record<WireName, ValidateFunction>;
  eventValidator: (type: string) => ValidateFunction | undefined;
} {
  const schema = createGenerator({
    path: fileURLToPath(import.meta.url),
    type: 'Wire',
    tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
    skipTypeCheck: true,
    expose: 'export',
    topRef: false,
    additionalProperties: true, // OpenAI adds fields over time; clients ignore unknown ones
  }).createSchema('Wire');
  const defs = schema.definitions as Record<string, { required?: string[] }>;
  for (const [name, fields] of Object.entries(SDK_ONLY)) {
    const d = defs[name]!;
    d.required = d.required?.filter((f) => !fields.includes(f));
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ ...schema, $id: 'wire' });
  const props = Object.keys(schema.properties ?? {}) as WireName[];
  const wire = Object.fromEntries(props.map((p) => [p, ajv.getSchema(`wire#/properties/${p}`)!]));
  const events = new Map<string, string>(); // event type -> definition name
  for (const member of (defs.ResponseStreamEvent as { anyOf: Array<{ $ref: string }> }).anyOf) {
    const name = member.$ref.replace('#/definitions/', '');
    const type = (defs[name] as { properties?: { type?: { const?: string } } }).properties?.type?.const;
    if (type) events.set(type, name);
  }
  return {
    wire: wire as Record<WireName, ValidateFunction>,
    eventValidator: (type) => {
      const name = events.get(type);
      return name ? ajv.getSchema(`wire#/definitions/${encodeURIComponent(name)}`) : undefined;
    },
  };
}
