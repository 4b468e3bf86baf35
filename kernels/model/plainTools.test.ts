// Tools for models whose template does not render them: the plain fallback (no template:
// stories260K) and a ChatML template without a tools section (SmolLM2's). Expected text by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from './loadTokenizer.ts';
import { pyJson } from './plainTools.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const TOOL = {
  type: 'function' as const,
  function: { name: 'add', parameters: { type: 'object', properties: { a: { type: 'integer' } } } },
};
const BLOCK =
  '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
  '{"type": "function", "function": {"name": "add", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}}\n' +
  '</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>';
const CONVERSATION = [
  { role: 'user', content: 'add 2' },
  {
    role: 'assistant',
    content: '',
    tool_calls: [{ type: 'function' as const, function: { name: 'add', arguments: { a: 2 } } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '4' },
];

test('pyJson writes JSON as json.dumps does', () => {
  assert.equal(pyJson({ a: [1, 'é', { b: null }], c: true }), '{"a": [1, "é", {"b": null}], "c": true}');
});

test('no chat template (stories260K): the plain fallback gets the tools block as a system line', async () => {
  const tok = await loadTokenizer(STORIES);
  assert.equal(
    tok.renderChat(CONVERSATION, { tools: [TOOL] }),
    `system: ${BLOCK}\nuser: add 2\nassistant: <tool_call>\n{"name": "add", "arguments": {"a": 2}}\n</tool_call>\n` +
      'user: <tool_response>\n4\n</tool_response>\nassistant:',
  );
});

test('a template without a tools section (SmolLM2 ChatML): the block joins the system message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smol-'));
  try {
    mkdirSync(join(dir, 'm'));
    copyFileSync(join(STORIES, 'tokenizer.json'), join(dir, 'm', 'tokenizer.json'));
    const smol =
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}" +
      "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    writeFileSync(join(dir, 'm', 'tokenizer_config.json'), JSON.stringify({ chat_template: smol }));
    const tok = await loadTokenizer(join(dir, 'm'));
    assert.equal(
      tok.renderChat([{ role: 'system', content: 'Be exact.' }, ...CONVERSATION], { tools: [TOOL] }),
      `<|im_start|>system\nBe exact.\n\n${BLOCK}<|im_end|>\n<|im_start|>user\nadd 2<|im_end|>\n` +
        '<|im_start|>assistant\n<tool_call>\n{"name": "add", "arguments": {"a": 2}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\n<tool_response>\n4\n</tool_response><|im_end|>\n<|im_start|>assistant\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
