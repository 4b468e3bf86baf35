// The persisted, incrementally built span index over every DataNet document (./spanIndex.ts does
// the suffix-array work). One SQLite file (<data-dir>/spans.sqlite), its own database so the
// DataNet store's transactions never wait on an index rebuild.
//
// Layout: per DataNet, a log-structured list of segments, oldest (largest) first.
//   add(doc)   tokens = tokenize(text); append a one-document segment; then, while the newest
//              segment is at least half the size of the one before it, merge the two (rebuild the
//              suffix array over both), unless the result would pass maxSegmentTokens (2^20).
//              Sizes then fall geometrically: at most N / 2^20 + log2(N) + 1 segments per DataNet,
//              each token is rebuilt O(log N) times, and no upload rebuilds more than 2^20 tokens.
//              Merges past 2^16 tokens run on a worker thread (workerSegmentMerger) when one is
//              given: the old segments answer queries until the merged one replaces them, so an
//              upload never waits for a large rebuild. The merged segment keeps the older row's id.
//              The new and merged segments are written in one transaction.
//   sync(docs) catch-up at start: documents the index lacks (by doc_id) are added; a different
//              tokenizer fingerprint (span_meta.tokenizer) drops the index and rebuilds it.
//   match(q)   every segment of the asked DataNets (optionally only some doc_ids) -> spans per doc.
// Why not one array per DataNet rebuilt lazily: a query after each upload would rebuild it all
// (O(N log N) per new document); the segments make an upload cost amortised O(log^2 N) per token.
// Bytes: 8 per token (token id + suffix-array entry, Int32) + 4 per document + its doc_id.

import Database from 'better-sqlite3';
import { spawnWorker, stderrLogger, type Logger, type WorkerChannel } from '../../common/index.ts';
import type { SpanMergeCalls } from './spanMergeWorker.ts';
import { buildSegment, coveredTokens, matchSegment, mergeSegments, type Span, type SpanSegment } from './spanIndex.ts';

export interface SpanDocument {
  docId: string;
  datanet: string;
  text: string;
}

export interface DocumentSpans {
  docId: string;
  datanet: string;
  /** Maximal spans of the answer found in the document, longest first. */
  spans: Span[];
  /** Longest span, tokens. */
  longest: number;
  /** Answer tokens covered by the spans (union). */
  covered: number;
}

export interface SpanIndexOptions {
  /** SQLite file, ':memory:' for tests. */
  path: string;
  tokenize: (text: string) => number[];
  /** Identifies the tokenizer (e.g. a hash of tokenizer.json): a change rebuilds the index. */
  tokenizerId: string;
  /** Segments are not merged past this many tokens (bounds the rebuild one upload can cause). Default 2^20. */
  maxSegmentTokens?: number;
  /** Runs merges larger than SYNC_MERGE_TOKENS off the caller's thread (workerSegmentMerger()); default: all inline. */
  merger?: SegmentMerger;
  /** Merges up to this many tokens run inline even with a merger. Default SYNC_MERGE_TOKENS (2^16). */
  syncMergeTokens?: number;
  /** Where a failed background merge is reported (the two segments stay, unmerged). Default: stderr. */
  onError?: (err: unknown, context: { datanet: string }) => void;
}

/** Merges two segments (mergeSegments) somewhere else: a worker thread. */
export interface SegmentMerger {
  merge(a: SpanSegment, b: SpanSegment): Promise<SpanSegment>;
  close(): Promise<void>;
}

/** Merges up to this many tokens run inline (a few tens of milliseconds); larger ones on the merger. */
export const SYNC_MERGE_TOKENS = 1 << 16;

/** A SegmentMerger over one worker thread (./spanMergeWorker.ts), started on first use. */
export function workerSegmentMerger(log?: Logger): SegmentMerger {
  let channel: WorkerChannel<SpanMergeCalls> | null = null;
  return {
    merge(a, b) {
      channel ??= spawnWorker<SpanMergeCalls>(new URL('./spanMergeWorker.ts', import.meta.url), {
        name: 'span merge worker',
        log,
      });
      const plain = (x: SpanSegment): SpanSegment => ({
        tokens: x.tokens,
        sa: x.sa,
        docStarts: x.docStarts,
        docIds: x.docIds,
      });
      return channel.call('merge', { a: plain(a), b: plain(b) });
    },
    async close() {
      await channel?.close();
      channel = null;
    },
  };
}

/** About 1 s of suffix-array build on the bench host; beyond it segments add up linearly. */
export const DEFAULT_MAX_SEGMENT_TOKENS = 1 << 20;

interface Stored extends SpanSegment {
  rowId: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS span_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS span_segments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  datanet TEXT NOT NULL,
  tokens BLOB NOT NULL,
  sa BLOB NOT NULL,
  doc_starts BLOB NOT NULL,
  doc_ids TEXT NOT NULL
);`;

const blob = (a: Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const ints = (b: Buffer): Int32Array => {
  const copy = new Uint8Array(b); // aligned copy
  return new Int32Array(copy.buffer, 0, copy.byteLength / 4);
};

export class SpanIndex {
  private readonly db: Database.Database;
  private readonly segments = new Map<string, Stored[]>(); // per DataNet, oldest first
  private readonly indexed = new Set<string>();
  private readonly busy = new Set<Stored>(); // segments a background merge is reading
  private readonly jobs = new Set<Promise<void>>();

  constructor(private readonly o: SpanIndexOptions) {
    this.db = new Database(o.path);
    this.db.pragma('auto_vacuum = FULL'); // merges free whole segments: give the pages back (new files only)
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    const meta = this.db.prepare("SELECT value FROM span_meta WHERE key = 'tokenizer'").get() as
      { value: string } | undefined;
    if (meta?.value !== o.tokenizerId) {
      this.db.transaction(() => {
        this.db.exec('DELETE FROM span_segments');
        this.db.prepare("INSERT OR REPLACE INTO span_meta (key, value) VALUES ('tokenizer', ?)").run(o.tokenizerId);
      })();
    }
    const rows = this.db.prepare('SELECT * FROM span_segments ORDER BY id').all() as Array<{
      id: number;
      datanet: string;
      tokens: Buffer;
      sa: Buffer;
      doc_starts: Buffer;
      doc_ids: string;
    }>;
    for (const r of rows) {
      const seg: Stored = {
        rowId: r.id,
        tokens: ints(r.tokens),
        sa: ints(r.sa),
        docStarts: ints(r.doc_starts),
        docIds: JSON.parse(r.doc_ids) as string[],
      };
      this.list(r.datanet).push(seg);
      for (const id of seg.docIds) this.indexed.add(id);
    }
  }

  /** Adds the documents the index lacks (start-up catch-up); returns how many were added. */
  sync(docs: Iterable<SpanDocument>): number {
    let added = 0;
    for (const d of docs) if (this.add(d)) added++;
    return added;
  }

  /** Indexes one document (no-op, false, when its doc_id is indexed already); it is searchable at once. */
  add(doc: SpanDocument): boolean {
    if (this.indexed.has(doc.docId)) return false;
    const seg = buildSegment([{ docId: doc.docId, tokens: this.o.tokenize(doc.text) }]);
    const rowId = Number(
      this.db
        .prepare('INSERT INTO span_segments (datanet, tokens, sa, doc_starts, doc_ids) VALUES (?, ?, ?, ?, ?)')
        .run(doc.datanet, blob(seg.tokens), blob(seg.sa), blob(seg.docStarts), JSON.stringify(seg.docIds))
        .lastInsertRowid,
    );
    this.list(doc.datanet).push({ ...seg, rowId });
    this.indexed.add(doc.docId);
    this.compact(doc.datanet);
    return true;
  }

  /** Resolves once no background merge is running. */
  async idle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
  }

  /**
   * Merges adjacent segments while the policy says so (the newer at least half the older, the sum
   * within the cap): merges up to SYNC_MERGE_TOKENS here, larger ones on the merger (the worker
   * thread); the old segments serve queries until the merged one replaces them.
   */
  private compact(datanet: string): void {
    const list = this.list(datanet);
    const cap = this.o.maxSegmentTokens ?? DEFAULT_MAX_SEGMENT_TOKENS;
    // newest pair first; a pair left behind by a background merge is found on a later pass
    for (let i = list.length - 2; i >= 0; i--) {
      const a = list[i]!;
      const b = list[i + 1]!;
      const size = a.tokens.length + b.tokens.length;
      if (b.tokens.length * 2 < a.tokens.length || size > cap || this.busy.has(a) || this.busy.has(b)) continue;
      if (this.o.merger === undefined || size <= (this.o.syncMergeTokens ?? SYNC_MERGE_TOKENS)) {
        this.replace(datanet, a, b, mergeSegments(a, b));
        i = list.length - 1; // start again from the newest pair
        continue;
      }
      this.busy.add(a).add(b);
      const job: Promise<void> = this.o.merger
        .merge(a, b)
        .then((merged) => {
          if (this.db.open) this.replace(datanet, a, b, merged);
        })
        .catch((err: unknown) => this.report(err, datanet))
        .finally(() => {
          this.busy.delete(a);
          this.busy.delete(b);
          this.jobs.delete(job);
          try {
            if (this.db.open) this.compact(datanet);
          } catch (err) {
            this.report(err, datanet);
          }
        });
      this.jobs.add(job);
    }
  }

  /** Swaps segments a, b (adjacent, a first) for their merge: in memory and in one transaction (row a keeps its place). */
  private replace(datanet: string, a: Stored, b: Stored, merged: SpanSegment): void {
    const list = this.list(datanet);
    const at = list.indexOf(a);
    if (at < 0 || list[at + 1] !== b) throw new Error(`span index ${datanet}: merged segments are no longer adjacent`);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE span_segments SET tokens = ?, sa = ?, doc_starts = ?, doc_ids = ? WHERE id = ?')
        .run(blob(merged.tokens), blob(merged.sa), blob(merged.docStarts), JSON.stringify(merged.docIds), a.rowId);
      this.db.prepare('DELETE FROM span_segments WHERE id = ?').run(b.rowId);
    })();
    list.splice(at, 2, { ...merged, rowId: a.rowId });
  }

  private report(err: unknown, datanet: string): void {
    if (this.o.onError) this.o.onError(err, { datanet });
    else stderrLogger.error({ err, datanet }, 'span index merge failed; the segments stay unmerged');
  }

  /**
   * The documents of `datanets` (only `docIds` when given) sharing a span of at least `minTokens`
   * with the answer; most covered first, then doc_id.
   */
  match(q: {
    answer: ArrayLike<number>;
    datanets: Iterable<string>;
    docIds?: ReadonlySet<string>;
    minTokens: number;
  }): DocumentSpans[] {
    const out: DocumentSpans[] = [];
    for (const datanet of new Set(q.datanets)) {
      for (const seg of this.segments.get(datanet) ?? []) {
        const include = q.docIds ? (d: number) => q.docIds!.has(seg.docIds[d]!) : undefined;
        for (const [d, spans] of matchSegment(seg, q.answer, { minTokens: q.minTokens, include })) {
          spans.sort((a, b) => b.length - a.length || a.answerStart - b.answerStart);
          out.push({ docId: seg.docIds[d]!, datanet, spans, longest: spans[0]!.length, covered: coveredTokens(spans) });
        }
      }
    }
    return out.sort((a, b) => b.covered - a.covered || (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
  }

  /** Counts for the bench and /metrics: segments, documents, corpus tokens and in-memory bytes. */
  stats(): { datanets: number; segments: number; documents: number; tokens: number; bytes: number } {
    let segments = 0;
    let tokens = 0;
    let bytes = 0;
    for (const list of this.segments.values())
      for (const s of list) {
        segments++;
        tokens += s.tokens.length;
        bytes += s.tokens.byteLength + s.sa.byteLength + s.docStarts.byteLength;
      }
    return { datanets: this.segments.size, segments, documents: this.indexed.size, tokens, bytes };
  }

  /** Waits for background merges, then closes the database and the merger. */
  async close(): Promise<void> {
    await this.idle();
    if (this.db.open) this.db.close();
    await this.o.merger?.close();
  }

  private list(datanet: string): Stored[] {
    let list = this.segments.get(datanet);
    if (list === undefined) this.segments.set(datanet, (list = []));
    return list;
  }
}
