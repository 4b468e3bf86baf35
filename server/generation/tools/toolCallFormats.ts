// The tool-call syntax of each model family, as vLLM's `--tool-call-parser` names them. One table
// serves the parser (toolCallStream.ts reads it) and the constraint that enforces tool_choice
// (toolConstraint.ts writes it), so what we force a model to write is exactly what we parse.
//
//   hermes       Hermes 2 Pro / Qwen2.5:  <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>
//                (one block per call, anywhere after some text)
//   llama3_json  Llama 3.1/3.2 JSON:      <|python_tag|>{"name": "f", "parameters": {...}}; {...}
//                (only at the start of the reply; the tag is optional)
//   mistral      Mistral (pre-v11):        [TOOL_CALLS][{"name": "f", "arguments": {...}}, {...}]
//
// `<|python_tag|>` and `[TOOL_CALLS]` are special tokens in their tokenizers, and the server's
// detokenizer skips special tokens, so both parsers also accept the calls without the marker at the
// very start of the reply (vLLM's llama3_json parser does the same for a bare `{`).

export type ToolParserName = 'hermes' | 'llama3_json' | 'mistral';
export const TOOL_PARSERS: readonly ToolParserName[] = ['hermes', 'llama3_json', 'mistral'];

export interface ToolCallFormat {
  name: ToolParserName;
  /** Text that opens a section of calls; held back while it may still be forming. */
  marker: string;
  /** The section may open without the marker at the start of the reply (a skipped special token). */
  bareAtStart: boolean;
  /** Sections only at the start of the reply (after whitespace); otherwise anywhere, repeatedly. */
  startOnly: boolean;
  /** Opens the list of calls after the marker ('[' for mistral). */
  listOpen: string;
  /** Between two calls of one section; null = one call per section. */
  separator: string | null;
  /** Closes a section ('' = the section ends at the first text that is not another call). */
  close: string;
  /** Key of the arguments object; `argsKeys` are every key accepted when parsing. */
  argsKey: string;
  argsKeys: readonly string[];
  /** How the constraint writes a call section: text before the first call, between calls, after the last. */
  emit: { open: string; between: string; end: string };
}

export const TOOL_CALL_FORMATS: Record<ToolParserName, ToolCallFormat> = {
  hermes: {
    name: 'hermes',
    marker: '<tool_call>',
    bareAtStart: false,
    startOnly: false,
    listOpen: '',
    separator: null,
    close: '</tool_call>',
    argsKey: 'arguments',
    argsKeys: ['arguments'],
    emit: { open: '<tool_call>\n', between: '\n</tool_call>\n<tool_call>\n', end: '\n</tool_call>' },
  },
  llama3_json: {
    name: 'llama3_json',
    marker: '<|python_tag|>',
    bareAtStart: true,
    startOnly: true,
    listOpen: '',
    separator: ';',
    close: '',
    argsKey: 'parameters',
    argsKeys: ['parameters', 'arguments'],
    emit: { open: '', between: '; ', end: '' },
  },
  mistral: {
    name: 'mistral',
    marker: '[TOOL_CALLS]',
    bareAtStart: true,
    startOnly: false,
    listOpen: '[',
    separator: ',',
    close: ']',
    argsKey: 'arguments',
    argsKeys: ['arguments'],
    emit: { open: '[TOOL_CALLS][', between: ', ', end: ']' },
  },
};
