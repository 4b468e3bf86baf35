// Tool-call parsing on recorded-style outputs of each family (Hermes/Qwen2.5, Llama 3.1 JSON,
// Mistral), malformed ones included, whole and streamed with a chunk boundary at every position.
// Expected values are written out by hand from the family's documented format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOOL_CALL_FORMATS, type ToolParserName } from './toolCallFormats.ts';
import { ToolCallStream, newToolCallId, type ToolCallEvent } from './toolCallStream.ts';
import { foldToolEvents, parseToolCalls, type ParsedReply } from './parseToolCalls.ts';
import { detectToolParser } from './detectToolParser.ts';

const known = (n: string) => ['get_weather', 'get_time', 'search'].includes(n);
let ids = 0;
const fixedId = () => `call_${++ids}`;

function parse(family: ToolParserName, text: string, truncated = false): ParsedReply {
  ids = 0;
  return parseToolCalls(text, TOOL_CALL_FORMATS[family], { isKnown: known, truncated, newId: fixedId });
}

const call = (i: number, name: string, args: string) => ({
  id: `call_${i}`,
  type: 'function' as const,
  function: { name, arguments: args },
});

interface Case {
  family: ToolParserName;
  what: string;
  text: string;
  want: { content: string | null; calls: ReturnType<typeof call>[]; invalid?: RegExp };
  truncated?: boolean;
}

const CASES: Case[] = [
  // --- hermes (Qwen2.5-7B-Instruct / Hermes-2-Pro style) ---
  {
    family: 'hermes',
    what: 'one call, Qwen2.5 layout',
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call>',
    want: { content: null, calls: [call(1, 'get_weather', '{"city": "Paris", "unit": "celsius"}')] },
  },
  {
    family: 'hermes',
    what: 'text before, two parallel calls, nested arguments with braces in strings',
    text:
      'Let me check both.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "São Paulo", "note": "a } in {text}"}}\n</tool_call>\n' +
      '<tool_call>\n{"arguments": {"tz": "Europe/Paris", "list": [1, {"a": "\\"q\\""}]}, "name": "get_time"}\n</tool_call>',
    want: {
      content: 'Let me check both.',
      calls: [
        call(1, 'get_weather', '{"city": "São Paulo", "note": "a } in {text}"}'),
        call(2, 'get_time', '{"tz": "Europe/Paris", "list": [1, {"a": "\\"q\\""}]}'),
      ],
    },
  },
  {
    family: 'hermes',
    what: 'arguments given as a JSON string, no arguments at all',
    text: '<tool_call>{"name": "search", "arguments": "{\\"q\\": \\"lora\\"}"}</tool_call><tool_call>{"name": "get_time"}</tool_call>',
    want: { content: null, calls: [call(1, 'search', '{"q": "lora"}'), call(2, 'get_time', '{}')] },
  },
  {
    family: 'hermes',
    what: 'no call: plain text with a lone < and a partial marker at the end stays exactly as written',
    text: '  a < b and <tool but not a call <tool_',
    want: { content: '  a < b and <tool but not a call <tool_', calls: [] },
  },
  {
    family: 'hermes',
    what: 'malformed: unknown function -> the block is plain text',
    text: 'Sure. <tool_call>\n{"name": "launch_rocket", "arguments": {}}\n</tool_call>',
    want: { content: 'Sure. <tool_call>\n{"name": "launch_rocket", "arguments": {}}\n</tool_call>', calls: [] },
  },
  {
    family: 'hermes',
    what: 'malformed: marker not followed by an object -> plain text',
    text: 'I would use <tool_call> tags here.',
    want: { content: 'I would use <tool_call> tags here.', calls: [] },
  },
  {
    family: 'hermes',
    what: 'malformed: bad JSON inside the arguments -> whole reply plain text',
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": Paris}}\n</tool_call>',
    want: {
      content: '<tool_call>\n{"name": "get_weather", "arguments": {"city": Paris}}\n</tool_call>',
      calls: [],
      invalid: /not valid JSON/,
    },
  },
  {
    family: 'hermes',
    what: 'malformed: unclosed call at the end of the reply -> plain text',
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par',
    want: {
      content: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par',
      calls: [],
      invalid: /not closed/,
    },
  },
  {
    family: 'hermes',
    what: 'cut by max_tokens inside the arguments: the call stays with what was written',
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par',
    truncated: true,
    want: { content: null, calls: [call(1, 'get_weather', '{"city": "Par')] },
  },
  {
    family: 'hermes',
    what: 'missing closing tag after a complete object (EOS): the call counts, as vLLM accepts it',
    text: '<tool_call>\n{"name": "get_time", "arguments": {"tz": "UTC"}}\n',
    want: { content: null, calls: [call(1, 'get_time', '{"tz": "UTC"}')] },
  },
  // --- llama3_json (Llama-3.1-8B-Instruct style) ---
  {
    family: 'llama3_json',
    what: 'python_tag then one call with parameters',
    text: '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Oslo"}}',
    want: { content: null, calls: [call(1, 'get_weather', '{"city": "Oslo"}')] },
  },
  {
    family: 'llama3_json',
    what: 'bare JSON (tag skipped as a special token), two calls separated by ;',
    text: '{"name": "get_weather", "parameters": {"city": "Oslo"}}; {"name": "get_time", "parameters": {"tz": "CET"}}',
    want: {
      content: null,
      calls: [call(1, 'get_weather', '{"city": "Oslo"}'), call(2, 'get_time', '{"tz": "CET"}')],
    },
  },
  {
    family: 'llama3_json',
    what: 'text first: no call (calls only open the reply)',
    text: 'The answer is {"name": "get_weather", "parameters": {}}',
    want: { content: 'The answer is {"name": "get_weather", "parameters": {}}', calls: [] },
  },
  {
    family: 'llama3_json',
    what: 'malformed: a JSON object that is not a call (no name) -> plain text',
    text: '{"city": "Oslo"} is what I found',
    want: { content: '{"city": "Oslo"} is what I found', calls: [] },
  },
  {
    family: 'llama3_json',
    what: 'malformed: trailing garbage inside the object -> plain text',
    text: '{"name": "get_time", "parameters": {"tz": "CET"} oops}',
    want: { content: '{"name": "get_time", "parameters": {"tz": "CET"} oops}', calls: [], invalid: /not valid JSON/ },
  },
  // --- mistral (Mistral-7B-Instruct-v0.3 style) ---
  {
    family: 'mistral',
    what: '[TOOL_CALLS] and a list of two calls',
    text: '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Rome"}}, {"name": "search", "arguments": {"q": "x"}}]',
    want: { content: null, calls: [call(1, 'get_weather', '{"city": "Rome"}'), call(2, 'search', '{"q": "x"}')] },
  },
  {
    family: 'mistral',
    what: 'marker skipped as a special token: bare list at the start',
    text: ' [{"name": "get_time", "arguments": {}}]',
    want: { content: null, calls: [call(1, 'get_time', '{}')] },
  },
  {
    family: 'mistral',
    what: 'a bracketed text that is not a call list stays text',
    text: '[1] is the first reference.',
    want: { content: '[1] is the first reference.', calls: [] },
  },
  {
    family: 'mistral',
    what: 'malformed: unknown function -> plain text',
    text: '[TOOL_CALLS][{"name": "nope", "arguments": {}}]',
    want: { content: '[TOOL_CALLS][{"name": "nope", "arguments": {}}]', calls: [] },
  },
];

for (const c of CASES) {
  test(`${c.family}: ${c.what}`, () => {
    const got = parse(c.family, c.text, c.truncated);
    assert.deepEqual(got.toolCalls, c.want.calls);
    assert.equal(got.content, c.want.content);
    if (c.want.invalid) assert.match(got.invalid ?? '', c.want.invalid);
    else assert.equal(got.invalid, null);
    for (const tc of got.toolCalls) if (!c.truncated) JSON.parse(tc.function.arguments); // parses
  });
}

/** Streams `text` split at `cuts`, returning the events and checking that what was held is released. */
function streamAt(family: ToolParserName, text: string, cuts: number[], truncated = false): ToolCallEvent[] {
  ids = 0;
  const s = new ToolCallStream(TOOL_CALL_FORMATS[family], known, fixedId);
  const events: ToolCallEvent[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    events.push(...s.push(text.slice(at, cut)));
    at = cut;
  }
  events.push(...s.finish(truncated));
  return events;
}

test('streaming: a chunk boundary at every position (and every character alone) gives the one-shot result', () => {
  for (const c of CASES) {
    const whole = parse(c.family, c.text, c.truncated);
    const single = [...Array(c.text.length).keys()].slice(1);
    const cutsList = [...single.map((i) => [i]), single];
    for (const cuts of cutsList) {
      const f = foldToolEvents(streamAt(c.family, c.text, cuts, c.truncated));
      const label = `${c.family} "${c.what}" cut at ${cuts.length === 1 ? cuts[0] : 'every char'}`;
      if (whole.invalid !== null) {
        assert.ok(f.invalid !== null, `${label}: the stream reports the malformed call`);
        continue;
      }
      assert.deepEqual(f.toolCalls, whole.toolCalls, label);
      assert.equal(f.content, whole.content, label);
    }
  }
});

test('streaming: the name comes first, then argument fragments, and a marker is never leaked as content', () => {
  const text = 'Checking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
  const events = streamAt('hermes', text, [...Array(text.length).keys()].slice(1));
  const kinds = events.map((e) => e.type);
  assert.equal(
    kinds.indexOf('call_start'),
    kinds.findIndex((k) => k !== 'content'),
  );
  assert.ok(kinds.filter((k) => k === 'call_args').length > 5, 'arguments arrive in many fragments');
  const content = events.flatMap((e) => (e.type === 'content' ? [e.text] : [])).join('');
  assert.equal(content, 'Checking.');
  assert.ok(!content.includes('<'), 'no part of <tool_call> was streamed as content');
});

test('streaming: fragments arrive as the model writes them, not only at the end', () => {
  ids = 0;
  const s = new ToolCallStream(TOOL_CALL_FORMATS.hermes, known, fixedId);
  assert.deepEqual(s.push('<tool_call>\n{"name": "get_weather", '), [
    { type: 'call_start', index: 0, id: 'call_1', name: 'get_weather' },
  ]);
  assert.deepEqual(s.push('"arguments": {"city": '), [{ type: 'call_args', index: 0, text: '{"city":' }]);
  assert.deepEqual(s.push('"Rome"}}'), [
    { type: 'call_args', index: 0, text: ' "Rome"}' },
    { type: 'call_end', index: 0, arguments: '{"city": "Rome"}' },
  ]);
  assert.deepEqual(s.push('\n</tool_call>'), []);
  assert.deepEqual(s.finish(false), []);
});

test('ids look like OpenAI call ids', () => {
  const id = newToolCallId();
  assert.match(id, /^call_[A-Za-z0-9]{24}$/);
  assert.notEqual(id, newToolCallId());
});

test('auto-detection from the chat template', () => {
  assert.equal(detectToolParser('... <tool_call>\\n{"name": ...'), 'hermes');
  assert.equal(detectToolParser('{%- if tools %}[AVAILABLE_TOOLS]...[TOOL_CALLS]'), 'mistral');
  assert.equal(detectToolParser('<|start_header_id|>ipython ... <|python_tag|>'), 'llama3_json');
  assert.equal(detectToolParser(null), 'hermes');
});
