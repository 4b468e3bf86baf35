// Tools for a model whose chat template does not render them (no template at all, or one that
// never mentions `tools`): the tools go into the system message as a plain block, assistant tool
// calls become text in the Hermes form, and tool results become user turns in <tool_response>, so
// the conversation reads as the hermes parser (the auto choice for such models) expects:
//
//   # Tools
//
//   You may call one or more functions to assist with the user query.
//
//   You are provided with function signatures within <tools></tools> XML tags:
//   <tools>
//   {"type": "function", "function": {"name": "get_weather", ...}}      (one tool per line)
//   </tools>
//
//   For each function call, return a json object with function name and arguments within
//   <tool_call></tool_call> XML tags:
//   <tool_call>
//   {"name": <function-name>, "arguments": <args-json-object>}
//   </tool_call>
//
// (the wording of Qwen2.5's template, the second-to-last paragraph on one line). The block follows
// the system message's own text after a blank line; without a system message it is the system
// message. JSON is written as Python's json.dumps writes it (", " and ": "), as Jinja's tojson does.

/** An OpenAI function tool as the template sees it. */
export interface ChatTemplateTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

/** An assistant's tool call as the template sees it: arguments parsed into an object (as vLLM passes them). */
export interface ChatTemplateToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: unknown };
}

interface FlatMessage {
  role: string;
  content: string;
  tool_calls?: ChatTemplateToolCall[];
  tool_call_id?: string;
  name?: string;
}

/** JSON as Python's json.dumps(ensure_ascii=False) writes it (and so Jinja's tojson in HF templates). */
export function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}

export function plainToolsBlock(tools: readonly ChatTemplateTool[]): string {
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
    'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
    tools.map(pyJson).join('\n') +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
    '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
  );
}

/** A call in the Hermes form, as the model is asked to write it. */
export function hermesCallText(c: ChatTemplateToolCall): string {
  return `<tool_call>\n{"name": ${JSON.stringify(c.function.name)}, "arguments": ${pyJson(c.function.arguments)}}\n</tool_call>`;
}

/** Messages with the tools block in the system message and tool traffic as plain text turns. */
export function withPlainTools(messages: readonly FlatMessage[], tools: readonly ChatTemplateTool[]): FlatMessage[] {
  const block = plainToolsBlock(tools);
  const out: FlatMessage[] = [];
  let afterTool = false;
  for (const m of messages) {
    const wasTool = afterTool;
    afterTool = m.role === 'tool';
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
      const calls = m.tool_calls.map(hermesCallText).join('\n');
      out.push({ role: 'assistant', content: m.content ? `${m.content}\n${calls}` : calls });
    } else if (m.role === 'tool') {
      const reply = `<tool_response>\n${m.content}\n</tool_response>`;
      const prev = out.at(-1);
      if (wasTool && prev)
        prev.content += `\n${reply}`; // consecutive results share one user turn
      else out.push({ role: 'user', content: reply });
    } else out.push({ role: m.role, content: m.content });
  }
  if (out[0]?.role === 'system') out[0] = { role: 'system', content: `${out[0].content}\n\n${block}` };
  else out.unshift({ role: 'system', content: block });
  return out;
}
