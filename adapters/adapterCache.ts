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
//     a forward call stay a short contiguous run. A pinned copy takes up to rowsPerSlot rows; the
//     next row gets another copy in a free slot. An unpinned copy acquired again moves down to a
//     lower unpinned slot if there is one (a copy from the host tier), since the grouped kernel
//     reads every slot of the run.
//   - Loads run asynchronously, one per id at a time; concurrent needs share it.
//   - A failed load errors only the requests that need that adapter (tryAcquire -> {error}) and
//     stays recorded until a later prefetch() retries it.
//   - unregister() takes effect once the adapter is unpinned; until then new acquires are refused.
import { LRUCache } from 'lru-cache';
import { AdapterError, LoraledgerError, stderrLogger, type Logger, type SerializedError } from '../common/index.ts';
import type { AcquireResult, AdapterNotice } from './types.ts';
import type { AdapterWeights } from '../kernels/model/index.ts';

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
  notify?: (n: AdapterNotice) => void;
  /** Where a throwing notice listener is reported. Default stderrLogger. */
  log?: Logger;
  /** Move an unpinned adapter down to the lowest unpinned slot when acquired again (default true). */
  compactSlots?: boolean;
  /**
   * Rows that share one slot copy before another copy is made in a free slot (default 4). The
   * grouped kernel pads every bucket to the largest, so a popular adapter's many rows would make
   * every bucket that long; copies keep buckets short for one slot read each. The default is the
   * best of bench/probes/engineProbe.ts's sweep (docs/benchmarks.md).
   */
  rowsPerSlot?: number;
}

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
  private nextGen = 1;
  private readonly rowsPerSlot: number;

  constructor(opts: AdapterCacheOptions) {
    for (const k of ['maxCached', 'maxCachedBytes', 'maxActive'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1)
        throw new RangeError(`AdapterCache: ${k} must be a positive integer, got ${opts[k]}`);
    }
    this.opts = opts;
    this.rowsPerSlot = opts.rowsPerSlot ?? 4;
    if (!Number.isInteger(this.rowsPerSlot) || this.rowsPerSlot < 1)
      throw new RangeError(`AdapterCache: rowsPerSlot must be a positive integer, got ${opts.rowsPerSlot}`);
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
      throw new AdapterError(
        'conflict',
        old.removing
          ? `adapter ${reg.id} is still being unregistered (in use by running requests)`
          : `adapter ${reg.id} is already registered with another path`,
        { details: { id: reg.id } },
      );
    }
    this.regs.set(reg.id, { id: reg.id, path: reg.path, gen: this.nextGen++, removing: false });
  }

  /** Drops the adapter from every tier now, or when its last running request releases it. */
  unregister(id: string): void {
    const reg = this.regs.get(id);
    if (!reg) throw new AdapterError('adapter_not_found', `adapter ${id} is not registered`, { details: { id } });
    reg.removing = true;
    if (this.pinsOf(id) === 0) this.finishRemoval(id);
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
    const held = this.slotsHolding(id);
    // 1. A pinned copy with room: rows of one adapter share a slot up to rowsPerSlot.
    const room = held.find((i) => this.slots[i]!.pins > 0 && this.slots[i]!.pins < this.rowsPerSlot);
    if (room !== undefined) return this.pinHit(id, room);
    const failure = this.failures.get(id);
    if (held.length === 0 && failure) return { error: failure };
    const low = this.lowestUnpinnedSlot();
    // 2. The lowest unpinned slot already holds it: no copy needed.
    if (low !== null && this.slots[low]!.id === id) return this.pinHit(id, low);
    const weights = this.host.get(id);
    if (held.length === 0 && !weights) {
      if (!this.loading.has(id)) {
        this.emit({ type: 'adapter_cache', id, tier: 'host', outcome: 'miss' });
        this.startLoad(reg);
      }
      return this.failures.has(id) ? { error: this.failures.get(id)! } : { pending: true };
    }
    // 3. Copy it into the lowest unpinned slot: a first copy, another copy when every copy is
    //    full, or a move down from a higher unpinned slot (the grouped kernel reads every slot of a
    //    call's run, so the pinned slots are kept packed from slot 1).
    const spare = held.find((i) => this.slots[i]!.pins === 0);
    const copy =
      weights && low !== null && (held.length === 0 || spare === undefined || this.opts.compactSlots !== false);
    if (copy) {
      if (held.length === 0) this.emit({ type: 'adapter_cache', id, tier: 'host', outcome: 'hit' });
      try {
        this.writeSlot(low, id, weights);
      } catch (err) {
        if (held.length === 0) return { error: this.fail(id, err) };
        return this.pinHit(id, this.leastPinned(held)); // the other copies are intact
      }
      if (spare !== undefined) this.slots[spare] = { id: null, pins: 0 }; // moved down
      return { slot: low };
    }
    // 4. Share an existing copy beyond rowsPerSlot (no slot free, or its weights left the host tier).
    if (held.length > 0) return this.pinHit(id, this.leastPinned(held));
    return { pending: true }; // every slot is pinned
  }

  private pinHit(id: string, slot: number): AcquireResult {
    this.slots[slot]!.pins++;
    this.emit({ type: 'adapter_cache', id, tier: 'slot', outcome: 'hit' });
    return { slot };
  }

  /** Slots holding a copy of `id`, ascending. */
  private slotsHolding(id: string): number[] {
    const out: number[] = [];
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i]!.id === id) out.push(i);
    return out;
  }

  private leastPinned(slots: number[]): number {
    return slots.reduce((best, i) => (this.slots[i]!.pins < this.slots[best]!.pins ? i : best));
  }

  private pinsOf(id: string): number {
    return this.slotsHolding(id).reduce((n, i) => n + this.slots[i]!.pins, 0);
  }

  /** Copies weights into `slot` (evicting its unpinned occupant) and pins it once for `id`. */
  private writeSlot(slot: number, id: string, weights: AdapterWeights): void {
    const t0 = performance.now();
    const evicted = this.slots[slot]!.id;
    this.slots[slot] = { id: null, pins: 0 }; // if the write fails, its old content may be half overwritten
    this.opts.sink.write(slot, weights);
    if (evicted !== null && evicted !== id && this.slotsHolding(evicted).length === 0)
      this.emit({ type: 'adapter_evicted', id: evicted, tier: 'slot' });
    this.slots[slot] = { id, pins: 1 };
    this.emit({ type: 'adapter_cache', id, tier: 'slot', outcome: 'miss' });
    this.emit({
      type: 'adapter_loaded',
      id,
      tier: 'slot',
      seconds: (performance.now() - t0) / 1000,
      bytes: weights.bytes,
    });
  }

  /** One running request using `id` in `slot` (as tryAcquire returned it) finished or was cancelled. */
  release(id: string, slot: number): void {
    const s = this.slots[slot];
    if (!s || s.id !== id || s.pins === 0)
      throw new Error(`AdapterCache.release(${id}, ${slot}): adapter is not pinned there (release without acquire)`);
    s.pins--;
    if (this.regs.get(id)?.removing && this.pinsOf(id) === 0) this.finishRemoval(id);
  }

  /** Slot index -> adapter id (null = empty); index 0 is the base model. For the engine and tests. */
  slotTable(): Array<string | null> {
    return this.slots.map((s) => s.id);
  }

  get stats(): AdapterCacheStats {
    const active = this.slots.filter((s) => s.id !== null).length;
    const pinned = this.slots.filter((s) => s.pins > 0).length;
    return {
      cached: this.host.size,
      cachedBytes: this.host.calculatedSize,
      active,
      pinned,
      loading: this.loading.size,
      failed: this.failures.size,
      registered: this.regs.size,
    };
  }

  private lowestUnpinnedSlot(): number | null {
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i]!.pins === 0) return i;
    return null;
  }

  private finishRemoval(id: string): void {
    for (const slot of this.slotsHolding(id)) {
      this.opts.sink.clear(slot);
      this.slots[slot] = { id: null, pins: 0 };
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
          this.fail(
            id,
            new AdapterError(
              'adapter_load_failed',
              `adapter ${id} needs ${weights.bytes} bytes, more than the host cache's maxCachedAdapterBytes ${this.opts.maxCachedBytes}`,
              { details: { id, bytes: weights.bytes } },
            ),
          );
          return;
        }
        this.host.set(id, weights);
        this.emit({
          type: 'adapter_loaded',
          id,
          tier: 'host',
          seconds: (performance.now() - t0) / 1000,
          bytes: weights.bytes,
        });
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
        : {
            code: 'adapter_load_failed',
            message: `adapter ${id} could not be loaded: ${message}`,
            details: { id, cause: original ?? 'error' },
          };
    this.failures.set(id, e);
    this.emit({ type: 'adapter_errored', id, error: e });
    return e;
  }

  /** A throwing listener must not corrupt the cache's state: its error becomes a log line. */
  private emit(n: AdapterNotice): void {
    try {
      this.opts.notify?.(n);
    } catch (err) {
      (this.opts.log ?? stderrLogger).error({ err, notice: n.type }, 'adapter cache: the notice listener threw');
    }
  }
}
