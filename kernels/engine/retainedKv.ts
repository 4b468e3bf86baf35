// Keys and values of finished generations, kept for the attribution scoring that follows them.
//
// A request generated with `retainKv` leaves its row's cache here when it finishes: positions
// [0, cached) of every layer, i.e. the prompt and every generated token but the last (which was
// sampled, never fed). The teacher-forced scoring of that answer (attribution) names the request
// (`reuseKvOf`) and takes the entry: every variant under the same adapter that starts with the
// same tokens reads them as its past instead of feeding them again (scorePlan's root).
//
// Bounded: at most `maxBytes` in all (least recently retained dropped first) and `ttlMs` old. An
// entry is taken at most once. A miss only costs speed: the scoring then feeds every token.
//
// Glossary: L layers, Hkv key/value heads, Dh head size, n retained positions.

export interface RetainedEntry {
  adapterId: string | null;
  /** The tokens whose keys/values these are: positions 0 .. n-1. */
  tokens: number[];
  key: Float32Array[]; // [L] of [Hkv, n, Dh]
  value: Float32Array[]; // [L] of [Hkv, n, Dh]
}

/** Default bound on retained keys/values, bytes. */
export const DEFAULT_RETAINED_KV_BYTES = 256 * 2 ** 20;
/** Default age after which an untaken entry is dropped, ms. */
export const DEFAULT_RETAINED_KV_TTL_MS = 60_000;

export class RetainedKv {
  private readonly entries = new Map<string, { e: RetainedEntry; bytes: number; at: number }>(); // oldest first
  private bytes = 0;
  /** Entries dropped untaken (bound or age) since start. */
  dropped = 0;

  constructor(
    private readonly maxBytes = DEFAULT_RETAINED_KV_BYTES,
    private readonly ttlMs = DEFAULT_RETAINED_KV_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `e` under `id` (replacing an entry of the same id); an entry larger than the bound is not kept. */
  put(id: string, e: RetainedEntry): void {
    this.delete(id);
    const bytes = 4 * e.key.concat(e.value).reduce((n, a) => n + a.length, 0);
    if (bytes > this.maxBytes) {
      this.dropped++;
      return;
    }
    this.expire();
    for (const old of this.entries.keys()) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.delete(old);
      this.dropped++;
    }
    this.entries.set(id, { e, bytes, at: this.now() });
    this.bytes += bytes;
  }

  /** Removes and returns the entry of `id` (undefined when never kept, taken, dropped or expired). */
  take(id: string): RetainedEntry | undefined {
    this.expire();
    const got = this.entries.get(id);
    this.delete(id);
    return got?.e;
  }

  stats(): { entries: number; bytes: number; dropped: number } {
    return { entries: this.entries.size, bytes: this.bytes, dropped: this.dropped };
  }

  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [id, r] of this.entries) {
      if (r.at > cutoff) break; // oldest first
      this.delete(id);
      this.dropped++;
    }
  }

  private delete(id: string): void {
    const r = this.entries.get(id);
    if (!r) return;
    this.entries.delete(id);
    this.bytes -= r.bytes;
  }
}
