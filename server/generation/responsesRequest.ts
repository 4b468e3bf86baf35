// A Responses request -> the chat request the one generation pipeline already runs (planChat):
//   previous_response_id -> that stored conversation first (its instructions are not carried over)
//   input (string | items) -> chat messages: message items, function_call items (assistant
//     tool_calls), function_call_output items (role "tool" messages)
//   instructions -> a system message first; max_output_tokens -> max_completion_tokens
//   tools {type: "function", name, parameters, strict} -> chat tools {type, function: {...}}
//   tool_choice {type: "function", name} -> {type: "function", function: {name}}
//   text.format -> response_format; top_logprobs -> logprobs + top_logprobs
// Built-in tools and inputs that need OpenAI's cloud (web search, files, images, ...) are refused by name.
import { LoraledgerError, RequestError } from '../../common/index.ts';
import type { ChatBody } from '../http/schemas.ts';
import type { ResponseStore, TurnMessage } from './responseStore.ts';
import type { ResponsesBody } from './responsesSchema.ts';

/** Sampling fields and loraledger/vLLM extras that pass to the chat request unchanged. */
const PASSED = [
  'model',
  'temperature',
  'top_p',
  'user',
  'parallel_tool_calls',
  'seed',
  'top_k',
  'min_p',
  'stop',
  'logit_bias',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'ignore_eos',
  'return_token_ids',
  'rag',
  'attribution',
] as const;

/** Fields OpenAI accepts that this server cannot honour. */
const REFUSED: Record<string, (v: unknown) => string | null> = {
  background: (v) => (v === true ? 'no background responses: send the request and wait, or stream' : null),
  truncation: (v) => (v === 'auto' ? 'no automatic truncation: shorten the input' : null),
  conversation: (v) => (v != null ? 'no server-side conversations: use previous_response_id' : null),
  prompt: (v) => (v != null ? 'no stored prompt templates' : null),
  reasoning: (v) =>
    v != null && (v as { effort?: unknown }).effort != null ? 'the served models do not reason' : null,
};

const bad = (param: string, message: string) => new RequestError('invalid_request', message, { param });

/** The chat request and the conversation (without instructions) it continues. */
export interface ChatTranslation {
  chat: ChatBody;
  history: TurnMessage[];
}

export function toChatRequest(body: ResponsesBody, store: ResponseStore): ChatTranslation {
  const raw = body as Record<string, unknown>;
  for (const [k, why] of Object.entries(REFUSED)) {
    const reason = why(raw[k]);
    if (reason) throw bad(k, `${k} is not supported by this server (${reason})`);
  }
  const prior = body.previous_response_id ? store.get(body.previous_response_id, 'previous_response_id').history : [];
  const history = [...prior, ...inputMessages(body.input, (id, param) => store.item(id, param))];
  const chat: Record<string, unknown> = {};
  for (const k of PASSED) if (raw[k] != null) chat[k] = raw[k];
  chat.messages = body.instructions ? [{ role: 'system', content: body.instructions }, ...history] : history;
  if (body.max_output_tokens != null) chat.max_completion_tokens = body.max_output_tokens;
  if (body.tools?.length) chat.tools = body.tools.map(chatTool);
  if (body.tool_choice != null) chat.tool_choice = chatToolChoice(body.tool_choice);
  const format = body.text?.format;
  if (format && format.type !== 'text') chat.response_format = chatFormat(format);
  const lp = body.top_logprobs ?? 0;
  if (lp > 0 || body.include?.includes('message.output_text.logprobs')) {
    chat.logprobs = true;
    chat.top_logprobs = lp;
  }
  return { chat: chat as unknown as ChatBody, history };
}

function chatTool(t: NonNullable<ResponsesBody['tools']>[number], i: number): unknown {
  if (t.type !== 'function')
    throw bad(
      `tools[${i}].type`,
      `tools[${i}].type "${t.type}" is a built-in tool that needs OpenAI's cloud; this server runs function tools only ({"type": "function", "name", "parameters"})`,
    );
  if (!t.name) throw bad(`tools[${i}].name`, `tools[${i}].name is required for a function tool`);
  const fn: Record<string, unknown> = { name: t.name };
  if (t.description != null) fn.description = t.description;
  if (t.parameters != null) fn.parameters = t.parameters;
  if (t.strict != null) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function chatToolChoice(c: NonNullable<ResponsesBody['tool_choice']>): unknown {
  if (typeof c === 'string') {
    if (c === 'auto' || c === 'none' || c === 'required') return c;
    throw bad('tool_choice', `tool_choice "${c}" is not one of "auto", "none", "required"`);
  }
  const name = (c as { name?: unknown }).name;
  if (c.type === 'function' && typeof name === 'string') return { type: 'function', function: { name } };
  throw bad('tool_choice', `tool_choice {"type": "${c.type}"} is not supported: use {"type": "function", "name"}`);
}

function chatFormat(f: NonNullable<NonNullable<ResponsesBody['text']>['format']>): unknown {
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type === 'json_schema') {
    const { type: _t, ...rest } = f as Record<string, unknown>;
    return { type: 'json_schema', json_schema: rest };
  }
  throw bad('text.format', `text.format.type "${f.type}" is not one of "text", "json_object", "json_schema"`);
}

type Part = { type?: string; text?: unknown; refusal?: unknown };

/** A message's content as text: a string, or its text parts joined. */
function contentText(content: unknown, at: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw bad(`${at}.content`, `${at}.content must be a string or an array of parts`);
  return (content as Part[])
    .map((p, j) => {
      if (p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') {
        if (typeof p.text !== 'string')
          throw bad(`${at}.content[${j}].text`, `${at}.content[${j}].text must be a string`);
        return p.text;
      }
      if (p.type === 'refusal' && typeof p.refusal === 'string') return p.refusal;
      throw bad(
        `${at}.content[${j}].type`,
        `${at}.content[${j}].type "${p.type}" is not supported: the served models read text only (input_text)`,
      );
    })
    .join('');
}

const ROLES = new Set(['user', 'assistant', 'system', 'developer']);

/**
 * Input items -> chat messages; function_call items join the assistant turn before them.
 * `item_reference` items stand for an output item of a stored response (`lookup`).
 */
export function inputMessages(
  input: ResponsesBody['input'],
  lookup: (itemId: string, param: string) => Record<string, unknown>,
): TurnMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const out: TurnMessage[] = [];
  input.forEach((raw, i) => {
    let item = raw as Record<string, unknown>;
    const at = `input[${i}]`;
    if (item.type === 'item_reference') {
      if (typeof item.id !== 'string') throw bad(`${at}.id`, `${at}.id must be a string (an item_reference item)`);
      item = lookup(item.id, `${at}.id`);
    }
    const type = item.type ?? 'message';
    const str = (k: string) => {
      if (typeof item[k] !== 'string') throw bad(`${at}.${k}`, `${at}.${k} must be a string (a ${type} item)`);
      return item[k] as string;
    };
    if (type === 'message') {
      const role = item.role as string;
      if (!ROLES.has(role)) throw bad(`${at}.role`, `${at}.role must be "user", "assistant", "system" or "developer"`);
      out.push({ role: role as 'user', content: contentText(item.content, at) });
    } else if (type === 'function_call') {
      const call = {
        id: str('call_id'),
        type: 'function' as const,
        function: { name: str('name'), arguments: str('arguments') },
      };
      const last = out.at(-1);
      if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
      else out.push({ role: 'assistant', content: '', tool_calls: [call] });
    } else if (type === 'function_call_output') {
      out.push({ role: 'tool', tool_call_id: str('call_id'), content: contentText(item.output, at) });
    } else {
      throw bad(
        `${at}.type`,
        `${at}.type "${String(type)}" is not supported: use message, function_call, function_call_output and item_reference items (or previous_response_id)`,
      );
    }
  });
  return out;
}

/** planChat names chat fields; a Responses caller sent the Responses names. */
const RENAMED: Record<string, string> = {
  messages: 'input',
  max_completion_tokens: 'max_output_tokens',
  max_tokens: 'max_output_tokens',
  response_format: 'text.format',
  logprobs: 'top_logprobs',
};

export function renameParam(err: unknown): unknown {
  if (!(err instanceof LoraledgerError) || !err.param || !(err.param in RENAMED)) return err;
  const param = RENAMED[err.param]!;
  const Ctor = err.constructor as typeof LoraledgerError;
  return new Ctor(err.code, err.message.replaceAll(err.param, param), { param, details: err.details, cause: err });
}
