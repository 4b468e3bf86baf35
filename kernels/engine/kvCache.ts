// The engine's KV cache: per-layer K and V kept in JS, fed to the graph as zero-copy inputs.
//
// Glossary (shapes):
//   L layers   rows  batch rows (= maxBatchSize)   Hkv key/value heads   C capacity (positions)
//   Dh head size   T new tokens of one call (the graph's new_key/new_value width)
//
// Layout per layer: keys[l], values[l]: Float32Array [rows, Hkv, C, Dh] at their start, right-padded:
// row r holds its valid positions [0, len_r) and garbage after (the graph masks by past_len).
// Capacity C starts small and moves by doubling (grow) or halving (shrink). The arrays reserve
// room for `reserved` positions (maxCapacity when all 2L arrays fit in RESERVE_BYTES; zero pages
// the OS maps only when written), and a capacity change within it re-lays the live rows' valid
// prefixes out in place (copyWithin): nothing is allocated and only live data is touched. Beyond
// it the arrays are reallocated at the new capacity (the live rows copied). A forward call's rows
// are one contiguous range, so `view` is a subarray (no copy).

/** Address space the K/V arrays may reserve up front, bytes (all layers, keys and values). */
const RESERVE_BYTES = 4 * 2 ** 30;

export interface KvCacheOptions {
  numLayers: number; // L
  rows: number; // maxBatchSize
  kvHeads: number; // Hkv
  headDim: number; // Dh
  /** First capacity in positions (default 64, rounded to a power of two). */
  initialCapacity?: number;
  /** Largest capacity (maxModelLen). */
  maxCapacity: number;
  /** Address space the arrays may reserve up front, bytes (default RESERVE_BYTES, 4 GiB). */
  reserveBytes?: number;
}

export class KvCache {
  readonly numLayers: number;
  readonly rows: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly maxCapacity: number;
  private readonly minCapacity: number;
  capacity: number; // C
  /** Positions the arrays have room for: capacity changes up to it happen in place. */
  private reserved: number;
  keys: Float32Array[]; // [L] of [rows, Hkv, C, Dh] (allocated [rows, Hkv, reserved, Dh])
  values: Float32Array[]; // [L] of [rows, Hkv, C, Dh] (allocated [rows, Hkv, reserved, Dh])

  constructor(o: KvCacheOptions) {
    this.numLayers = o.numLayers;
    this.rows = o.rows;
    this.kvHeads = o.kvHeads;
    this.headDim = o.headDim;
    this.maxCapacity = o.maxCapacity;
    let c = 1;
    while (c < Math.min(o.initialCapacity ?? 64, o.maxCapacity)) c *= 2;
    this.minCapacity = Math.min(c, o.maxCapacity);
    this.capacity = this.minCapacity;
    this.keys = [];
    this.values = [];
    const perPosition = 2 * o.numLayers * o.rows * o.kvHeads * o.headDim * 4; // bytes
    this.reserved = Math.min(
      o.maxCapacity,
      Math.max(this.minCapacity, Math.floor((o.reserveBytes ?? RESERVE_BYTES) / perPosition)),
    );
    for (let l = 0; l < o.numLayers; l++) {
      this.keys.push(new Float32Array(o.rows * o.kvHeads * this.reserved * o.headDim));
      this.values.push(new Float32Array(o.rows * o.kvHeads * this.reserved * o.headDim));
    }
  }

  /** Floats per row per layer: Hkv * C * Dh. */
  rowStride(): number {
    return this.kvHeads * this.capacity * this.headDim;
  }

  /** Bytes of the cache at its current capacity (the arrays reserve maxCapacity; pages never written stay unmapped). */
  bytes(): number {
    return 2 * this.numLayers * this.rows * this.rowStride() * 4;
  }

  /**
   * Makes capacity fit `need` positions: grows to the next power of two >= need (capped at
   * maxCapacity), or halves while need <= C/4 so attention does not scan a stale long capacity.
   * `validLen` is the largest valid length of any row (positions copied on resize); only rows
   * [0, liveRows) hold data (the rest are free), so a resize moves, and touches the pages of, only
   * those: with 32 rows and one stream it moves one row, not 32.
   */
  fit(need: number, validLen: number, liveRows = this.rows): void {
    if (need > this.maxCapacity) throw new RangeError(`KV cache needs ${need} positions, max is ${this.maxCapacity}`);
    let c = this.capacity;
    while (c < need) c = Math.min(c * 2, this.maxCapacity);
    while (c > this.minCapacity && need <= c / 4) c = c / 2;
    if (c !== this.capacity) this.resize(c, Math.min(validLen, c, this.capacity), Math.min(liveRows, this.rows));
  }

  private resize(newC: number, keep: number, liveRows: number): void {
    const { kvHeads: H, headDim: Dh } = this;
    const oldC = this.capacity;
    const n = liveRows * H; // (row, head) runs to move, each `keep` positions
    if (newC > this.reserved) {
      // Past the reservation: fresh arrays at the new capacity, the live runs copied over.
      for (const list of [this.keys, this.values]) {
        list.forEach((src, l) => {
          const dst = new Float32Array(this.rows * H * newC * Dh); // [rows, Hkv, newC, Dh]
          for (let rh = 0; rh < n; rh++) dst.set(src.subarray(rh * oldC * Dh, (rh * oldC + keep) * Dh), rh * newC * Dh);
          list[l] = dst;
        });
      }
      this.reserved = newC;
      this.capacity = newC;
      return;
    }
    // In place. Growing moves runs up: last first, so no run is overwritten before it moves;
    // shrinking moves them down: first first. copyWithin handles a run overlapping its destination.
    for (const list of [this.keys, this.values]) {
      for (const a of list) {
        if (newC > oldC)
          for (let rh = n - 1; rh > 0; rh--) a.copyWithin(rh * newC * Dh, rh * oldC * Dh, (rh * oldC + keep) * Dh);
        else for (let rh = 1; rh < n; rh++) a.copyWithin(rh * newC * Dh, rh * oldC * Dh, (rh * oldC + keep) * Dh);
      }
    }
    this.capacity = newC;
  }

  /** Zero-copy views of rows [rowStart, rowStart + rowCount) of layer l: each [rowCount, Hkv, C, Dh]. */
  view(layer: number, rowStart: number, rowCount: number): { key: Float32Array; value: Float32Array } {
    const s = this.rowStride();
    return {
      key: this.keys[layer].subarray(rowStart * s, (rowStart + rowCount) * s),
      value: this.values[layer].subarray(rowStart * s, (rowStart + rowCount) * s),
    };
  }

  /**
   * Writes `count` new positions of one row, taken from a graph output.
   * newK/newV: [B, Hkv, T, Dh] (the call's new_key.{l}/new_value.{l}); srcRow b in [0, B), its
   * tokens [0, count) land at cache positions [pos, pos + count) of `row`.
   */
  write(
    layer: number,
    row: number,
    pos: number,
    count: number,
    newK: Float32Array,
    newV: Float32Array,
    srcRow: number,
    T: number,
  ): void {
    const { kvHeads: H, headDim: Dh, capacity: C } = this;
    const k = this.keys[layer];
    const v = this.values[layer];
    const n = count * Dh;
    for (let h = 0; h < H; h++) {
      const src = (srcRow * H + h) * T * Dh;
      const dst = ((row * H + h) * C + pos) * Dh;
      if (n <= 256) {
        // Decode-sized runs: a plain loop beats allocating two subarray views.
        for (let i = 0; i < n; i++) {
          k[dst + i] = newK[src + i];
          v[dst + i] = newV[src + i];
        }
      } else {
        k.set(newK.subarray(src, src + n), dst);
        v.set(newV.subarray(src, src + n), dst);
      }
    }
  }

  /** A copy of the first `len` positions of `row`, every layer: [L] of [Hkv, len, Dh] keys and values. */
  copyOut(row: number, len: number): { key: Float32Array[]; value: Float32Array[] } {
    const take = (a: Float32Array) => rowPositions(a, row, this.kvHeads, this.capacity, len, this.headDim);
    return { key: this.keys.map(take), value: this.values.map(take) };
  }

  /** Copies the first `len` positions of row `from` into row `to` (every layer); `to` is overwritten. */
  copyRow(from: number, to: number, len: number): void {
    if (from === to) return;
    const { kvHeads: H, headDim: Dh, capacity: C } = this;
    const n = len * Dh;
    for (let l = 0; l < this.numLayers; l++) {
      for (const a of [this.keys[l], this.values[l]]) {
        for (let h = 0; h < H; h++) {
          const src = (from * H + h) * C * Dh;
          a.copyWithin((to * H + h) * C * Dh, src, src + n);
        }
      }
    }
  }
}

/**
 * A copy of positions [0, len) of row `row` of a [rows, heads, stride, Dh] array (the cache at
 * capacity stride, or a call's new keys/values at stride T): [heads, len, Dh].
 */
export function rowPositions(
  src: Float32Array,
  row: number,
  heads: number,
  stride: number,
  len: number,
  headDim: number,
): Float32Array {
  const dst = new Float32Array(heads * len * headDim);
  for (let h = 0; h < heads; h++) {
    const at = (row * heads + h) * stride * headDim;
    dst.set(src.subarray(at, at + len * headDim), h * len * headDim);
  }
  return dst;
}
