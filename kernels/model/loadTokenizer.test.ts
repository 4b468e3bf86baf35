import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoraledgerError } from '../../common/index.ts';
import { corpusText } from '../../factory/index.ts';
import { loadTokenizer } from './loadTokenizer.ts';
import { writeBpeTokenizer } from '../../factory/index.ts';

/** An `added_tokens` entry of tokenizer.json for a special token. */
function specialToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'tok-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const bpeDir = join(root, 'bpe');
const ready = writeBpeTokenizer(bpeDir, { corpus: corpusText(), vocabSize: 2048, modelMaxLength: 1024 });

function code(e: unknown, c: string, re: RegExp): boolean {
  assert.ok(e instanceof LoraledgerError, String(e));
  assert.equal(e.code, c);
  assert.match(e.message, re);
  return true;
}

test('stories260K stand-in tokenizer: [i] tokens, specials, no chat template -> documented fallback', async () => {
  const tok = await loadTokenizer(STORIES);
  assert.equal(tok.vocabSize, 512);
  assert.equal(tok.bosTokenId, 1);
  assert.equal(tok.eosTokenId, 2);
  assert.equal(tok.hasChatTemplate, false);
  assert.deepEqual(tok.encode('[1] [5] [461] [2]'), [1, 5, 461, 2]);
  assert.equal(tok.decode([1, 5, 461, 2]), '[1] [5] [461] [2]');
  assert.equal(tok.decode([1, 5, 461, 2], { skipSpecialTokens: true }), '[5] [461]');
  assert.equal(tok.decode([]), '');
  assert.equal(
    tok.renderChat([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: '[5]' },
    ]),
    'system: be brief\nuser: [5]\nassistant:',
  );
  assert.equal(tok.renderChat([{ role: 'user', content: '[5]' }], { addGenerationPrompt: false }), 'user: [5]\n');
  const sd = tok.createStreamDecoder();
  assert.deepEqual(
    [5, 6, 461].map((i) => sd.push(i)),
    ['[5]', ' [6]', ' [461]'],
  );
  assert.equal(sd.flush(), '');
});

test('generated BPE tokenizer: ChatML template renders and tokenizes with single special ids', async () => {
  await ready;
  const tok = await loadTokenizer(bpeDir);
  assert.equal(tok.hasChatTemplate, true);
  const text = tok.renderChat([
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Hi ' },
        { type: 'text', text: 'there' },
      ],
    },
  ]);
  assert.equal(
    text,
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n',
  );
  const ids = tok.applyChatTemplate([{ role: 'user', content: 'Hi there' }]);
  assert.equal(ids[0], 1);
  assert.equal(ids.filter((i) => i === 1).length, 3);
  assert.equal(ids.filter((i) => i === 2).length, 2);
  assert.equal(tok.decode(ids), text);
  assert.equal(tok.tokenToId('<|im_end|>'), 2);
});

test('stream decoder emits only complete UTF-8 text and reassembles exactly', async () => {
  await ready;
  const tok = await loadTokenizer(bpeDir);
  const s = 'ok 🙂 日本語 — café\n';
  const ids = tok.encode(s);
  const sd = tok.createStreamDecoder();
  const parts = ids.map((i) => sd.push(i));
  parts.push(sd.flush());
  assert.equal(parts.join(''), s);
  for (const p of parts) assert.ok(!p.includes('\uFFFD'), `partial character leaked: ${JSON.stringify(parts)}`);
  // A stream cut in the middle of a character holds it back, then flush shows the replacement.
  const emoji = tok.encode('🙂');
  assert.ok(emoji.length > 1, 'the emoji is several byte tokens in this small vocab');
  const cut = tok.createStreamDecoder();
  assert.equal(cut.push(emoji[0]!), '');
  assert.match(cut.flush(), /\uFFFD/);
  const skip = tok.createStreamDecoder({ skipSpecialTokens: true });
  assert.equal([...tok.encode('Hi<|im_end|>')].map((i) => skip.push(i)).join('') + skip.flush(), 'Hi');
});

test('bad inputs: missing tokenizer.json, malformed JSON, bad messages', async () => {
  await ready;
  await assert.rejects(loadTokenizer(join(root, 'nothing')), (e) =>
    code(e, 'model_folder_invalid', /has no tokenizer\.json/),
  );
  const bad = join(root, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'tokenizer.json'), '{oops');
  await assert.rejects(loadTokenizer(bad), (e) => code(e, 'model_folder_invalid', /tokenizer\.json is not valid JSON/));
  const tok = await loadTokenizer(bpeDir);
  assert.throws(
    () => tok.renderChat([]),
    (e) => code(e, 'invalid_request', /messages must be a non-empty list/),
  );
  assert.throws(
    () => tok.renderChat([{ role: '', content: 'x' }]),
    (e) => code(e, 'invalid_request', /messages\[0\]\.role/),
  );
  assert.throws(
    () => tok.renderChat([{ role: 'user', content: [{ type: 'image_url' }] }]),
    (e) => code(e, 'invalid_request', /only text parts are supported/),
  );
});

test('Llama-style byte-fallback tokenizer: BOS once, byte tokens reassemble in the stream', async () => {
  // A minimal SentencePiece-BPE tokenizer.json as Llama 2 ships it: Prepend/Replace normalizer,
  // byte_fallback BPE with <0xNN> tokens, decoder Replace + ByteFallback + Fuse + Strip.
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  for (const t of ['▁', 'h', 'i', '▁h', '▁hi']) vocab[t] = Object.keys(vocab).length;
  const dir = join(root, 'llama-bf');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: ['<unk>', '<s>', '</s>'].map((content, id) => specialToken(id, content)),
      normalizer: {
        type: 'Sequence',
        normalizers: [
          { type: 'Prepend', prepend: '▁' },
          { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
        ],
      },
      pre_tokenizer: null,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [],
        special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
      },
      decoder: {
        type: 'Sequence',
        decoders: [
          { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
          { type: 'ByteFallback' },
          { type: 'Fuse' },
          { type: 'Strip', content: ' ', start: 1, stop: 0 },
        ],
      },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: '<unk>',
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: true,
        byte_fallback: true,
        ignore_merges: false,
        vocab,
        merges: ['▁ h', '▁h i'],
      },
    }),
  );
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      add_bos_token: true,
      tokenizer_class: 'LlamaTokenizer',
    }),
  );
  const tok = await loadTokenizer(dir);
  const ids = tok.encode('hi 🙂 hi');
  assert.deepEqual(
    ids,
    [1, 263, 259, 0xf0 + 3, 0x9f + 3, 0x99 + 3, 0x82 + 3, 263],
    'BOS once (post-processor and add_bos_token agree), emoji as 4 byte tokens',
  );
  assert.deepEqual(tok.encode('hi', { addSpecialTokens: false }), [263]);
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'hi 🙂 hi');
  const sd = tok.createStreamDecoder({ skipSpecialTokens: true });
  const parts = ids.map((i) => sd.push(i));
  parts.push(sd.flush());
  assert.equal(parts.join(''), 'hi 🙂 hi');
  assert.ok(!parts.some((p) => p.includes('\uFFFD')));
});

test('loading and using a tokenizer never fetches (fetch is booby-trapped)', async () => {
  await ready;
  const original = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (() => {
    calls++;
    throw new Error('network access attempted');
  }) as typeof fetch;
  try {
    const tok = await loadTokenizer(bpeDir);
    tok.applyChatTemplate([{ role: 'user', content: 'hi' }]);
    tok.decode(tok.encode('hello'));
  } finally {
    globalThis.fetch = original;
  }
  assert.equal(calls, 0);
});

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

test('tools through the ChatML template render as Qwen2.5 does (Hermes format), written out by hand', async () => {
  await ready;
  const tok = await loadTokenizer(bpeDir);
  const text = tok.renderChat(
    [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'sunny' },
    ],
    { tools: [WEATHER_TOOL] },
  );
  const expected =
    '<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\n' +
    'You may call one or more functions to assist with the user query.\n\n' +
    'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
    '{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city", ' +
    '"parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}\n' +
    '</tools>\n\nFor each function call, return a json object with function name and arguments within ' +
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n' +
    '</tool_call><|im_end|>\n' +
    '<|im_start|>user\nWeather in Paris?<|im_end|>\n' +
    '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n' +
    '<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response>\n<tool_response>\nsunny\n</tool_response><|im_end|>\n' +
    '<|im_start|>assistant\n';
  assert.equal(text, expected);
  // a system message keeps its text ahead of the tools section; no tools = plain ChatML, unchanged
  assert.match(
    tok.renderChat(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      { tools: [WEATHER_TOOL] },
    ),
    /^<\|im_start\|>system\nBe brief\.\n\n# Tools\n/,
  );
  assert.equal(
    tok.renderChat([{ role: 'user', content: 'hi' }], { tools: [] }),
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
  );
  assert.match(tok.chatTemplate ?? '', /<tool_call>/);
});

test('a tool-call marker that is a special token: dropped by default, kept when asked (as vLLM decodes for its parsers)', async () => {
  await ready;
  const json = JSON.parse(readFileSync(join(bpeDir, 'tokenizer.json'), 'utf8'));
  const next = Object.keys(json.model.vocab).length;
  for (const [i, content] of ['<tool_call>', '</tool_call>'].entries())
    json.added_tokens.push(specialToken(next + i, content));
  const dir = join(root, 'marker');
  mkdirSync(dir);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), readFileSync(join(bpeDir, 'tokenizer_config.json')));
  const tok = await loadTokenizer(dir);
  assert.equal(tok.isSpecialToken('<tool_call>'), true);
  assert.equal(tok.isSpecialToken('<|im_end|>'), true);
  assert.equal(tok.isSpecialToken('tool_call'), false);
  const text = '<tool_call>{"a": 1}</tool_call>';
  const ids = tok.encode(text, { addSpecialTokens: false });
  assert.equal(ids[0], next, 'the marker is one token');
  const run = (skip: boolean) => {
    const d = tok.createStreamDecoder({ skipSpecialTokens: skip });
    return ids.map((i) => d.push(i)).join('') + d.flush();
  };
  assert.equal(run(true), '{"a": 1}');
  assert.equal(run(false), text);
});
