// validateConstraint: what is accepted is what the engine enforces; the rest is a 400 naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConstraint, type ConstraintSpec } from './constraintSpec.ts';
import { loadXgrammar } from './loadXgrammar.ts';
import { JSON_GRAMMAR_PATCHES } from './jsonGrammar.ts';

const refused = (spec: unknown, message: RegExp) =>
  assert.throws(
    () => validateConstraint(spec as ConstraintSpec, 'response_format'),
    (e: Error & { code?: string; param?: string }) =>
      e.code === 'invalid_request' && e.param === 'response_format' && message.test(e.message),
    String(message),
  );
const schema = (s: Record<string, unknown>): ConstraintSpec => ({ type: 'json_schema', schema: s });

test('accepted: the supported JSON-schema subset and every combinator', () => {
  validateConstraint(
    schema({
      type: 'object',
      title: 'x',
      properties: {
        a: { type: ['string', 'null'], maxLength: 4, pattern: '^[a-z]\\d$' },
        b: { type: 'array', items: { $ref: '#/$defs/n' }, minItems: 1, maxItems: 3 },
        c: { anyOf: [{ const: 1 }, { enum: ['x', 'y'] }] },
      },
      required: ['a', 'b', 'c'],
      additionalProperties: false,
      $defs: { n: { type: 'integer', minimum: 0, maximum: 9 } },
    }),
    'response_format',
  );
  const item: ConstraintSpec = { type: 'choice', choices: ['a', 'b'] };
  validateConstraint(
    {
      type: 'sequence',
      parts: [
        { type: 'literal', text: '<x>' },
        { type: 'one_of', options: [item, { type: 'regex', pattern: '[0-9]+' }] },
        { type: 'repeat', item, separator: ',', min: 0 },
        { type: 'repeat', item, min: 1, max: 3 },
      ],
    },
    'tool_choice',
  );
});

test('refused by name: unsupported keywords, unsafe patterns, bad combinators', () => {
  refused(schema({ type: 'object', patternProperties: {} }), /'patternProperties' at # is not supported/);
  refused(schema({ type: 'object', properties: { x: { oneOf: [] } } }), /'oneOf' at #\/properties\/x/);
  refused(schema({ type: 'string', format: 'date' }), /'format'/);
  refused(schema({ type: 'number', maximum: 2 }), /'maximum' .*integers only/);
  refused(schema({ type: 'string', minItems: 1 }), /'minItems'/);
  refused(schema({ type: 'integer', minimum: 0.5 }), /'minimum' .*must be an integer/);
  refused(schema({ type: 'integer', minimum: 5, maximum: 4 }), /'minimum' .*is above 'maximum'/);
  refused(schema({ type: 'date' }), /unknown JSON schema type "date"/);
  refused(schema({ $ref: '#/$defs/missing' }), /'\$ref' "#\/\$defs\/missing"/);
  refused(schema({ $ref: 'http://x/y' }), /must point into this schema/);
  refused(schema({ type: 'string', pattern: 'a.b' }), /may match a quote/);
  refused(schema({ type: 'string', pattern: '[^x]+' }), /may match a quote/);
  refused({ type: 'regex', pattern: 'a(?!b)' }, /lookaround/);
  refused({ type: 'regex', pattern: '(a)\\1' }, /backreferences/);
  refused({ type: 'regex', pattern: '(' }, /invalid regex/);
  refused({ type: 'choice', choices: [] }, /non-empty list/);
  refused({ type: 'literal', text: '' }, /non-empty string/);
  refused({ type: 'sequence', parts: [] }, /sequence at constraint is empty/);
  refused(
    { type: 'repeat', item: { type: 'literal', text: 'a' }, min: 0 },
    /unbounded repeat needs a non-empty separator/,
  );
  refused({ type: 'repeat', item: { type: 'literal', text: 'a' }, min: 3, max: 2 }, /repeat max/);
  refused({ type: 'repeat', item: { type: 'regex', pattern: 'a' }, min: 1, max: 2 }, /regex inside a repeat/);
  refused({ type: 'grammar' }, /unknown constraint type "grammar"/);
});

test("the JSON grammar's patches still match the pinned xgrammar converter's rules", async () => {
  const xg = loadXgrammar();
  const ebnf = await xg.Testings._jsonSchemaToEBNF(
    JSON.stringify({ type: 'object', properties: { s: { type: 'string', maxLength: 3 } }, required: ['s'] }),
    false,
    -1,
  );
  for (const [from] of JSON_GRAMMAR_PATCHES) assert.ok(ebnf.includes(from), `rule not found: ${from}`);
});
