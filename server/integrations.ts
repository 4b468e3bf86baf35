// Adapts the other folders' implementations to the server's ports (server/ports.ts): the model
// folder's tokenizer, the "auto" router (with the base model's token embeddings), and the folders
// to serve (given, or the embedded default).
import { resolve, join } from 'node:path';
import { loadTokenizer, type ModelSpec } from '../kernels/model/index.ts';
import { AdapterRouter, meanEmbedder, type AdapterRegistry } from '../adapters/index.ts';
import { loadTokenEmbeddings, type TokenEmbeddingTable } from '../attribution/index.ts';
import type { Config } from './configSchema.ts';
import type { AutoRouter, ServerTokenizer } from './ports.ts';

export async function loadServerTokenizer(modelDir: string): Promise<ServerTokenizer> {
  const t = await loadTokenizer(modelDir);
  return {
    encode: (text) => t.encode(text),
    decode: (ids) => t.decode(ids, { skipSpecialTokens: true }),
    applyChatTemplate: (messages) => t.applyChatTemplate(messages),
    detokenizer: () => t.createStreamDecoder({ skipSpecialTokens: true }),
  };
}

/** The model folder and adapter roots to serve: --model/--adapters, or the embedded default. */
export async function prepareModelFolders(config: Config): Promise<{ modelDir: string; adapterRoots: string[] }> {
  const roots = config.adapters.map((r) => resolve(r));
  if (config.model !== undefined) return { modelDir: resolve(config.model), adapterRoots: roots };
  const { ensureEmbeddedDefault } = await import('../factory/index.ts');
  const d = await ensureEmbeddedDefault(join(config.cacheDir, 'embedded'));
  return { modelDir: resolve(d.modelDir), adapterRoots: roots.length > 0 ? roots : [resolve(d.adaptersDir)] };
}

/**
 * Largest input-embedding table read into host memory for routing, bytes (fp32). 256 MiB holds
 * e.g. SmolLM-135M's [49152, 576] (113 MB); an 8B model's [128256, 4096] (2.1 GB) is not read
 * and "auto" routes on lexical similarity alone.
 */
export const MAX_ROUTING_EMBEDDING_BYTES = 256 * 1024 * 1024;

/**
 * The base model's model.embed_tokens.weight [V, D], read once at start-up (only that tensor), or
 * null when it would take more than `maxBytes` as fp32.
 */
export async function loadRoutingEmbeddings(
  modelDir: string,
  spec: ModelSpec,
  maxBytes = MAX_ROUTING_EMBEDDING_BYTES,
): Promise<TokenEmbeddingTable | null> {
  if (spec.vocabSize * spec.hiddenSize * 4 > maxBytes) return null;
  return loadTokenEmbeddings(modelDir);
}

/**
 * model "auto" through adapters/' AdapterRouter: BM25 over each adapter's loraledger.json
 * description and tags, plus (when `embeddings` is given) the cosine of mean-pooled base-model
 * input embeddings of the prompt and of that text (adapters/router.ts has the exact formula; the
 * reason names both parts). Deterministic: same prompt and adapters, same decision. The routable
 * set is rebuilt lazily when adapters come, go, or change between usable and errored.
 */
export function makeAutoRouter(
  registry: AdapterRegistry,
  opts: { embeddings?: TokenEmbeddingTable | null; encode?: (text: string) => number[] } = {},
): AutoRouter {
  const { embeddings, encode } = opts;
  const router = new AdapterRouter({
    embed: embeddings && encode ? meanEmbedder(encode, embeddings.table, embeddings.dim) : undefined,
  });
  let dirty = true;
  registry.on((e) => {
    if (e.type !== 'state' || e.to === 'errored' || e.from === 'errored') dirty = true;
  });
  return {
    route({ text }) {
      if (dirty) {
        dirty = false;
        const usable = registry
          .list()
          .filter((e) => e.state !== 'errored')
          .map((e) => {
            const m = registry.meta(e.id);
            return { id: e.id, description: m?.description ?? null, tags: m?.tags ?? [] };
          });
        router.setAdapters(usable);
      }
      const d = router.route(text);
      return { adapterId: d.adapterId, reason: d.reason, score: d.score };
    },
  };
}
