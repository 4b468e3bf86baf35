// What a request asks the engine to constrain its output to. Plain JSON: it crosses the worker boundary
// inside GenerateRequest, and its canonical JSON keys the worker's compiled-grammar cache.
//
// validateConstraint runs on the main thread before a request is accepted: anything the engine would
// not enforce exactly (an unknown JSON-schema keyword, a regex feature without a grammar form) is a
// 400 naming it, so a constraint that is accepted is a constraint that holds.
import { RequestError } from '../../../common/index.ts';
import { hasRegex } from './toStructuralTag.ts';

export type ConstraintSpec =
  /** A strict JSON-schema subset (see JSON_SCHEMA_KEYWORDS); properties not listed are not generated. */
  | { type: 'json_schema'; schema: Record<string, unknown> }
  /** Any JSON object. */
  | { type: 'json_object' }
  /** The whole span matches the regex (implicitly anchored). */
  | { type: 'regex'; pattern: string }
  /** Exactly one of the strings. */
  | { type: 'choice'; choices: string[] }
  | { type: 'literal'; text: string }
  /** Concatenation. */
  | { type: 'sequence'; parts: ConstraintSpec[] }
  /** Alternation. */
  | { type: 'one_of'; options: ConstraintSpec[] }
  /** min..max items (max undefined: unbounded; then separator must be non-empty), separated by separator. */
  | { type: 'repeat'; item: ConstraintSpec; separator?: string; min: number; max?: number };

/** Keywords every schema may carry (annotations and composition the grammar compiler enforces). */
const COMMON_KEYWORDS = [
  'type',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'definitions',
  'title',
  'description',
  '$schema',
  '$id',
  '$comment',
  'default',
  'examples',
];
/** Keywords allowed per JSON type, on top of COMMON_KEYWORDS. */
const TYPE_KEYWORDS: Record<string, string[]> = {
  object: ['properties', 'required', 'additionalProperties'],
  array: ['items', 'minItems', 'maxItems'],
  string: ['minLength', 'maxLength', 'pattern'],
  // Bounds only on integers: the compiler's decimal ranges are not exact for fractional bounds.
  integer: ['minimum', 'maximum'],
  number: [],
  boolean: [],
  null: [],
};
export const JSON_SCHEMA_KEYWORDS: readonly string[] = [
  ...COMMON_KEYWORDS,
  ...new Set(Object.values(TYPE_KEYWORDS).flat()),
];

/** Limits that keep one request from building an unbounded grammar. */
const MAX_DEPTH = 32;
const MAX_REPEAT = 64;

/**
 * Throws RequestError (400, `param`) naming what the engine cannot enforce. Main thread, before the
 * request is accepted.
 */
export function validateConstraint(spec: ConstraintSpec, param: string): void {
  checkSpec(spec, param, 'constraint', 0);
}

function fail(param: string, message: string): never {
  throw new RequestError('invalid_request', message, { param });
}

function checkSpec(spec: ConstraintSpec, param: string, at: string, depth: number): void {
  if (depth > MAX_DEPTH) fail(param, `${param}: constraint nests deeper than ${MAX_DEPTH} at ${at}`);
  if (!spec || typeof spec !== 'object') fail(param, `${param}: ${at} is not a constraint object`);
  switch (spec.type) {
    case 'json_schema':
      if (!isObject(spec.schema)) fail(param, `${param}: the JSON schema must be an object`);
      checkSchema(spec.schema, param, '#', spec.schema, depth);
      return;
    case 'json_object':
      return;
    case 'regex':
      checkRegex(spec.pattern, param);
      return;
    case 'choice':
      if (!Array.isArray(spec.choices) || spec.choices.length === 0)
        fail(param, `${param}: choices must be a non-empty list of strings`);
      for (const c of spec.choices)
        if (typeof c !== 'string' || c.length === 0) fail(param, `${param}: every choice must be a non-empty string`);
      return;
    case 'literal':
      if (typeof spec.text !== 'string' || spec.text.length === 0)
        fail(param, `${param}: a literal must be a non-empty string (at ${at})`);
      return;
    case 'sequence':
    case 'one_of': {
      const list = spec.type === 'sequence' ? spec.parts : spec.options;
      if (!Array.isArray(list) || list.length === 0) fail(param, `${param}: ${spec.type} at ${at} is empty`);
      list.forEach((s, i) => checkSpec(s, param, `${at}.${spec.type}[${i}]`, depth + 1));
      return;
    }
    case 'repeat': {
      const { min, max, separator } = spec;
      if (!Number.isInteger(min) || min < 0 || min > MAX_REPEAT)
        fail(param, `${param}: repeat min must be an integer in 0..${MAX_REPEAT} (at ${at})`);
      if (max !== undefined && (!Number.isInteger(max) || max < Math.max(min, 1) || max > MAX_REPEAT))
        fail(param, `${param}: repeat max must be an integer in max(min, 1)..${MAX_REPEAT} (at ${at})`);
      if (separator !== undefined && typeof separator !== 'string')
        fail(param, `${param}: repeat separator must be a string (at ${at})`);
      if (max === undefined && !separator)
        fail(param, `${param}: an unbounded repeat needs a non-empty separator (at ${at})`);
      checkSpec(spec.item, param, `${at}.repeat`, depth + 1);
      if (hasRegex(spec.item)) fail(param, `${param}: a regex inside a repeat is not supported (at ${at})`);
      return;
    }
    default:
      fail(param, `${param}: unknown constraint type ${JSON.stringify((spec as { type?: unknown }).type)} at ${at}`);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Walks a schema; every keyword must be one the grammar compiler enforces for the schema's type(s). */
function checkSchema(s: unknown, param: string, at: string, root: Record<string, unknown>, depth: number): void {
  if (typeof s === 'boolean') return;
  if (!isObject(s)) fail(param, `${param}: the schema at ${at} must be an object or a boolean`);
  if (depth > MAX_DEPTH) fail(param, `${param}: the schema nests deeper than ${MAX_DEPTH} at ${at}`);
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  for (const t of types)
    if (typeof t !== 'string' || !(t in TYPE_KEYWORDS))
      fail(param, `${param}: unknown JSON schema type ${JSON.stringify(t)} at ${at}`);
  for (const key of Object.keys(s)) {
    if (COMMON_KEYWORDS.includes(key)) continue;
    const owner = Object.keys(TYPE_KEYWORDS).find((t) => TYPE_KEYWORDS[t].includes(key));
    if (
      owner === undefined ||
      (types.length > 0 && !types.includes(owner)) ||
      (types.length === 0 && owner !== 'object')
    )
      fail(
        param,
        `${param}: JSON schema keyword '${key}' at ${at} is not supported by constrained decoding` +
          (key === 'minimum' || key === 'maximum' ? ' (bounds are supported on integers only)' : '') +
          `; supported: ${JSON_SCHEMA_KEYWORDS.join(', ')}`,
      );
  }
  const sub = (x: unknown, where: string): void => checkSchema(x, param, where, root, depth + 1);
  if (s.properties !== undefined) {
    if (!isObject(s.properties)) fail(param, `${param}: 'properties' at ${at} must be an object`);
    for (const [k, v] of Object.entries(s.properties)) sub(v, `${at}/properties/${k}`);
  }
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string')))
    fail(param, `${param}: 'required' at ${at} must be a list of property names`);
  if (s.additionalProperties !== undefined) sub(s.additionalProperties, `${at}/additionalProperties`);
  if (s.items !== undefined) sub(s.items, `${at}/items`);
  if (s.anyOf !== undefined) {
    if (!Array.isArray(s.anyOf) || s.anyOf.length === 0) fail(param, `${param}: 'anyOf' at ${at} must be a list`);
    s.anyOf.forEach((x, i) => sub(x, `${at}/anyOf/${i}`));
  }
  for (const defs of ['$defs', 'definitions'] as const) {
    if (s[defs] === undefined) continue;
    if (!isObject(s[defs])) fail(param, `${param}: '${defs}' at ${at} must be an object`);
    for (const [k, v] of Object.entries(s[defs])) sub(v, `${at}/${defs}/${k}`);
  }
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0))
    fail(param, `${param}: 'enum' at ${at} must be a non-empty list`);
  if (s.$ref !== undefined) {
    const ref = s.$ref;
    if (typeof ref !== 'string' || !/^#\/(\$defs|definitions)\/[^/]+$/.test(ref) || resolveRef(root, ref) === undefined)
      fail(
        param,
        `${param}: '$ref' ${JSON.stringify(ref)} at ${at} must point into this schema's $defs or definitions`,
      );
  }
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems'])
    if (s[k] !== undefined && (!Number.isInteger(s[k]) || (s[k] as number) < 0))
      fail(param, `${param}: '${k}' at ${at} must be a non-negative integer`);
  for (const k of ['minimum', 'maximum'])
    if (s[k] !== undefined && !Number.isSafeInteger(s[k])) fail(param, `${param}: '${k}' at ${at} must be an integer`);
  if (typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.minimum > s.maximum)
    fail(param, `${param}: 'minimum' at ${at} is above 'maximum': no integer fits`);
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== 'string') fail(param, `${param}: 'pattern' at ${at} must be a string`);
    checkRegex(s.pattern, param);
    // The grammar puts the pattern's characters inside the JSON string unescaped: a pattern that can
    // match a quote, a backslash or a control character would yield invalid JSON.
    if (mayMatchUnsafe(s.pattern))
      fail(
        param,
        `${param}: JSON schema 'pattern' at ${at} may match a quote, backslash or control character ('.', '[^', \\S, \\W, \\D, \\s, '"' or an escaped backslash), which constrained decoding cannot keep valid JSON; list the allowed characters instead`,
      );
  }
}

/** Whether a JSON-string pattern can match '"', '\\' or a control character (conservative). */
function mayMatchUnsafe(pattern: string): boolean {
  const bare = pattern.replace(/\\./g, ''); // escape pairs removed: what is left is literal or syntax
  return /[."]|\[\^/.test(bare) || /\\[SWDs\\]/.test(pattern);
}

function resolveRef(root: Record<string, unknown>, ref: string): unknown {
  const [, defs, name] = ref.split('/');
  const table = root[defs];
  return isObject(table) ? table[name] : undefined;
}

/** Regex features with no grammar form (lookaround, backreferences) are refused by name. */
function checkRegex(pattern: unknown, param: string): void {
  if (typeof pattern !== 'string' || pattern.length === 0)
    fail(param, `${param}: the regex must be a non-empty string`);
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    fail(param, `${param}: invalid regex: ${err instanceof Error ? err.message : String(err)}`);
  }
  const unsupported: Array<[RegExp, string]> = [
    [/\(\?<?[=!]/, 'lookaround'],
    [/\\[1-9]|\\k</, 'backreferences'],
    [/\\[bB]/, 'word boundaries'],
    [/\\[pP]\{/, 'Unicode property classes'],
  ];
  for (const [re, name] of unsupported)
    if (re.test(pattern)) fail(param, `${param}: regex ${name} are not supported by constrained decoding`);
}
