// The embedded default's `quick` profile for tests: the same first-start code path (tokenizer,
// base pretraining, one adapter per domain, provenance, DataNet seeds) on a tiny shape, wired to
// the DataNet store's document ids and the server's RAG template by server/integrations.ts's own
// wiring, as the server builds the full one.
import { embeddedWiring } from '../../server/integrations.ts';
import { ensureEmbeddedDefault, type EmbeddedDefault, type EmbeddedOptions } from '../../factory/index.ts';

/** The quick embedded default under `dir` (a few seconds to build). */
export function quickEmbeddedDefault(
  dir: string,
  onProgress?: EmbeddedOptions['onProgress'],
): Promise<EmbeddedDefault> {
  return ensureEmbeddedDefault(dir, { ...embeddedWiring, profile: 'quick', threads: 1, onProgress });
}
