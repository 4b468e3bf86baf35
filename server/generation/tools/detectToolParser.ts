// --tool-call-parser auto: the family's syntax, read from the chat template text (the markers its
// tools section teaches the model). A model whose template says nothing about tool calls, or that has
// no template, gets hermes: the plain tools block the tokenizer adds for it asks for <tool_call>.
import { TOOL_PARSERS, type ToolParserName } from './toolCallFormats.ts';

export type ToolParserSetting = 'auto' | 'none' | ToolParserName;
export const TOOL_PARSER_SETTINGS: readonly ToolParserSetting[] = ['auto', 'none', ...TOOL_PARSERS];

export function detectToolParser(chatTemplate: string | null): ToolParserName {
  const t = chatTemplate ?? '';
  if (t.includes('[TOOL_CALLS]')) return 'mistral';
  if (t.includes('<tool_call>')) return 'hermes';
  if (t.includes('<|python_tag|>') || (t.includes('<|start_header_id|>') && t.includes('"parameters"')))
    return 'llama3_json';
  return 'hermes';
}

/** The parser the server uses for a setting: null = tool calls are not parsed (`none`). */
export function resolveToolParser(setting: ToolParserSetting, chatTemplate: string | null): ToolParserName | null {
  if (setting === 'none') return null;
  return setting === 'auto' ? detectToolParser(chatTemplate) : setting;
}
