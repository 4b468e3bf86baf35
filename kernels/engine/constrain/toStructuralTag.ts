// ConstraintSpec -> what xgrammar's GrammarCompiler compiles. A spec without a regex is one EBNF
// grammar (toEbnf.ts). A regex stays a `regex` leaf of a structural tag (xgrammar converts it), glued
// to the rest by `sequence` / `or`; every regex-free subtree is a `grammar` leaf. A repeat's item
// must then be regex-free (validateConstraint refuses the rest).
import type { ConstraintSpec } from './constraintSpec.ts';
import { toEbnf, type SchemaToEbnf } from './toEbnf.ts';

export type Compilable = { kind: 'ebnf'; ebnf: string } | { kind: 'structural_tag'; json: string };

export function hasRegex(spec: ConstraintSpec): boolean {
  switch (spec.type) {
    case 'regex':
      return true;
    case 'sequence':
      return spec.parts.some(hasRegex);
    case 'one_of':
      return spec.options.some(hasRegex);
    case 'repeat':
      return hasRegex(spec.item);
    default:
      return false;
  }
}

export async function toCompilable(spec: ConstraintSpec, schemaToEbnf: SchemaToEbnf): Promise<Compilable> {
  if (!hasRegex(spec)) return { kind: 'ebnf', ebnf: await toEbnf(spec, schemaToEbnf) };
  type Format = Record<string, unknown>;
  const format = async (s: ConstraintSpec): Promise<Format> => {
    if (!hasRegex(s)) return { type: 'grammar', grammar: await toEbnf(s, schemaToEbnf) };
    if (s.type === 'regex') return { type: 'regex', pattern: s.pattern };
    if (s.type === 'sequence') return { type: 'sequence', elements: await Promise.all(s.parts.map(format)) };
    if (s.type === 'one_of') return { type: 'or', elements: await Promise.all(s.options.map(format)) };
    throw new Error(`${s.type} around a regex has no structural-tag form`);
  };
  return { kind: 'structural_tag', json: JSON.stringify({ type: 'structural_tag', format: await format(spec) }) };
}

/** JSON with object keys sorted: equal specs give equal keys (the compiled-grammar cache key). */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}
