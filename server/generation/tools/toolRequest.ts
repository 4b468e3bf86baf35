// The tool fields of a chat request, checked and turned into what the rest of the pipeline needs:
//   tools              -> the list the chat template renders (every tool_choice, "none" included:
//                         vLLM also renders tools under "none" unless told to exclude them)
//   tool_choice        -> whether replies are parsed for calls ("none": no), and whether the
//                         syntax is enforced by constrained decoding ("required", a named function)
//   parallel_tool_calls -> one call, or one or more (default true, as OpenAI)
// Every mistake is a 400 naming the field (tools[i].function.parameters, tool_choice, ...).
import { Ajv } from 'ajv';
import { RequestError } from '../../../common/index.ts';
import type { ChatTemplateTool, ConstraintSpec } from '../../../kernels/index.ts';
import { TOOL_CALL_FORMATS, type ToolCallFormat, type ToolParserName } from './toolCallFormats.ts';
import { toolCallConstraint } from './toolConstraint.ts';

/** How a chat request's replies are read for tool calls (absent: they are not). */
export interface ToolPlan {
  format: ToolCallFormat;
  /** Function names a call may name. */
  names: string[];
  /**
   * The deltas reach the client (SSE, /v1/ws, the Responses API: the default): a call that breaks
   * after its start went out fails the run. false (a non-stream chat body, set by serveCompletion):
   * such a reply is returned as plain text.
   */
  streamed: boolean;
  /**
   * The family's marker is a special token of the served tokenizer (Mistral's [TOOL_CALLS], Hermes 2
   * Pro's <tool_call>): the reply is detokenized keeping special tokens, as vLLM's parsers ask.
   */
  keepSpecialTokens: boolean;
}

export interface ChatTools {
  /** What the chat template renders (undefined: no tools). */
  rendered: ChatTemplateTool[] | undefined;
  plan: ToolPlan | undefined;
  /** Set for tool_choice "required" or a named function. */
  constraint: ConstraintSpec | undefined;
}

/** The tool fields of the chat body, as the HTTP schema lets them through (shapes checked here). */
export interface ToolFields {
  tools?: unknown[] | null;
  tool_choice?: unknown;
  parallel_tool_calls?: boolean | null;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: true });

const bad = (param: string, message: string) => new RequestError('invalid_request', message, { param });
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function checkTool(t: unknown, i: number): ChatTemplateTool {
  const at = `tools[${i}]`;
  if (!isObject(t)) throw bad(at, `${at} must be an object {"type": "function", "function": {...}}`);
  if (t.type !== 'function')
    throw bad(`${at}.type`, `${at}.type is ${JSON.stringify(t.type)}; only "function" tools are supported`);
  const f = t.function;
  if (!isObject(f)) throw bad(`${at}.function`, `${at}.function must be an object {name, description?, parameters?}`);
  if (typeof f.name !== 'string' || !NAME.test(f.name))
    throw bad(`${at}.function.name`, `${at}.function.name must be 1-64 letters, digits, "_" or "-"`);
  if (f.description != null && typeof f.description !== 'string')
    throw bad(`${at}.function.description`, `${at}.function.description must be a string`);
  if (f.parameters != null) {
    if (!isObject(f.parameters))
      throw bad(`${at}.function.parameters`, `${at}.function.parameters must be a JSON schema object`);
    try {
      const { $schema: _draft, ...schema } = f.parameters; // 2020-12 as zod 4 writes it, or draft-07: both compile
      ajv.compile(schema);
    } catch (err) {
      throw bad(
        `${at}.function.parameters`,
        `${at}.function.parameters is not a valid JSON schema: ${(err as Error).message}`,
      );
    }
  }
  const fn: ChatTemplateTool['function'] = { name: f.name };
  if (typeof f.description === 'string') fn.description = f.description;
  if (f.parameters != null) fn.parameters = f.parameters as Record<string, unknown>;
  return { type: 'function', function: fn };
}

type Choice = 'none' | 'auto' | 'required' | { name: string };

function checkChoice(c: unknown, names: string[]): Choice {
  if (c == null) return names.length > 0 ? 'auto' : 'none';
  if (c === 'none' || c === 'auto' || c === 'required') {
    if (c !== 'none' && names.length === 0)
      throw bad('tool_choice', `tool_choice "${c}" needs tools: the request has none`);
    return c;
  }
  if (typeof c === 'string') throw bad('tool_choice', `tool_choice "${c}" is not one of "none", "auto", "required"`);
  const fn = isObject(c) && c.type === 'function' && isObject(c.function) ? c.function.name : undefined;
  if (typeof fn !== 'string')
    throw bad(
      'tool_choice',
      'tool_choice must be "none", "auto", "required" or {"type": "function", "function": {"name"}}',
    );
  if (!names.includes(fn))
    throw bad(
      'tool_choice',
      `tool_choice names the function "${fn}", which is not in tools (${names.join(', ') || 'none'})`,
    );
  return { name: fn };
}

/** `parser` is the server's --tool-call-parser (null: none); `isSpecial` tells the tokenizer's special tokens. */
export function planTools(
  body: ToolFields,
  parser: ToolParserName | null,
  isSpecial: (text: string) => boolean = () => false,
): ChatTools {
  const list = body.tools ?? [];
  if (!Array.isArray(list)) throw bad('tools', 'tools must be a list of function tools');
  const rendered = list.map(checkTool);
  const names = rendered.map((t) => t.function.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw bad('tools', `tools names the function "${dup}" twice`);
  const choice = checkChoice(body.tool_choice, names);
  if (body.parallel_tool_calls != null && typeof body.parallel_tool_calls !== 'boolean')
    throw bad('parallel_tool_calls', 'parallel_tool_calls must be true or false');
  const none = { rendered: rendered.length > 0 ? rendered : undefined, plan: undefined, constraint: undefined };
  if (choice === 'none') return none;
  if (parser === null)
    throw bad(
      'tool_choice',
      `tool_choice "${typeof choice === 'string' ? choice : choice.name}" needs a tool-call parser, and this server runs with --tool-call-parser none (use tool_choice "none")`,
    );
  const format = TOOL_CALL_FORMATS[parser];
  const constraint =
    choice === 'auto'
      ? undefined
      : toolCallConstraint(
          format,
          choice === 'required' ? rendered : rendered.filter((t) => t.function.name === choice.name),
          {
            parallel: typeof choice === 'string' && (body.parallel_tool_calls ?? true),
            paramOf: (name) => `tools[${names.indexOf(name)}].function.parameters`,
          },
        );
  return { rendered, plan: { format, names, streamed: true, keepSpecialTokens: isSpecial(format.marker) }, constraint };
}
