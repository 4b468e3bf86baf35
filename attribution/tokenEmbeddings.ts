// A base-model embedding for retrieval re-ranking: the mean of the model's own input-embedding
// rows (model.embed_tokens.weight) over a text's tokens. Cheap (no forward pass) and tied to the
// served model's vocabulary; Retriever re-ranks BM25 candidates by cosine of these vectors.
//
// Glossary: V vocabulary, D hidden size, T tokens of one text.
//   embed(text) = (1/T) * sum_t E[id_t]        E: [V, D]; ids outside [0, V) are skipped
//   an empty text (T = 0) embeds to the zero vector (cosine 0 with everything)

import { checkpointFiles, readSafetensors, readSafetensorsHeader } from '../kernels/index.ts';
import { ModelError } from '../server/errors.ts';
import type { EmbedFn } from './retrieve.ts';

export const EMBED_TOKENS = 'model.embed_tokens.weight';

export interface TokenEmbeddingTable {
  table: Float32Array; // [V, D]
  vocab: number; // V
  dim: number; // D
}

/** Reads only the input-embedding tensor of a Hugging Face model folder (single file or shards). */
export async function loadTokenEmbeddings(modelDir: string): Promise<TokenEmbeddingTable> {
  for (const file of await checkpointFiles(modelDir)) {
    const header = await readSafetensorsHeader(file);
    if (!header.tensors.has(EMBED_TOKENS)) continue;
    const t = (await readSafetensors(file, [EMBED_TOKENS])).get(EMBED_TOKENS)!;
    const [vocab, dim] = t.shape as [number, number];
    return { table: t.data, vocab, dim };
  }
  throw new ModelError('safetensors_invalid', `model folder ${modelDir} has no tensor ${EMBED_TOKENS}`, { details: { tensor: EMBED_TOKENS } });
}

/** An EmbedFn: mean of embedding rows over `encode(text)`. */
export function tokenEmbeddingEmbedder(e: TokenEmbeddingTable, encode: (text: string) => number[]): EmbedFn {
  return async (texts) => texts.map((text) => {
    const out = new Float32Array(e.dim); // [D]
    let n = 0;
    for (const id of encode(text)) {
      if (!Number.isInteger(id) || id < 0 || id >= e.vocab) continue;
      const row = e.table.subarray(id * e.dim, (id + 1) * e.dim); // [D]
      for (let d = 0; d < e.dim; d++) out[d]! += row[d]!;
      n++;
    }
    if (n > 0) for (let d = 0; d < e.dim; d++) out[d]! /= n;
    return out;
  });
}
