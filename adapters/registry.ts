// The adapter registry: which adapters exist, where they live, and their state (house style §5).
//
// State machine (enforced by `transition`, invalid moves throw):
//   registered --> loading --> ready
//                      \-----> errored --> loading   (a later load may retry)
//   ready --> errored                                (the engine later failed to read it)
// `registered`: known by folder only: scanRoot reads no weights and no JSON, so 10,000 folders
// register in milliseconds with memory for a small index. `loading`: being validated or read.
// `ready`: validated against the base model. `errored`: `reason` says what is wrong.
//
// Paths are confined to the configured adapter roots after resolving `..` and symlinks.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdapterError,
  RequestError,
  serializeError,
  stderrLogger,
  type Logger,
  type SerializedError,
} from '../common/index.ts';
import type { AdapterNotice } from './types.ts';
import type { ModelSpec } from '../kernels/model/index.ts';
import { ADAPTER_CONFIG_FILE, readAdapterMeta, type PeftAdapterMeta } from './peftFormat.ts';
import { validateAdapterAgainstModel } from './loadAdapter.ts';
import { confinePath, isInside, realOrResolved } from './confinePath.ts';
import type { AdapterState } from './types.ts';

const ALLOWED: Record<AdapterState, AdapterState[]> = {
  registered: ['loading'],
  loading: ['ready', 'errored'],
  ready: ['errored'],
  errored: ['loading'],
};
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,127}$/;

export interface AdapterEntry {
  id: string;
  /** Absolute, symlink-resolved folder. */
  path: string;
  state: AdapterState;
  /** Why the adapter is errored; null otherwise. */
  reason: string | null;
  error: SerializedError | null;
  /** Read lazily (see `meta()`); null until then. */
  meta: PeftAdapterMeta | null;
}

export type RegistryEvent =
  | { type: 'registered'; id: string; state: AdapterState }
  | { type: 'state'; id: string; from: AdapterState; to: AdapterState; reason: string | null }
  | { type: 'unregistered'; id: string };

export interface AdapterRegistryOptions {
  spec: ModelSpec;
  /** Folders adapters may live in (admin paths outside them are refused). */
  roots: string[];
  /** Largest rank accepted (EngineOptions.maxLoraRank). */
  maxRank?: number;
  /** Ids that name something else (the base model, "auto"). */
  reservedIds?: string[];
  /** Where a throwing event listener is reported. Default stderrLogger. */
  log?: Logger;
}

export interface ScanResult {
  registered: string[];
  skipped: Array<{ name: string; reason: string }>;
}

export class AdapterRegistry {
  private readonly opts: AdapterRegistryOptions;
  private readonly roots: string[];
  private readonly entries = new Map<string, AdapterEntry>();
  private readonly listeners = new Set<(e: RegistryEvent) => void>();

  constructor(opts: AdapterRegistryOptions) {
    this.opts = opts;
    this.roots = opts.roots.map(realOrResolved);
  }

  /** Subscribes to registry events; returns the unsubscribe function. */
  on(listener: (e: RegistryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Registers every sub-folder of `dir` holding adapter_config.json, id = folder name, state
   * `registered`. Reads no file contents. Folders with unusable names, duplicate ids or symlinks
   * leading outside the roots are skipped with a reason.
   */
  scanRoot(dir: string): ScanResult {
    const root = realOrResolved(dir);
    if (!this.roots.some((r) => isInside(r, root))) {
      throw new RequestError('path_not_allowed', `adapter folder ${dir} is outside the configured adapter roots`, {
        details: { path: dir },
      });
    }
    const out: ScanResult = { registered: [], skipped: [] };
    for (const d of readdirSync(root, { withFileTypes: true })) {
      if (d.name.startsWith('.') || !(d.isDirectory() || d.isSymbolicLink())) continue;
      let path = join(root, d.name);
      if (!existsSync(join(path, ADAPTER_CONFIG_FILE))) continue;
      if (d.isSymbolicLink()) {
        path = realOrResolved(path);
        if (!this.roots.some((r) => isInside(r, path))) {
          out.skipped.push({ name: d.name, reason: 'symlink leads outside the adapter roots' });
          continue;
        }
      }
      const bad = this.idProblem(d.name);
      if (bad) {
        out.skipped.push({ name: d.name, reason: bad });
        continue;
      }
      this.entries.set(d.name, { id: d.name, path, state: 'registered', reason: null, error: null, meta: null });
      out.registered.push(d.name);
      this.emit({ type: 'registered', id: d.name, state: 'registered' });
    }
    return out;
  }

  /**
   * Admin registration: confines `path` to the roots, then validates eagerly (config + safetensors
   * header against the base model). Invalid adapters are kept as `errored` (visible in list()) and
   * the error is thrown; registering the same id again replaces an errored entry.
   */
  async register(id: string, path: string): Promise<AdapterEntry> {
    const bad = this.idProblem(id);
    if (bad) throw new RequestError('invalid_request', `adapter id ${JSON.stringify(id)}: ${bad}`, { param: 'id' });
    const existing = this.entries.get(id);
    if (existing && existing.state !== 'errored') {
      throw new AdapterError('conflict', `adapter ${id} is already registered (${existing.state}, ${existing.path})`, {
        details: { id },
      });
    }
    const real = confinePath(path, this.opts.roots, 'path'); // relative paths: against the first root
    const entry: AdapterEntry = { id, path: real, state: 'registered', reason: null, error: null, meta: null };
    this.entries.set(id, entry);
    this.emit({ type: 'registered', id, state: 'registered' });
    await this.validate(id);
    if (entry.state === 'errored') throw this.errorOf(entry);
    return entry;
  }

  /**
   * Validates a registered (or errored) adapter: registered|errored -> loading -> ready|errored.
   * Never throws for a bad adapter: the entry's state and reason say what happened.
   */
  async validate(id: string): Promise<AdapterEntry> {
    const entry = this.require(id);
    if (entry.state === 'ready' || entry.state === 'loading') return entry;
    this.transition(id, 'loading');
    try {
      const meta = readAdapterMeta(entry.path, id);
      await validateAdapterAgainstModel(meta, this.opts.spec, { maxRank: this.opts.maxRank });
      entry.meta = meta;
      if (this.entries.get(id) === entry) this.transition(id, 'ready');
    } catch (err) {
      if (this.entries.get(id) === entry) this.transition(id, 'errored', serializeError(err));
    }
    return entry;
  }

  unregister(id: string): void {
    this.require(id);
    this.entries.delete(id);
    this.emit({ type: 'unregistered', id });
  }

  get(id: string): AdapterEntry | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every adapter with its state and reason, in registration order. */
  list(): Array<Pick<AdapterEntry, 'id' | 'path' | 'state' | 'reason'>> {
    return [...this.entries.values()].map(({ id, path, state, reason }) => ({ id, path, state, reason }));
  }

  /**
   * The adapter's config and loraledger.json, read on first use and kept. A folder that cannot be
   * read moves the adapter to `errored` and returns null.
   */
  meta(id: string): PeftAdapterMeta | null {
    const entry = this.require(id);
    if (entry.meta || entry.state === 'errored') return entry.meta;
    try {
      entry.meta = readAdapterMeta(entry.path, id);
    } catch (err) {
      if (entry.state === 'registered') this.transition(id, 'loading');
      this.transition(id, 'errored', serializeError(err));
    }
    return entry.meta;
  }

  /** Moves an adapter along the state machine; throws on a move it does not allow. */
  transition(id: string, to: AdapterState, error?: SerializedError): void {
    const entry = this.require(id);
    const from = entry.state;
    if (!ALLOWED[from].includes(to)) throw new Error(`adapter ${id}: invalid state transition ${from} -> ${to}`);
    entry.state = to;
    entry.error = to === 'errored' ? (error ?? { code: 'adapter_load_failed', message: `adapter ${id} failed` }) : null;
    entry.reason = entry.error?.message ?? null;
    this.emit({ type: 'state', id, from, to, reason: entry.reason });
  }

  /** Follows the engine's adapter notices: host load start/finish/failure drive the state machine. */
  applyNotice(n: AdapterNotice): void {
    if (n.type !== 'adapter_cache' && n.type !== 'adapter_loaded' && n.type !== 'adapter_errored') return;
    const entry = this.entries.get(n.id);
    if (!entry) return;
    if (
      n.type === 'adapter_cache' &&
      n.tier === 'host' &&
      n.outcome === 'miss' &&
      (entry.state === 'registered' || entry.state === 'errored')
    ) {
      this.transition(n.id, 'loading');
    } else if (n.type === 'adapter_loaded' && entry.state !== 'ready') {
      if (entry.state !== 'loading') this.transition(n.id, 'loading');
      this.transition(n.id, 'ready');
    } else if (n.type === 'adapter_errored' && entry.state !== 'errored') {
      if (entry.state === 'registered') this.transition(n.id, 'loading');
      this.transition(n.id, 'errored', n.error);
    }
  }

  private errorOf(entry: AdapterEntry): AdapterError {
    const e = entry.error!;
    return new AdapterError(e.code, e.message, { details: e.details });
  }

  private idProblem(id: string): string | null {
    if (typeof id !== 'string' || !ID_RE.test(id))
      return 'ids are 1-128 characters of letters, digits, . _ - : / and start with a letter or digit';
    if (id === 'auto' || this.opts.reservedIds?.includes(id))
      return `"${id}" is reserved (it names the base model or automatic routing)`;
    return null;
  }

  private require(id: string): AdapterEntry {
    const entry = this.entries.get(id);
    if (!entry) throw new AdapterError('adapter_not_found', `adapter ${id} is not registered`, { details: { id } });
    return entry;
  }

  private emit(e: RegistryEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        (this.opts.log ?? stderrLogger).error(
          { err, event: e.type, id: e.id },
          'adapter registry: an event listener threw',
        );
      }
    }
  }
}
