// Builds the graph feeds of one forward call into reused buffers (no per-step allocation that
// grows with the KV capacity; the int buffers grow to the largest call seen and are then reused).
//
// Glossary: B rows, T new tokens per row (padded), P logits positions per row, C KV capacity,
// L layers, Hkv kv heads, Dh head size.
import { GRAPH_INPUTS } from '../graph/graphContract.ts';
import type { FeedTensor } from './loraPlan.ts';

/** One row of a call: its tokens to compute and where its logits are wanted. */
export interface CallRow {
  /** Token ids of the new positions: tokens[start .. start + newLen). */
  tokens: ArrayLike<number>;
  start: number;
  newLen: number;
  /** Positions already in the cache (= absolute position of the first new token). */
  pastLen: number;
  /** Indices t (< T) whose logits to return; padded with 0 up to P. */
  logitsAt: ArrayLike<number>;
}

/** Per-layer past K/V views: [B, Hkv, C, Dh] each. */
export interface PastViews {
  C: number;
  key(l: number): Float32Array;
  value(l: number): Float32Array;
}

export class CallFeeds {
  private readonly pool = new Map<string, BigInt64Array>();
  /** Graph input names of the past keys and values per layer, made once. */
  private readonly pastNames: Array<[string, string]>;

  constructor(
    private readonly numLayers: number,
    private readonly kvHeads: number,
    private readonly headDim: number,
  ) {
    this.pastNames = Array.from({ length: numLayers }, (_, l) => [GRAPH_INPUTS.pastKey(l), GRAPH_INPUTS.pastValue(l)]);
  }

  private buf(name: string, n: number): BigInt64Array {
    let b = this.pool.get(name);
    if (!b || b.length < n) this.pool.set(name, (b = new BigInt64Array(Math.max(n, 2 * (b?.length ?? 0)))));
    return b.subarray(0, n);
  }

  /** Feeds for the rows, T and P, past views; LoRA feeds are added by the caller. */
  build(rows: CallRow[], T: number, P: number, past: PastViews): Record<string, FeedTensor> {
    const B = rows.length;
    const ids = this.buf('ids', B * T); // [B, T]
    const pos = this.buf('pos', B * T); // [B, T]
    const pastLen = this.buf('past', B); // [B]
    const newLen = this.buf('new', B); // [B]
    const logitsIdx = this.buf('lidx', B * P); // [B, P]
    ids.fill(0n);
    pos.fill(0n);
    logitsIdx.fill(0n);
    rows.forEach((r, b) => {
      for (let t = 0; t < r.newLen; t++) {
        ids[b * T + t] = BigInt(r.tokens[r.start + t]);
        pos[b * T + t] = BigInt(r.pastLen + t);
      }
      pastLen[b] = BigInt(r.pastLen);
      newLen[b] = BigInt(r.newLen);
      for (let p = 0; p < r.logitsAt.length; p++) logitsIdx[b * P + p] = BigInt(r.logitsAt[p]);
    });
    const feeds: Record<string, FeedTensor> = {
      [GRAPH_INPUTS.inputIds]: { type: 'int64', data: ids, dims: [B, T] },
      [GRAPH_INPUTS.positionIds]: { type: 'int64', data: pos, dims: [B, T] },
      [GRAPH_INPUTS.pastLen]: { type: 'int64', data: pastLen, dims: [B] },
      [GRAPH_INPUTS.newLen]: { type: 'int64', data: newLen, dims: [B] },
      [GRAPH_INPUTS.logitsIdx]: { type: 'int64', data: logitsIdx, dims: [B, P] },
    };
    const dims = [B, this.kvHeads, past.C, this.headDim];
    for (let l = 0; l < this.numLayers; l++) {
      const [k, v] = this.pastNames[l]!;
      feeds[k] = { type: 'float32', data: past.key(l), dims };
      feeds[v] = { type: 'float32', data: past.value(l), dims };
    }
    return feeds;
  }
}
