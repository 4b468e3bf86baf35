// A JSON schema -> EBNF, by xgrammar's converter (whitespace fixed to `{"a": 1, "b": [2, 3]}`), with
// three rules tightened so that every string the grammar allows is JSON that JSON.parse reads back
// as the schema means it (found by test/structuredOutput.e2e.test.ts on sampled outputs):
//   - a string with minLength/maxLength: xgrammar's `[^"\\\r\n]` lets raw control characters (invalid
//     in JSON) through, and multi-byte characters came back longer than maxLength: printable ASCII only;
//   - numbers and integers: unbounded digit runs and exponents (`8e083...` reads as Infinity, and a
//     row may never stop): at most 15 integer digits, 15 fraction digits and a 2-digit exponent.
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
    let ebnf = await xg.Testings._jsonSchemaToEBNF(JSON.stringify(schema), false, -1, undefined, strict);
    for (const [from, to] of PATCHES) ebnf = ebnf.replaceAll(from, to);
    return ebnf;
  };
}

/** The patched rules, for the test that checks each still appears in the converter's output. */
export const JSON_GRAMMAR_PATCHES: ReadonlyArray<readonly [string, string]> = PATCHES;
