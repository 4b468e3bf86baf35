// AdapterDirectory over adapters/' AdapterRegistry and the engine: the registry owns adapter
// state (registered -> loading -> ready | errored), the engine owns the weights' tiers. Admin
// loads validate eagerly and only then tell the engine; engine notices drive the registry.
import { ERROR_CATALOGUE } from '../common/index.ts';
import type { EngineClient } from '../kernels/index.ts';
import type { AdapterRegistry } from '../adapters/index.ts';
import type { AdapterDirectory, AdapterInfo } from './ports.ts';

/** An errored adapter's folder is re-read at most this often (ms) when requests ask for it: the
 *  `Retry-After` that 503 adapter_load_failed carries, so a client that waits it out triggers a re-read. */
export const ADAPTER_RETRY_MS = ERROR_CATALOGUE.adapter_load_failed.retryAfterSeconds * 1000;

export function adapterDirectory(registry: AdapterRegistry, engine: () => EngineClient): AdapterDirectory {
  const retried = new Map<string, number>(); // id -> last retry (ms)
  const info = (id: string): AdapterInfo | undefined => {
    if (!registry.has(id)) return undefined;
    // Adapters registered by scanning have no meta until first asked: registry.meta reads the small
    // JSON files once and keeps them (an unreadable folder turns the adapter errored, meta null).
    const m = registry.meta(id);
    const e = registry.get(id)!; // after meta(): its state may have moved
    return {
      id: e.id,
      path: e.path,
      state: e.state,
      reason: e.reason,
      rank: m?.rank ?? null,
      description: m?.description ?? null,
      tags: m?.tags ?? [],
      owner: m?.owner ?? null,
    };
  };
  return {
    list: () => registry.list().map((e) => info(e.id)!),
    get: info,
    async load(id, path) {
      const entry = await registry.register(id, path); // throws the validation error; entry stays errored
      try {
        await engine().registerAdapters([{ id, path: entry.path }]);
      } catch (err) {
        registry.unregister(id);
        throw err;
      }
      return info(id)!;
    },
    async unload(id) {
      registry.unregister(id); // throws adapter_not_found
      await engine().unregisterAdapter(id);
    },
    retry(id) {
      const now = Date.now();
      if (now - (retried.get(id) ?? -Infinity) < ADAPTER_RETRY_MS) return;
      retried.set(id, now);
      // validate() never throws for a bad folder (the entry stays errored with its reason); a whole
      // one is loaded into the host tier (prefetch clears the engine's recorded failure); the engine
      // being away (restarting) just leaves it for the next request
      void registry.validate(id).then((e) => {
        if (e.state !== 'ready') return;
        try {
          engine().prefetch([id]);
        } catch {
          /* engine not ready: it registers every adapter again when it is */
        }
      });
    },
  };
}
