// A model folder's tokenizer, from LOCAL files only.
//
// We read tokenizer.json and tokenizer_config.json ourselves and construct transformers.js's
// `PreTrainedTokenizer` directly: its constructor only builds the tokenizer from the two JSON
// objects (node_modules/@huggingface/transformers/src/tokenization_utils.js), whereas
// `from_pretrained` / `AutoTokenizer` go through utils/hub.js, which may fetch from the Hub.
// Nothing here can touch the network.
//
// Chat: the folder's `chat_template` (Jinja, rendered by transformers.js) when it has one; without
// one, a documented plain fallback:
//     "{role}: {content}\n" for each message, then "assistant:" when a reply is wanted.
// Tools (OpenAI function tools) go to the template as Hugging Face's apply_chat_template(tools=...)
// passes them; assistant `tool_calls` (arguments as objects) and `tool` messages pass through too. A
// template that never mentions `tools`, and the plain fallback, get the plain tools block below in
// the system message instead, with calls written in the Hermes form (see plainTools.ts).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { ModelError, RequestError } from '../../common/index.ts';
import { withPlainTools, type ChatTemplateTool, type ChatTemplateToolCall } from './plainTools.ts';

export type { ChatTemplateTool, ChatTemplateToolCall };

/** A message as the chat template accepts it (wider than the normalised ChatMessage of ./prompt.ts). */
export interface ChatTemplateMessage {
  role: string;
  /** A string, or OpenAI content parts of which only {type: "text"} are supported. */
  content: string | Array<{ type: string; text?: string }> | null;
  /** Assistant: the calls it made (arguments as parsed objects, as templates expect). */
  tool_calls?: ChatTemplateToolCall[];
  /** Tool: the call this message answers. */
  tool_call_id?: string;
  name?: string;
}

export interface ChatRenderOptions {
  /** Open the assistant turn (default true). */
  addGenerationPrompt?: boolean;
  /** Function tools offered to the model (OpenAI's `tools`), rendered by the template. */
  tools?: ChatTemplateTool[];
}

export interface EncodeOptions {
  /** Add the tokenizer's special tokens (BOS where the tokenizer adds one). Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (`<|im_end|>`, BOS, ...). Default false. */
  skipSpecialTokens?: boolean;
}

/** Turns a stream of token ids into text, emitting only complete text (no half UTF-8 characters). */
export interface StreamDecoder {
  /** Adds one token; returns the text it completes ('' while a multi-byte character is unfinished). */
  push(tokenId: number): string;
  /** The text still held back (an unfinished character shows as U+FFFD). */
  flush(): string;
}

export interface TextTokenizer {
  /** Ids the tokenizer knows (max id + 1). */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly hasChatTemplate: boolean;
  /** The Jinja chat template text (null without one; several named templates: all of them, joined). */
  readonly chatTemplate: string | null;
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: number[], opts?: DecodeOptions): string;
  /** The prompt text for `messages` (template or fallback), with the assistant turn opened by default. */
  renderChat(messages: ChatTemplateMessage[], opts?: ChatRenderOptions): string;
  /** renderChat, tokenized without adding special tokens again (the template holds them). */
  applyChatTemplate(messages: ChatTemplateMessage[], opts?: ChatRenderOptions): number[];
  createStreamDecoder(opts?: DecodeOptions): StreamDecoder;
  tokenToId(token: string): number | undefined;
  /** Whether `text` is one of the tokenizer's special tokens (decoding with skipSpecialTokens drops it). */
  isSpecialToken(text: string): boolean;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new ModelError('model_folder_invalid', `${file} is not valid JSON (${(cause as Error).message})`, { cause });
  }
}

function textOf(m: ChatTemplateMessage, i: number): string {
  if (typeof m?.role !== 'string' || m.role === '')
    throw new RequestError('invalid_request', `messages[${i}].role must be a non-empty string`, {
      param: `messages[${i}].role`,
    });
  if (m.content === null || m.content === undefined) return '';
  if (typeof m.content === 'string') return m.content;
  if (!Array.isArray(m.content))
    throw new RequestError('invalid_request', `messages[${i}].content must be a string or a list of content parts`, {
      param: `messages[${i}].content`,
    });
  return m.content
    .map((p, j) => {
      if (p?.type !== 'text' || typeof p.text !== 'string') {
        throw new RequestError(
          'invalid_request',
          `messages[${i}].content[${j}] has type ${JSON.stringify(p?.type)}; only text parts are supported`,
          { param: `messages[${i}].content` },
        );
      }
      return p.text;
    })
    .join('');
}

/** The template's text; a list of named templates (default, tool_use, ...) gives all of them, joined. */
function templateText(t: unknown): string | null {
  if (typeof t === 'string') return t;
  if (Array.isArray(t))
    return (t as Array<{ template?: unknown }>)
      .map((x) => (typeof x?.template === 'string' ? x.template : ''))
      .join('\n');
  return null;
}

/** Loads `dir`/tokenizer.json + tokenizer_config.json (the latter optional). */
export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const jsonFile = join(dir, 'tokenizer.json');
  if (!existsSync(jsonFile)) {
    throw new ModelError(
      'model_folder_invalid',
      `${dir} has no tokenizer.json (only Hugging Face "fast" tokenizer files are supported)`,
    );
  }
  const tokenizerJson = await readJson(jsonFile);
  const configFile = join(dir, 'tokenizer_config.json');
  const config = existsSync(configFile) ? await readJson(configFile) : {};
  let tok: PreTrainedTokenizer;
  try {
    tok = new PreTrainedTokenizer(tokenizerJson, config);
  } catch (cause) {
    throw new ModelError('model_folder_invalid', `${jsonFile} could not be loaded: ${(cause as Error).message}`, {
      cause,
    });
  }
  return new HfTokenizer(tok, config);
}

class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly hasChatTemplate: boolean;
  readonly chatTemplate: string | null;
  private readonly templateHasTools: boolean;
  private readonly specials: Set<string>;
  private readonly addBos: boolean;
  private readonly cleanup: boolean;

  constructor(
    private readonly tok: PreTrainedTokenizer,
    config: Record<string, unknown>,
  ) {
    let max = -1;
    for (const id of tok.get_vocab().values()) if (id > max) max = id;
    this.vocabSize = max + 1;
    this.bosTokenId = (tok.bos_token_id as number | undefined) ?? null;
    this.eosTokenId = (tok.eos_token_id as number | undefined) ?? null;
    this.hasChatTemplate = typeof config.chat_template === 'string' || Array.isArray(config.chat_template);
    this.chatTemplate = templateText(config.chat_template);
    this.templateHasTools = /\btools\b/.test(this.chatTemplate ?? '');
    this.specials = new Set((tok as unknown as { all_special_tokens?: string[] }).all_special_tokens ?? []);
    // transformers.js leaves BOS to tokenizer.json's post_processor; Python's slow tokenizers also
    // honour tokenizer_config.json's add_bos_token, so we do too.
    this.addBos = config.add_bos_token === true && this.bosTokenId !== null;
    this.cleanup = config.clean_up_tokenization_spaces === true;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const add = opts.addSpecialTokens ?? true;
    const ids = this.tok.encode(text, { add_special_tokens: add }) as number[];
    if (add && this.addBos && ids[0] !== this.bosTokenId) ids.unshift(this.bosTokenId!);
    return ids;
  }

  decode(ids: number[], opts: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    return this.tok.decode(ids, {
      skip_special_tokens: opts.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: this.cleanup,
    });
  }

  renderChat(messages: ChatTemplateMessage[], opts: ChatRenderOptions = {}): string {
    if (!Array.isArray(messages) || messages.length === 0)
      throw new RequestError('invalid_request', 'messages must be a non-empty list', { param: 'messages' });
    let flat = messages.map((m, i) => ({ ...m, content: textOf(m, i) }));
    const gen = opts.addGenerationPrompt ?? true;
    const tools = opts.tools && opts.tools.length > 0 ? opts.tools : undefined;
    const templateTools = tools && this.templateHasTools;
    if (tools && !templateTools) flat = withPlainTools(flat, tools);
    if (!this.hasChatTemplate) return flat.map((m) => `${m.role}: ${m.content}\n`).join('') + (gen ? 'assistant:' : '');
    try {
      const chat = flat as unknown as Parameters<PreTrainedTokenizer['apply_chat_template']>[0];
      return this.tok.apply_chat_template(chat, {
        tokenize: false,
        add_generation_prompt: gen,
        ...(templateTools ? { tools } : {}),
      }) as unknown as string;
    } catch (cause) {
      throw new RequestError(
        'invalid_request',
        `the model's chat template refused these messages: ${(cause as Error).message}`,
        { param: 'messages', cause },
      );
    }
  }

  applyChatTemplate(messages: ChatTemplateMessage[], opts: ChatRenderOptions = {}): number[] {
    return this.encode(this.renderChat(messages, opts), { addSpecialTokens: !this.hasChatTemplate });
  }

  /**
   * Incremental detokenizer (the prefix/read-offset scheme of vLLM and TGI): decode a short window
   * before and after the new token and emit the difference, holding back while the text ends in
   * U+FFFD (an unfinished multi-byte character from byte-level or byte-fallback tokens).
   */
  createStreamDecoder(opts: DecodeOptions = {}): StreamDecoder {
    let ids: number[] = [];
    let prefix = 0;
    let read = 0;
    return {
      push: (id: number) => {
        ids.push(id);
        const before = this.decode(ids.slice(prefix, read), opts);
        const after = this.decode(ids.slice(prefix), opts);
        if (after.length <= before.length || after.endsWith('\uFFFD')) return '';
        const delta = after.slice(before.length);
        ids = ids.slice(read); // keep only the window still needed
        prefix = 0;
        read = ids.length;
        return delta;
      },
      flush: () => {
        const before = this.decode(ids.slice(prefix, read), opts);
        const after = this.decode(ids.slice(prefix), opts);
        ids = [];
        prefix = read = 0;
        return after.length > before.length ? after.slice(before.length) : '';
      },
    };
  }

  isSpecialToken(text: string): boolean {
    return this.specials.has(text);
  }

  tokenToId(token: string): number | undefined {
    return this.tok.convert_tokens_to_ids(token) as number | undefined;
  }
}
