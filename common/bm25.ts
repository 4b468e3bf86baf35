// BM25 ranking, with an index that grows as documents are inserted: DataNet retrieval
// (attribution/data/retrieve.ts) and `model: "auto"` routing (adapters/router.ts) both use it.
//
// Glossary: N documents in the searched corpus, df(t) documents containing term t, tf(t, d) count
// of t in d, |d| terms in d, avgdl mean |d| over the corpus, k1 = 1.2 and b = 0.75 by default.
//   idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))          (never negative)
//   score(d, q) = sum over distinct terms t of q:
//                 idf(t) * tf(t,d) * (k1 + 1) / (tf(t,d) + k1 * (1 - b + b * |d| / avgdl))
// Searching several indexes (several DataNets) pools N, df and avgdl, so scores are comparable.
// Terms come from the index's analyzer (common/text.ts; `tokenize` by default); a search
// analyses the query with the same one.
import { tokenize, type Analyzer } from './text.ts';

export interface Bm25Params {
  k1: number;
  b: number;
}
export const BM25_DEFAULTS: Bm25Params = { k1: 1.2, b: 0.75 };

export interface Bm25Hit {
  /** The index the document is in (position in the `indexes` argument). */
  index: number;
  docId: string;
  score: number;
}

export class Bm25Index {
  private readonly ids: string[] = [];
  private readonly lengths: number[] = []; // [docs]
  private readonly postings = new Map<string, Map<number, number>>(); // term -> (doc -> tf)
  private readonly known = new Set<string>();
  totalLength = 0;

  constructor(readonly analyze: Analyzer = tokenize) {}

  get size(): number {
    return this.ids.length;
  }

  /** Adds a document; a docId already present is ignored (idempotent replay of the store). */
  add(docId: string, text: string): void {
    if (this.known.has(docId)) return;
    this.known.add(docId);
    const d = this.ids.length;
    const terms = this.analyze(text);
    this.ids.push(docId);
    this.lengths.push(terms.length);
    this.totalLength += terms.length;
    for (const t of terms) {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Map()));
      p.set(d, (p.get(d) ?? 0) + 1);
    }
  }

  df(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  /** @internal for bm25Search: (doc -> tf) for a term. */
  termPostings(term: string): ReadonlyMap<number, number> | undefined {
    return this.postings.get(term);
  }

  docId(d: number): string {
    return this.ids[d]!;
  }

  docLength(d: number): number {
    return this.lengths[d]!;
  }
}

/** Top-k documents over the pooled indexes; score > 0 only; ties broken by docId ascending. */
export function bm25Search(
  indexes: readonly Bm25Index[],
  query: string,
  topK: number,
  params: Bm25Params = BM25_DEFAULTS,
): Bm25Hit[] {
  const n = indexes.reduce((a, ix) => a + ix.size, 0);
  if (n === 0 || topK <= 0) return [];
  const avgdl = indexes.reduce((a, ix) => a + ix.totalLength, 0) / n || 1;
  const analyze = indexes[0]!.analyze;
  if (indexes.some((ix) => ix.analyze !== analyze))
    throw new RangeError('bm25Search: the indexes use different analyzers');
  const terms = [...new Set(analyze(query))];
  const scores = new Map<string, Bm25Hit>();
  for (const t of terms) {
    const df = indexes.reduce((a, ix) => a + ix.df(t), 0);
    if (df === 0) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    indexes.forEach((ix, i) => {
      for (const [d, tf] of ix.termPostings(t) ?? []) {
        const norm = tf + params.k1 * (1 - params.b + (params.b * ix.docLength(d)) / avgdl);
        const key = `${i}:${d}`;
        const hit = scores.get(key) ?? { index: i, docId: ix.docId(d), score: 0 };
        hit.score += (idf * tf * (params.k1 + 1)) / norm;
        scores.set(key, hit);
      }
    });
  }
  return [...scores.values()]
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : a.index - b.index))
    .slice(0, topK);
}
