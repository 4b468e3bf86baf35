// The adapter tiers below the registry (house style §5: the cache owns them). PURE: no
// onnxruntime; the engine worker gives it a `load` function (disk -> host) and a `SlotSink`
// (host -> the forward pass's slot stacks).
//
//   disk --load()--> host tier (LRU, bounded by bytes AND count) --sink.write()--> slot tier 1..S
//
// Glossary: S = maxActive slots. Slot 0 is the base model (all-zero LoRA) and never handed out.
//
// Rules, each enforced here and tested in adapterCache.test.ts:
//   - An adapter pinned in a slot (acquired by a running request and not yet released) is never
//     evicted from its slot (vLLM issue 14497). Host eviction does not touch slots.
//   - Slot choice: the LOWEST unpinned slot (empty or holding an unpinned adapter), so the slots of
//     a forward call stay a short contiguous run. An adapter already in a slot keeps it while it
//     is pinned; acquired again while unpinned it moves down to a lower unpinned slot if there is
//     one (a copy from the host tier), since the grouped kernel reads every slot of the run.
//   - Loads run asynchronously, one per id at a time; concurrent needs share it.
//   - A failed load errors only the requests that need that adapter (tryAcquire -> {error}) and
//     stays recorded until a later prefetch() retries it.
//   - unregister() takes effect once the adapter is unpinned; until then new acquires are refused.
import { LRUCache } from 'lru-cache';
import { AdapterError, LoraledgerError, type SerializedError } from '../server/errors.ts';
import type { EngineNotice } from '../kernels/types.ts';
import type { AdapterWeights } from './types.ts';

/** Where host weights go to become visible to the forward pass (the engine's slot stacks). */
export interface SlotSink {
  /** Copy `weights` into slot `slot` (1..S), overwriting whatever was there. */
  write(slot: number, weights: AdapterWeights): void;
  /** Zero slot `slot`. */
  clear(slot: number): void;
}

export interface AdapterRef {
  id: string;
  path: string;
}

export interface AdapterCacheOptions {
  /** Host tier: most adapters kept. */
  maxCached: number;
  /** Host tier: most bytes kept (sum of AdapterWeights.bytes). */
  maxCachedBytes: number;
  /** Slot tier size S; slots are 1..S. */
  maxActive: number;
  load: (reg: AdapterRef) => Promise<AdapterWeights>;
  sink: SlotSink;
  notify?: (n: EngineNotice) => void;
  /** Move an unpinned adapter down to the lowest unpinned slot when acquired again (default true). */
  compactSlots?: boolean;
}

export type AcquireResult = { slot: number } | { pending: true } | { error: SerializedError };

export interface AdapterCacheStats {
  /** Adapters in the host tier, and their bytes. */
  cached: number;
  cachedBytes: number;
  /** Occupied slots, and how many of them are pinned. */
  active: number;
  pinned: number;
  loading: number;
  /** Adapters whose last load failed. */
  failed: number;
  registered: number;
}

interface Registration extends AdapterRef {
  /** Changes on every register, so a load finishing after unregister/re-register is dropped. */
  gen: number;
  removing: boolean;
}

interface Slot {
  id: string | null;
  pins: number;
}

export class AdapterCache {
  private readonly opts: AdapterCacheOptions;
  private readonly regs = new Map<string, Registration>();
  private readonly host: LRUCache<string, AdapterWeights>;
  private readonly loading = new Set<string>();
  private readonly failures = new Map<string, SerializedError>();
  private readonly slots: Slot[]; // [S + 1]; index 0 unused (base model)
  private readonly slotOf = new Map<string, number>();
  private nextGen = 1;

  constructor(opts: AdapterCacheOptions) {
    for (const k of ['maxCached', 'maxCachedBytes', 'maxActive'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new RangeError(`AdapterCache: ${k} must be a positive integer, got ${opts[k]}`);
    }
    this.opts = opts;
    this.slots = Array.from({ length: opts.maxActive + 1 }, () => ({ id: null, pins: 0 }));
    this.host = new LRUCache<string, AdapterWeights>({
      max: opts.maxCached,
      maxSize: opts.maxCachedBytes,
      sizeCalculation: (w) => Math.max(1, w.bytes),
      dispose: (_w, id, reason) => {
        if (reason === 'evict') this.emit({ type: 'adapter_evicted', id, tier: 'host' });
      },
    });
  }

  register(reg: AdapterRef): void {
    const old = this.regs.get(reg.id);
    if (old && !old.removing && old.path === reg.path) return;
    if (old) {
      throw new AdapterError('conflict', old.removing ? `adapter ${reg.id} is still being unregistered (in use by running requests)` : `adapter ${reg.id} is already registered with another path`, { details: { id: reg.id } });
    }
    this.regs.set(reg.id, { id: reg.id, path: reg.path, gen: this.nextGen++, removing: false });
  }

  /** Drops the adapter from every tier now, or when its last running request releases it. */
  unregister(id: string): void {
    const reg = this.regs.get(id);
    if (!reg) throw new AdapterError('adapter_not_found', `adapter ${id} is not registered`, { details: { id } });
    reg.removing = true;
    const slot = this.slotOf.get(id);
    if (slot === undefined || this.slots[slot]!.pins === 0) this.finishRemoval(id);
  }

  /** Starts a disk -> host load unless cached or loading; clears a recorded failure (retry). */
  prefetch(id: string): void {
    const reg = this.regs.get(id);
    if (!reg || reg.removing) return;
    this.failures.delete(id);
    if (this.host.has(id)) {
      this.host.get(id); // refresh recency: it is needed soon
      return;
    }
    this.startLoad(reg);
  }

  /**
   * Pins the adapter into a slot for one running request. `pending` means try again later (still
   * loading, or every slot is pinned); `error` means this request cannot run with this adapter.
   */
  tryAcquire(id: string): AcquireResult {
    const reg = this.regs.get(id);
    if (!reg || reg.removing) {
      return { error: { code: 'adapter_not_found', message: `adapter ${id} is not registered`, details: { id } } };
    }
    const current = this.slotOf.get(id);
    if (current !== undefined) {
      const moved = this.slots[current]!.pins === 0 ? this.compact(id, current) : null;
      if (moved !== null) return { slot: moved };
      this.slots[current]!.pins++;
      this.emit({ type: 'adapter_cache', id, tier: 'slot', outcome: 'hit' });
      return { slot: current };
    }
    const failure = this.failures.get(id);
    if (failure) return { error: failure };
    const weights = this.host.get(id);
    if (!weights) {
      if (!this.loading.has(id)) {
        this.emit({ type: 'adapter_cache', id, tier: 'host', outcome: 'miss' });
        this.startLoad(reg);
      }
      return this.failures.has(id) ? { error: this.failures.get(id)! } : { pending: true };
    }
    const slot = this.lowestUnpinnedSlot();
    if (slot === null) return { pending: true };
    this.emit({ type: 'adapter_cache', id, tier: 'host', outcome: 'hit' });
    try {
      this.writeSlot(slot, id, weights);
    } catch (err) {
      return { error: this.fail(id, err) };
    }
    return { slot };
  }

  /**
   * Keeps the pinned slots a short run from slot 1 (the grouped kernel reads every slot of the
   * run, used or not): an unpinned adapter acquired again moves down to the lowest unpinned slot
   * when that is lower and its weights are still in the host tier. Returns the new slot, or null
   * to stay (a failed copy also stays: the old slot is intact).
   */
  private compact(id: string, current: number): number | null {
    if (this.opts.compactSlots === false) return null;
    const low = this.lowestUnpinnedSlot();
    if (low === null || low >= current) return null;
    const weights = this.host.get(id);
    if (!weights) return null;
    try {
      this.writeSlot(low, id, weights);
    } catch {
      return null; // `id` still maps to `current`
    }
    this.slots[current] = { id: null, pins: 0 };
    return low;
  }

  /** Copies weights into `slot` (evicting its unpinned occupant) and pins it once for `id`. */
  private writeSlot(slot: number, id: string, weights: AdapterWeights): void {
    const t0 = performance.now();
    const evicted = this.slots[slot]!.id;
    try {
      this.opts.sink.write(slot, weights);
    } catch (err) {
      // The slot's old content may be half overwritten: forget it.
      if (evicted !== null) this.slotOf.delete(evicted);
      this.slots[slot] = { id: null, pins: 0 };
      throw err;
    }
    if (evicted !== null) {
      this.slotOf.delete(evicted);
      this.emit({ type: 'adapter_evicted', id: evicted, tier: 'slot' });
    }
    this.slots[slot] = { id, pins: 1 };
    this.slotOf.set(id, slot);
    this.emit({ type: 'adapter_cache', id, tier: 'slot', outcome: 'miss' });
    this.emit({ type: 'adapter_loaded', id, tier: 'slot', seconds: (performance.now() - t0) / 1000, bytes: weights.bytes });
  }

  /** One running request using `id` finished (or was cancelled). */
  release(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined || this.slots[slot]!.pins === 0) throw new Error(`AdapterCache.release(${id}): adapter is not pinned (release without acquire)`);
    const s = this.slots[slot]!;
    s.pins--;
    if (s.pins === 0 && this.regs.get(id)?.removing) this.finishRemoval(id);
  }

  /** Slot index -> adapter id (null = empty); index 0 is the base model. For the engine and tests. */
  slotTable(): Array<string | null> {
    return this.slots.map((s) => s.id);
  }

  get stats(): AdapterCacheStats {
    const active = this.slots.filter((s) => s.id !== null).length;
    const pinned = this.slots.filter((s) => s.pins > 0).length;
    return { cached: this.host.size, cachedBytes: this.host.calculatedSize, active, pinned, loading: this.loading.size, failed: this.failures.size, registered: this.regs.size };
  }

  private lowestUnpinnedSlot(): number | null {
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i]!.pins === 0) return i;
    return null;
  }

  private finishRemoval(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot !== undefined) {
      this.opts.sink.clear(slot);
      this.slots[slot] = { id: null, pins: 0 };
      this.slotOf.delete(id);
    }
    this.host.delete(id);
    this.failures.delete(id);
    this.regs.delete(id);
  }

  private startLoad(reg: Registration): void {
    if (this.loading.has(reg.id)) return;
    this.loading.add(reg.id);
    const t0 = performance.now();
    const { gen, id } = reg;
    const current = () => this.regs.get(id)?.gen === gen && !this.regs.get(id)!.removing;
    let promise: Promise<AdapterWeights>;
    try {
      promise = this.opts.load({ id: reg.id, path: reg.path });
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (weights) => {
        this.loading.delete(id);
        if (!current()) return;
        if (weights.bytes > this.opts.maxCachedBytes) {
          this.fail(id, new AdapterError('adapter_load_failed', `adapter ${id} needs ${weights.bytes} bytes, more than the host cache's maxCachedAdapterBytes ${this.opts.maxCachedBytes}`, { details: { id, bytes: weights.bytes } }));
          return;
        }
        this.host.set(id, weights);
        this.emit({ type: 'adapter_loaded', id, tier: 'host', seconds: (performance.now() - t0) / 1000, bytes: weights.bytes });
      },
      (err: unknown) => {
        this.loading.delete(id);
        if (current()) this.fail(id, err);
      },
    );
  }

  /** Records a failure for `id` and reports it; returns what requests needing it get. */
  private fail(id: string, err: unknown): SerializedError {
    const original = err instanceof LoraledgerError ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    const e: SerializedError =
      err instanceof LoraledgerError && err.code === 'adapter_load_failed'
        ? { code: err.code, message, details: { id, ...err.details } }
        : { code: 'adapter_load_failed', message: `adapter ${id} could not be loaded: ${message}`, details: { id, cause: original ?? 'error' } };
    this.failures.set(id, e);
    this.emit({ type: 'adapter_errored', id, error: e });
    return e;
  }

  /** A throwing listener must not corrupt the cache's state: its error becomes a log line. */
  private emit(n: EngineNotice): void {
    try {
      this.opts.notify?.(n);
    } catch (err) {
      console.error(`AdapterCache: notice listener threw on ${n.type}:`, err);
    }
  }
}
