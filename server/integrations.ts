// Adapts the other folders' implementations to the server's ports (server/ports.ts): the model
// folder's tokenizer, the "auto" router, and the folders to serve (given, or the embedded default).
import { resolve, join } from 'node:path';
import { loadTokenizer } from '../kernels/index.ts';
import { AdapterRouter, type AdapterRegistry } from '../adapters/index.ts';
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
  const { ensureEmbeddedDefault } = await import('./embeddedDefault.ts');
  const d = await ensureEmbeddedDefault(join(config.cacheDir, 'embedded'));
  return { modelDir: resolve(d.modelDir), adapterRoots: roots.length > 0 ? roots : [resolve(d.adaptersDir)] };
}

/**
 * model "auto" through adapters/' AdapterRouter (BM25 over each adapter's loraledger.json
 * description and tags). The routable set is rebuilt lazily when adapters come, go, or change
 * between usable and errored.
 */
export function makeAutoRouter(registry: AdapterRegistry): AutoRouter {
  const router = new AdapterRouter();
  let dirty = true;
  registry.on((e) => {
    if (e.type !== 'state' || e.to === 'errored' || e.from === 'errored') dirty = true;
  });
  return {
    route({ text }) {
      if (dirty) {
        dirty = false;
        const usable = registry.list().filter((e) => e.state !== 'errored').map((e) => {
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
