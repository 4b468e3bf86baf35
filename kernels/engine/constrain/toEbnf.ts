// A regex-free ConstraintSpec -> one EBNF grammar (xgrammar's dialect: "lit", [class], ( | ), ?, *,
// {m,n}, rules `name ::= body`, root rule `root`).
//
//   literal                 -> "text"                       (escaped)
//   choice                  -> ("a" | "b")
//   json_schema/json_object -> the schema's EBNF from xgrammar, its rules renamed with a fresh prefix,
//                              whitespace fixed to `{"a": 1, "b": [2, 3]}` (any-whitespace would let a
//                              sampled row pad with spaces forever)
//   sequence                -> (a b c);  one_of -> (a | b)
//   repeat(item, s, min, max) -> r ::= item;  r ("s" r){min-1,max-1}, or ("s" r)* unbounded;
//                              min 0 wraps it in ( )?
import type { ConstraintSpec } from './constraintSpec.ts';

/** A JSON schema as EBNF text with root rule `root` (strict: only the listed properties). */
export type SchemaToEbnf = (schema: Record<string, unknown>, strict: boolean) => Promise<string>;

export async function toEbnf(spec: ConstraintSpec, schemaToEbnf: SchemaToEbnf): Promise<string> {
  const rules: string[] = [];
  let fresh = 0;
  const expr = async (s: ConstraintSpec): Promise<string> => {
    switch (s.type) {
      case 'literal':
        return quote(s.text);
      case 'choice':
        return `(${s.choices.map(quote).join(' | ')})`;
      case 'json_schema':
      case 'json_object': {
        const prefix = `c${fresh++}_`;
        const text =
          s.type === 'json_schema' ? await schemaToEbnf(s.schema, true) : await schemaToEbnf({ type: 'object' }, false);
        rules.push(renameRules(text, prefix));
        return `${prefix}root`;
      }
      case 'sequence':
        return `(${(await Promise.all(s.parts.map(expr))).join(' ')})`;
      case 'one_of':
        return `(${(await Promise.all(s.options.map(expr))).join(' | ')})`;
      case 'repeat': {
        const name = `c${fresh++}_item`;
        rules.push(`${name} ::= ${await expr(s.item)}`);
        const next = s.separator ? `(${quote(s.separator)} ${name})` : name;
        const lo = Math.max(s.min, 1) - 1;
        const more = s.max === undefined ? `${next}{${lo},}` : `${next}{${lo},${s.max - 1}}`;
        const body = `(${name} ${more})`;
        return s.min === 0 ? `${body}?` : body;
      }
      case 'regex':
        throw new Error('a regex has no EBNF form here: toStructuralTag keeps it as a regex leaf');
    }
  };
  const root = await expr(spec);
  return [`root ::= ${root}`, ...rules].join('\n');
}

/** An EBNF string literal. */
export function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Prefixes every rule name (definitions and references); skips string literals and char classes. */
export function renameRules(ebnf: string, prefix: string): string {
  let out = '';
  for (let i = 0; i < ebnf.length;) {
    const ch = ebnf[i]!;
    if (ch === '"' || ch === '[') {
      const close = ch === '"' ? '"' : ']';
      let j = i + 1;
      while (j < ebnf.length && ebnf[j] !== close) j += ebnf[j] === '\\' ? 2 : 1;
      out += ebnf.slice(i, j + 1);
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < ebnf.length && /[A-Za-z0-9_]/.test(ebnf[j]!)) j++;
      out += prefix + ebnf.slice(i, j);
      i = j;
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < ebnf.length && /[0-9]/.test(ebnf[j]!)) j++;
      out += ebnf.slice(i, j);
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
