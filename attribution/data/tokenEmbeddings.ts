// A base-model embedding for retrieval re-ranking: the mean of the model's own input-embedding
// rows (model.embed_tokens.weight) over a text's tokens. Cheap (no forward pass) and tied to the
// served model's vocabulary; Retriever re-ranks BM25 candidates by cosine of these vectors.
//
// Glossary: V vocabulary, D hidden size, T tokens of one text.
//   embed(text) = (1/T) * sum_t E[id_t]        E: [V, D]; ids outside [0, V) are skipped
//   an empty text (T = 0) embeds to the zero vector (cosine 0 with everything)

// The safetensors reader directly, not kernels/index.ts: the door also exports the engine, whose
// import loads onnxruntime-node into every process that imports attribution (the claim CLI too).
import { checkpointFiles, readSafetensors, readSafetensorsHeader } from '../../kernels/model/index.ts';
import { meanEmbedder } from '../../adapters/index.ts';
import { ModelError } from '../../common/index.ts';
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
  throw new ModelError('safetensors_invalid', `model folder ${modelDir} has no tensor ${EMBED_TOKENS}`, {
    details: { tensor: EMBED_TOKENS },
  });
}

/** An EmbedFn: mean of embedding rows over `encode(text)` (the router's meanEmbedder, batched). */
export function tokenEmbeddingEmbedder(e: TokenEmbeddingTable, encode: (text: string) => number[]): EmbedFn {
  const embedOne = meanEmbedder(encode, e.table, e.dim);
  return async (texts) => texts.map(embedOne);
}
