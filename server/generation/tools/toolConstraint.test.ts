// The constraint that enforces tool_choice, written out by hand for each family, and its refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoraledgerError } from '../../../common/index.ts';
import { TOOL_CALL_FORMATS } from './toolCallFormats.ts';
import { toolCallConstraint } from './toolConstraint.ts';
import { planTools } from './toolRequest.ts';

const P = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
const TOOLS = [
  { type: 'function' as const, function: { name: 'search', parameters: P } },
  { type: 'function' as const, function: { name: 'now' } },
];
const EMPTY = { type: 'object', properties: {}, additionalProperties: false };
const paramOf = (n: string) => `tools[${n === 'search' ? 0 : 1}].function.parameters`;

test('hermes, one call of either tool', () => {
  assert.deepEqual(toolCallConstraint(TOOL_CALL_FORMATS.hermes, TOOLS, { parallel: false, paramOf }), {
    type: 'sequence',
    parts: [
      { type: 'literal', text: '<tool_call>\n' },
      {
        type: 'one_of',
        options: [
          {
            type: 'sequence',
            parts: [
              { type: 'literal', text: '{"name": "search", "arguments": ' },
              { type: 'json_schema', schema: P },
              { type: 'literal', text: '}' },
            ],
          },
          {
            type: 'sequence',
            parts: [
              { type: 'literal', text: '{"name": "now", "arguments": ' },
              { type: 'json_schema', schema: EMPTY },
              { type: 'literal', text: '}' },
            ],
          },
        ],
      },
      { type: 'literal', text: '\n</tool_call>' },
    ],
  });
});

test('llama3_json parallel: calls separated by "; ", no marker; mistral: a bracketed list', () => {
  const one = {
    type: 'sequence',
    parts: [
      { type: 'literal', text: '{"name": "search", "parameters": ' },
      { type: 'json_schema', schema: P },
      { type: 'literal', text: '}' },
    ],
  };
  assert.deepEqual(toolCallConstraint(TOOL_CALL_FORMATS.llama3_json, TOOLS.slice(0, 1), { parallel: true, paramOf }), {
    type: 'repeat',
    item: one,
    separator: '; ',
    min: 1,
  });
  const mistral = toolCallConstraint(TOOL_CALL_FORMATS.mistral, TOOLS.slice(0, 1), { parallel: false, paramOf });
  assert.deepEqual(mistral, {
    type: 'sequence',
    parts: [
      { type: 'literal', text: '[TOOL_CALLS][' },
      { ...one, parts: [{ type: 'literal', text: '{"name": "search", "arguments": ' }, ...one.parts.slice(1)] },
      { type: 'literal', text: ']' },
    ],
  });
});

test('planTools: auto parses without a constraint, none neither parses nor constrains, named constrains one tool', () => {
  const auto = planTools({ tools: TOOLS }, 'hermes');
  assert.equal(auto.constraint, undefined);
  assert.deepEqual(auto.plan?.names, ['search', 'now']);
  assert.equal(auto.rendered?.length, 2);
  const none = planTools({ tools: TOOLS, tool_choice: 'none' }, 'hermes');
  assert.equal(none.plan, undefined);
  assert.equal(none.constraint, undefined);
  assert.equal(none.rendered?.length, 2, 'tools are still rendered under "none", as vLLM does');
  const named = planTools({ tools: TOOLS, tool_choice: { type: 'function', function: { name: 'now' } } }, 'hermes');
  assert.match(JSON.stringify(named.constraint), /"name\\": \\"now\\"/);
  assert.doesNotMatch(JSON.stringify(named.constraint), /search/);
  assert.equal(planTools({}, 'hermes').rendered, undefined);
  // a marker that is a special token of the tokenizer is kept in the decoded reply
  const special = (t: string) => t === '[TOOL_CALLS]';
  assert.equal(planTools({ tools: TOOLS }, 'mistral', special).plan?.keepSpecialTokens, true);
  assert.equal(planTools({ tools: TOOLS }, 'hermes', special).plan?.keepSpecialTokens, false);
});

test('refusals name the field', () => {
  const refused = (f: () => unknown, param: string) =>
    assert.throws(f, (e) => e instanceof LoraledgerError && e.param === param && e.status === 400);
  refused(() => planTools({ tools: TOOLS, tool_choice: 'auto' }, null), 'tool_choice');
  refused(
    () =>
      planTools(
        {
          tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', not: {} } } }],
          tool_choice: 'required',
        },
        'hermes',
      ),
    'tools[0].function.parameters',
  );
  refused(
    () => planTools({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'maybe' }, 'hermes'),
    'tool_choice',
  );
  refused(() => planTools({ tools: [{ type: 'function' }] }, 'hermes'), 'tools[0].function');
});
