// A request body's structured-output fields -> the ConstraintSpec the engine enforces by constrained
// decoding (kernels/engine/constrain/). OpenAI's response_format, and vLLM's guided_* extras:
//
//   response_format {type: "text"}                               -> none
//   response_format {type: "json_object"}                        -> any JSON object
//   response_format {type: "json_schema", json_schema: {schema}} -> the schema (strict subset)
//   guided_json (a schema, or its JSON text)                     -> the schema
//   guided_regex                                                 -> the regex
//   guided_choice                                                -> exactly one of the strings
// At most one of them per request; anything the engine cannot enforce is a 400 naming it.
import { RequestError } from '../../common/index.ts';
import { validateConstraint, type ConstraintSpec } from '../../kernels/index.ts';

export interface StructuredOutputFields {
  response_format?: { type: string; json_schema?: { schema?: Record<string, unknown> | null } | null } | null;
  guided_json?: Record<string, unknown> | string | null;
  guided_regex?: string | null;
  guided_choice?: string[] | null;
}

const FIELDS = ['response_format', 'guided_json', 'guided_regex', 'guided_choice'] as const;

export function constraintFromBody(body: StructuredOutputFields): ConstraintSpec | undefined {
  const given = FIELDS.filter((k) => body[k] != null && !(k === 'response_format' && body[k]?.type === 'text'));
  if (given.length > 1)
    throw new RequestError('invalid_request', `${given.join(' and ')} cannot be combined: give one structured output`, {
      param: given[1],
    });
  const field = given[0];
  if (field === undefined) return undefined;
  const spec = toSpec(body, field);
  validateConstraint(spec, field);
  return spec;
}

function toSpec(body: StructuredOutputFields, field: (typeof FIELDS)[number]): ConstraintSpec {
  switch (field) {
    case 'response_format': {
      const rf = body.response_format!;
      if (rf.type === 'json_object') return { type: 'json_object' };
      if (rf.type !== 'json_schema')
        throw new RequestError(
          'invalid_request',
          `response_format.type ${JSON.stringify(rf.type)} is not one of text, json_object, json_schema`,
          {
            param: 'response_format',
          },
        );
      const schema = rf.json_schema?.schema;
      if (!schema || typeof schema !== 'object' || Array.isArray(schema))
        throw new RequestError('invalid_request', 'response_format.json_schema.schema must be a JSON schema object', {
          param: 'response_format',
        });
      return { type: 'json_schema', schema };
    }
    case 'guided_json': {
      let schema = body.guided_json!;
      if (typeof schema === 'string') {
        try {
          schema = JSON.parse(schema) as Record<string, unknown>;
        } catch {
          throw new RequestError('invalid_request', 'guided_json is a string that is not JSON', {
            param: 'guided_json',
          });
        }
      }
      if (!schema || typeof schema !== 'object' || Array.isArray(schema))
        throw new RequestError('invalid_request', 'guided_json must be a JSON schema object', { param: 'guided_json' });
      return { type: 'json_schema', schema };
    }
    case 'guided_regex':
      return { type: 'regex', pattern: body.guided_regex! };
    case 'guided_choice':
      return { type: 'choice', choices: body.guided_choice! };
  }
}
