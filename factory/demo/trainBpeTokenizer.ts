// A deterministic byte-level BPE trainer (GPT-2 / SmolLM style) that emits real Hugging Face
// tokenizer files, so the embedded demo model has an honest tokenizer that transformers.js and
// Python's `tokenizers` both load.
//
//   1. pre-tokenize with GPT-2's regex (what the ByteLevel pre-tokenizer does at encode time) and
//      map every UTF-8 byte to its printable stand-in character (bytes_to_unicode);
//   2. start from the 256 byte symbols; repeatedly merge the most frequent adjacent pair
//      (ties: the lexicographically smallest "left right"), until the vocabulary is full or no
//      pair is left.
// Ids: special tokens first (0..S-1), then the 256 bytes in byte order, then merges in order.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** GPT-2's pre-tokenizer regex, identical to transformers.js's ByteLevel pre-tokenizer. */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible byte -> printable character table. [256] */
export const BYTE_TO_CHAR: string[] = (() => {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const table: string[] = new Array(256);
  for (const b of bs) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  return table;
})();

export interface BpeTrainOptions {
  corpus: string;
  /** Total ids wanted, special tokens and the 256 bytes included. */
  vocabSize: number;
  /** Added as special tokens with ids 0..S-1. */
  specialTokens: string[];
}

export interface BpeTokenizerFiles {
  /** tokenizer.json (HF `tokenizers` format, BPE model, ByteLevel pre-tokenizer/decoder). */
  tokenizerJson: Record<string, unknown>;
  /** Ids actually produced (smaller than asked when the corpus runs out of pairs). */
  vocabSize: number;
}

export function trainBpeTokenizer(o: BpeTrainOptions): BpeTokenizerFiles {
  const encoder = new TextEncoder();
  const counts = new Map<string, number>();
  for (const piece of o.corpus.match(GPT2_SPLIT) ?? []) {
    const word = Array.from(encoder.encode(piece), (b) => BYTE_TO_CHAR[b]!).join('');
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // Sorted so the iteration order (and thus everything below) does not depend on Map insertion.
  const words = [...counts.entries()]
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
    .map(([w, c]) => ({ syms: Array.from(w), count: c }));
  const vocab = new Map<string, number>();
  o.specialTokens.forEach((t) => vocab.set(t, vocab.size));
  for (const ch of BYTE_TO_CHAR) vocab.set(ch, vocab.size);
  const merges: Array<[string, string]> = [];
  while (vocab.size < o.vocabSize) {
    const pairs = new Map<string, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const key = `${w.syms[i]} ${w.syms[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + w.count);
      }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, c] of pairs)
      if (c > bestCount || (c === bestCount && best !== null && key < best)) [best, bestCount] = [key, c];
    if (best === null) break;
    const [left, right] = best.split(' ') as [string, string];
    const merged = left + right;
    merges.push([left, right]);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const w of words) {
      const s = w.syms;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === left && s[i + 1] === right) s.splice(i, 2, merged);
    }
  }
  const added = o.specialTokens.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  return { tokenizerJson, vocabSize: vocab.size };
}

/**
 * SmolLM2-Instruct's ChatML template with a generic default system prompt, and Qwen2.5's tools
 * section (Hermes format): with `tools`, the system turn lists them in `<tools>` (one JSON object
 * per line) and asks for `<tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>`; assistant
 * `tool_calls` render in that form and `tool` messages as `<tool_response>` blocks in a user turn.
 * Without tools the text is exactly the plain ChatML the models were trained on.
 */
export const CHATML_TEMPLATE =
  '{%- set default_system = "You are a helpful assistant." %}' +
  "{%- if tools %}{{- '<|im_start|>system\\n' }}" +
  "{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- else %}{{- default_system }}{%- endif %}" +
  '{{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}' +
  '{%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}' +
  '{{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}' +
  "{%- else %}{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
  "{%- else %}{{- '<|im_start|>system\\n' + default_system + '<|im_end|>\\n' }}{%- endif %}{%- endif %}" +
  '{%- for message in messages %}' +
  '{%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}' +
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}" +
  '{%- elif message.role == "assistant" %}{{- \'<|im_start|>\' + message.role }}' +
  "{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}" +
  '{%- for tool_call in message.tool_calls %}{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}' +
  '{{- \'\\n<tool_call>\\n{"name": "\' }}{{- tool_call.name }}{{- \'", "arguments": \' }}{{- tool_call.arguments | tojson }}{{- \'}\\n</tool_call>\' }}' +
  "{%- endfor %}{{- '<|im_end|>\\n' }}" +
  '{%- elif message.role == "tool" %}' +
  '{%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}{{- \'<|im_start|>user\' }}{%- endif %}' +
  "{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}" +
  '{%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}{{- \'<|im_end|>\\n\' }}{%- endif %}' +
  '{%- endif %}{%- endfor %}' +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

export const CHATML_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

/**
 * Trains on `corpus` and writes tokenizer.json + tokenizer_config.json (ChatML, like SmolLM2):
 * ids 0 `<|endoftext|>`, 1 `<|im_start|>` (bos), 2 `<|im_end|>` (eos). Returns the vocab size.
 */
export async function writeBpeTokenizer(
  dir: string,
  o: { corpus: string; vocabSize: number; modelMaxLength: number },
): Promise<number> {
  const { tokenizerJson, vocabSize } = trainBpeTokenizer({
    corpus: o.corpus,
    vocabSize: o.vocabSize,
    specialTokens: CHATML_SPECIAL_TOKENS,
  });
  const addedDecoder = Object.fromEntries(
    CHATML_SPECIAL_TOKENS.map((content, id) => [
      String(id),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  );
  const config = {
    add_prefix_space: false,
    added_tokens_decoder: addedDecoder,
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    bos_token: '<|im_start|>',
    chat_template: CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    model_max_length: o.modelMaxLength,
    pad_token: '<|im_end|>',
    tokenizer_class: 'GPT2Tokenizer',
    unk_token: '<|endoftext|>',
    vocab_size: vocabSize,
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson, null, 2) + '\n');
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
  return vocabSize;
}
