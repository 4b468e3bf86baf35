// The tool traffic inside chat messages, checked and put in the shape chat templates read:
//   assistant {content: null, tool_calls: [{id, type: "function", function: {name, arguments: "<JSON>"}}]}
//     -> tool_calls with arguments parsed into an object (HF templates write `arguments | tojson`;
//        vLLM parses them the same way before rendering)
//   tool {tool_call_id, content} -> kept, tool_call_id required
// Mistakes are 400s naming messages[i]....
import { RequestError } from '../../../common/index.ts';
import type { ChatMessage } from '../../ports.ts';

const bad = (param: string, message: string) => new RequestError('invalid_request', message, { param });
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A request message as the schema lets it through. */
export interface RequestMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

/** The tool fields of messages[i] (empty for a message without any). */
export function toolFields(m: RequestMessage, i: number): Pick<ChatMessage, 'tool_calls' | 'tool_call_id'> {
  const at = `messages[${i}]`;
  if (m.content == null && !(m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0))
    throw bad(`${at}.content`, `${at}.content is missing: only an assistant message with tool_calls may omit it`);
  if (m.role === 'tool') {
    if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '')
      throw bad(`${at}.tool_call_id`, `${at} has role "tool" and needs tool_call_id: the id of the call it answers`);
    return { tool_call_id: m.tool_call_id };
  }
  if (m.tool_calls == null) return {};
  if (m.role !== 'assistant') throw bad(`${at}.tool_calls`, `${at}.tool_calls is only allowed on assistant messages`);
  if (!Array.isArray(m.tool_calls)) throw bad(`${at}.tool_calls`, `${at}.tool_calls must be a list`);
  return {
    tool_calls: m.tool_calls.map((c, j) => {
      const cat = `${at}.tool_calls[${j}]`;
      if (!isObject(c) || (c.type !== undefined && c.type !== 'function') || !isObject(c.function))
        throw bad(cat, `${cat} must be {"id", "type": "function", "function": {"name", "arguments"}}`);
      const { name, arguments: args } = c.function;
      if (typeof name !== 'string' || name === '') throw bad(`${cat}.function.name`, `${cat}.function.name is missing`);
      let parsed: unknown = {};
      if (args != null && args !== '') {
        if (typeof args !== 'string')
          throw bad(`${cat}.function.arguments`, `${cat}.function.arguments must be a string of JSON`);
        try {
          parsed = JSON.parse(args);
        } catch (err) {
          throw bad(
            `${cat}.function.arguments`,
            `${cat}.function.arguments is not valid JSON: ${(err as Error).message}`,
          );
        }
      }
      return {
        ...(typeof c.id === 'string' ? { id: c.id } : {}),
        type: 'function' as const,
        function: { name, arguments: parsed },
      };
    }),
  };
}
