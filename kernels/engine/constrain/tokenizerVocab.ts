// The vocabulary as xgrammar's TokenizerInfo wants it, read from the model folder's tokenizer.json
// (local file only). Each id's encoded form in id order; special tokens (added tokens marked
// special) become '' so the grammar never allows them (the stop ids are allowed by id instead).
//
// vocabType, from the tokenizer's decoder:
//   ByteLevel (GPT-2 style byte-level BPE)   -> 'byte_level' (xgrammar maps Ġ, Ċ, ... back to bytes)
//   ByteFallback (SentencePiece <0x41> ...)  -> 'byte_fallback' (▁ is a space)
//   anything else                            -> 'raw' (a token's text is its string)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../../../common/index.ts';

export interface TokenizerVocab {
  /** [vocabSize] encoded token strings by id ('' for special and unused ids). */
  encoded: string[];
  vocabType: 'byte_level' | 'byte_fallback' | 'raw';
}

interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number> | Array<[string, number]> };
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  decoder?: Record<string, unknown> | null;
}

function decoderTypes(d: Record<string, unknown> | null | undefined): string[] {
  if (!d) return [];
  const inner = Array.isArray(d.decoders) ? (d.decoders as Array<Record<string, unknown>>).flatMap(decoderTypes) : [];
  return [String(d.type), ...inner];
}

export function vocabFromTokenizerJson(json: TokenizerJson, vocabSize: number): TokenizerVocab {
  const encoded = new Array<string>(vocabSize).fill('');
  const vocab = json.model?.vocab;
  const entries: Array<[string, number]> = Array.isArray(vocab)
    ? vocab.map(([piece], id) => [piece, id])
    : Object.entries(vocab ?? {});
  for (const [piece, id] of entries) if (id >= 0 && id < vocabSize) encoded[id] = piece;
  for (const t of json.added_tokens ?? []) if (t.id < vocabSize) encoded[t.id] = t.special ? '' : t.content;
  const types = decoderTypes(json.decoder);
  const vocabType = types.includes('ByteLevel')
    ? 'byte_level'
    : types.includes('ByteFallback')
      ? 'byte_fallback'
      : 'raw';
  return { encoded, vocabType };
}

export async function loadTokenizerVocab(modelDir: string, vocabSize: number): Promise<TokenizerVocab> {
  const file = join(modelDir, 'tokenizer.json');
  let json: TokenizerJson;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as TokenizerJson;
  } catch (cause) {
    throw new ModelError('model_folder_invalid', `constrained decoding needs ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return vocabFromTokenizerJson(json, vocabSize);
}
