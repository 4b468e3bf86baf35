// The embedded default's `quick` profile for tests: the same first-start code path (tokenizer,
// base pretraining, one adapter per domain, provenance, DataNet seeds) on a tiny shape, wired to
// the DataNet store's document ids and the server's RAG template exactly as server/integrations.ts
// wires the full one.
import { DEFAULT_RAG_TEMPLATE, augmentText, documentId, keccak256 } from '../../attribution/index.ts';
import { ensureEmbeddedDefault, type EmbeddedDefault, type EmbeddedOptions } from '../../factory/index.ts';

export const embeddedWiring: Pick<EmbeddedOptions, 'identity' | 'ragPrompt'> = {
  identity: (datanet, text) => ({ docId: documentId(datanet, text), contentHash: keccak256(text) }),
  ragPrompt: (passages, question) =>
    augmentText(
      passages.map((text) => ({ text })),
      question,
      DEFAULT_RAG_TEMPLATE,
    ),
};

/** The quick embedded default under `dir` (a few seconds to build). */
export function quickEmbeddedDefault(
  dir: string,
  onProgress?: EmbeddedOptions['onProgress'],
): Promise<EmbeddedDefault> {
  return ensureEmbeddedDefault(dir, { ...embeddedWiring, profile: 'quick', threads: 1, onProgress });
}
