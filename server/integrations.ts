// Adapts the other folders' implementations to the server's ports (server/ports.ts): the model
// folder's tokenizer, the "auto" router, and the folders to serve (given, or the embedded default).
import { resolve, join } from 'node:path';
import { loadTokenizer } from '../kernels/loadTokenizer.ts';
import type { AdapterRegistry } from '../adapters/registry.ts';
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

/** The adapters/ router for model "auto" (falls back to the base model while none is available). */
export async function loadRouter(registry: AdapterRegistry): Promise<AutoRouter> {
  void registry;
  return { route: () => ({ adapterId: null, reason: 'no adapter router is configured; served by the base model' }) };
}
