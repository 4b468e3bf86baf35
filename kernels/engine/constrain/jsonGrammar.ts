// A JSON schema -> EBNF, by xgrammar's converter (whitespace fixed to `{"a": 1, "b": [2, 3]}`), with
// three rules tightened so that every string the grammar allows is JSON that JSON.parse reads back
// as the schema means it (found by test/structuredOutput.e2e.test.ts on sampled outputs):
//   - a string with minLength/maxLength: xgrammar's `[^"\\\r\n]` lets raw control characters (invalid
//     in JSON) through, and multi-byte characters came back longer than maxLength: printable ASCII only;
//   - numbers and integers: unbounded digit runs and exponents (`8e083...` reads as Infinity, and a
//     row may never stop): at most 15 integer digits, 15 fraction digits and a 2-digit exponent;
//   - integers with `minimum`/`maximum`: xgrammar's ranges can be wrong ([0, 120] allowed 126), so
//     each bounded integer goes to xgrammar as a marker string constant and comes back as
//     ./integerRange.ts's exact expression.
import { randomBytes } from 'node:crypto';
import { integerRangeEbnf } from './integerRange.ts';
import type { XgrammarModule } from './loadXgrammar.ts';
import type { SchemaToEbnf } from './toEbnf.ts';

const PATCHES: Array<[string, string]> = [
  ['[^"\\\\\\r\\n]', '[ !#-\\[\\]-~]'],
  ['basic_integer ::= ("0" | "-"? [1-9] [0-9]*)', 'basic_integer ::= ("0" | "-"? [1-9] [0-9]{0,14})'],
  [
    'basic_number ::= "-"? ("0" | [1-9] [0-9]*) ("." [0-9]+)? ([eE] [+-]? [0-9]+)?',
    'basic_number ::= "-"? ("0" | [1-9] [0-9]{0,14}) ("." [0-9]{1,15})? ([eE] [+-]? [0-9]{1,2})?',
  ],
];

export function jsonSchemaToEbnf(xg: XgrammarModule): SchemaToEbnf {
  return async (schema, strict) => {
    const ranges: string[] = [];
    const nonce = randomBytes(6).toString('hex');
    const withMarkers = replaceBoundedIntegers(schema, (min, max) => {
      ranges.push(integerRangeEbnf(min, max));
      return { const: marker(nonce, ranges.length - 1) };
    });
    let ebnf = await xg.Testings._jsonSchemaToEBNF(JSON.stringify(withMarkers), false, -1, undefined, strict);
    for (const [from, to] of PATCHES) ebnf = ebnf.replaceAll(from, to);
    ranges.forEach((range, i) => {
      const literal = `"\\"${marker(nonce, i)}\\""`; // the constant as xgrammar writes it: "\"...\""
      if (!ebnf.includes(literal)) throw new Error(`jsonSchemaToEbnf: marker ${i} missing from xgrammar's output`);
      ebnf = ebnf.replaceAll(literal, range);
    });
    return ebnf;
  };
}

const marker = (nonce: string, i: number) => `__loraledger_integer_${nonce}_${i}__`;

/** Keywords whose values are data, not schemas: never rewritten. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/**
 * A copy of `schema` with every integer schema that has `minimum` or `maximum` replaced by
 * `replace(min, max)` (with a type list, by anyOf that and the other types).
 */
function replaceBoundedIntegers(
  schema: Record<string, unknown>,
  replace: (min: number | undefined, max: number | undefined) => Record<string, unknown>,
): Record<string, unknown> {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    const types = Array.isArray(o.type) ? (o.type as unknown[]) : [o.type];
    if (types.includes('integer') && (typeof o.minimum === 'number' || typeof o.maximum === 'number')) {
      const range = replace(o.minimum as number | undefined, o.maximum as number | undefined);
      const others = types.filter((t) => t !== 'integer'); // `type: ["integer", "null"]`: the rest, unbounded
      if (others.length === 0) return range;
      const rest = { ...o };
      delete rest.minimum;
      delete rest.maximum;
      return { anyOf: [range, walk({ ...rest, type: others.length === 1 ? others[0] : others })] };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, DATA_KEYWORDS.has(k) ? v : walk(v)]));
  };
  return walk(schema) as Record<string, unknown>;
}

/** The patched rules, for the test that checks each still appears in the converter's output. */
export const JSON_GRAMMAR_PATCHES: ReadonlyArray<readonly [string, string]> = PATCHES;
