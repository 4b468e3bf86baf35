// Infini-gram-style span matching: a suffix array over the token ids of a set of documents, and,
// for an answer, the longest spans it shares with each document. Pure: no I/O (persistence and
// the incremental build live in ./spanIndexStore.ts).
//
// Glossary:
//   N   corpus tokens: every document's ids, each followed by the separator -1   tokens [N]
//   D   documents in the segment                                               docStarts [D + 1]
//   A   answer tokens
//   m   minimum span, tokens (--span-min-tokens)
//
// A segment:   tokens = doc_0 ++ [-1] ++ doc_1 ++ [-1] ++ ...,  sa = suffix array of tokens [N]
//              (prefix doubling with counting sorts, O(N log N)). The separator never equals an
//              answer id (ids are >= 0), so no match crosses a document boundary.
//
// Spans. For document d and answer position i let
//   f_d(i) = max_j LCP(answer[i..], doc_d[j..])   (j_d(i) = the smallest j reaching it).
// The span at i is reported when f_d(i) >= m and it is not the tail of the span at i - 1
// (i = 0 or f_d(i - 1) < f_d(i) + 1): the maximal runs of the answer copied from d, found by
//   for each i: range = SA interval of answer[i..i+m)  (two binary searches, m tokens per compare)
//               for each occurrence p in range (at most maxOccurrences): extend the match, keep the
//               longest per document.
// Cost per answer: A * 2 log2(N) * m token compares + the occurrences' extensions.

/** A span of the answer that occurs verbatim in a document. */
export interface Span {
  /** Token offset in the answer. */
  answerStart: number;
  /** Token offset in the document (the first occurrence of the longest match). */
  docStart: number;
  /** Tokens. */
  length: number;
}

/** One suffix-array segment over a set of documents. */
export interface SpanSegment {
  /** Documents' ids each followed by -1. [N] */
  tokens: Int32Array;
  /** Suffix array of `tokens`. [N] */
  sa: Int32Array;
  /** Offset of each document in `tokens`, then N. [D + 1] */
  docStarts: Int32Array;
  /** The documents' ids (doc_id), in order. [D] */
  docIds: string[];
}

export const SEPARATOR = -1;
/** Occurrences of one m-gram examined per answer position (infini-gram caps them too). */
export const DEFAULT_MAX_OCCURRENCES = 1000;

/** Builds a segment over documents (each a list of token ids >= 0). */
export function buildSegment(docs: ReadonlyArray<{ docId: string; tokens: ArrayLike<number> }>): SpanSegment {
  const total = docs.reduce((n, d) => n + d.tokens.length + 1, 0);
  const tokens = new Int32Array(total);
  const docStarts = new Int32Array(docs.length + 1);
  let at = 0;
  docs.forEach((d, k) => {
    docStarts[k] = at;
    for (let t = 0; t < d.tokens.length; t++) {
      const id = d.tokens[t]!;
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`buildSegment: document ${d.docId} has token ${id}`);
      tokens[at++] = id;
    }
    tokens[at++] = SEPARATOR;
  });
  docStarts[docs.length] = at;
  return { tokens, sa: suffixArray(tokens), docStarts, docIds: docs.map((d) => d.docId) };
}

/** Two segments' documents in one segment (the first's documents first). */
export function mergeSegments(a: SpanSegment, b: SpanSegment): SpanSegment {
  const tokens = new Int32Array(a.tokens.length + b.tokens.length);
  tokens.set(a.tokens, 0);
  tokens.set(b.tokens, a.tokens.length);
  const docStarts = new Int32Array(a.docIds.length + b.docIds.length + 1);
  docStarts.set(a.docStarts.subarray(0, a.docIds.length), 0);
  for (let k = 0; k <= b.docIds.length; k++) docStarts[a.docIds.length + k] = b.docStarts[k]! + a.tokens.length;
  return { tokens, sa: suffixArray(tokens), docStarts, docIds: [...a.docIds, ...b.docIds] };
}

/** Suffix array by prefix doubling (Manber-Myers with counting sorts): O(N log N). A shorter suffix sorts first on ties. */
export function suffixArray(s: Int32Array): Int32Array {
  const n = s.length;
  const sa = new Int32Array(n);
  if (n === 0) return sa;
  // initial classes: the token values, compressed to 0..C-1
  const values = Int32Array.from(new Set(s)).sort();
  const classOf = new Map<number, number>();
  values.forEach((v, c) => classOf.set(v, c));
  let rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = classOf.get(s[i]!)!;
  let classes = values.length;
  let count = new Int32Array(Math.max(classes, n) + 1);
  for (let i = 0; i < n; i++) count[rank[i]!]!++;
  for (let c = 1; c < classes; c++) count[c]! += count[c - 1]!;
  for (let i = n - 1; i >= 0; i--) sa[--count[rank[i]!]!] = i;
  let next = new Int32Array(n);
  const second = new Int32Array(n);
  for (let k = 1; classes < n; k <<= 1) {
    // order by the second key (rank[i + k], empty first), then a stable counting sort by the first
    let p = 0;
    for (let i = n - k; i < n; i++) second[p++] = i;
    for (let j = 0; j < n; j++) if (sa[j]! >= k) second[p++] = sa[j]! - k;
    count = count.fill(0, 0, classes + 1);
    for (let i = 0; i < n; i++) count[rank[i]!]!++;
    for (let c = 1; c < classes; c++) count[c]! += count[c - 1]!;
    for (let j = n - 1; j >= 0; j--) sa[--count[rank[second[j]!]!]!] = second[j]!;
    next[sa[0]!] = 0;
    let c = 0;
    for (let j = 1; j < n; j++) {
      const a = sa[j - 1]!;
      const b = sa[j]!;
      if (rank[a] !== rank[b] || (a + k < n ? rank[a + k]! : -1) !== (b + k < n ? rank[b + k]! : -1)) c++;
      next[b] = c;
    }
    [rank, next] = [next, rank];
    classes = c + 1;
  }
  return sa;
}

/** The document holding corpus offset p (binary search in docStarts). */
function docAt(seg: SpanSegment, p: number): number {
  let lo = 0;
  let hi = seg.docIds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (seg.docStarts[mid]! <= p) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Compares the suffix at p with pattern[from..from+m): <0, 0 (prefix equal), >0. */
function compareAt(tokens: Int32Array, p: number, pattern: ArrayLike<number>, from: number, m: number): number {
  for (let t = 0; t < m; t++) {
    if (p + t >= tokens.length) return -1;
    const x = tokens[p + t]!;
    const y = pattern[from + t]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** [lo, hi): the suffix-array interval of suffixes starting with pattern[from..from+m). */
export function findRange(seg: SpanSegment, pattern: ArrayLike<number>, from: number, m: number): [number, number] {
  const bound = (strict: boolean): number => {
    let lo = 0;
    let hi = seg.sa.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareAt(seg.tokens, seg.sa[mid]!, pattern, from, m);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [bound(false), bound(true)];
}

export interface MatchOptions {
  /** Minimum span, tokens (>= 1). */
  minTokens: number;
  /** Only these documents (by index in the segment); default all. */
  include?: (docIndex: number) => boolean;
  maxOccurrences?: number;
}

/** Per document (by index in the segment) with at least one span: its spans, by answer offset. */
export function matchSegment(seg: SpanSegment, answer: ArrayLike<number>, options: MatchOptions): Map<number, Span[]> {
  const m = options.minTokens;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`matchSegment: minTokens must be an integer >= 1, got ${m}`);
  const cap = options.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  const a = answer.length;
  // best[d] = per answer position [length, docStart] of the longest match (length 0: none >= m)
  const best = new Map<number, Int32Array>(); // [A * 2]
  for (let i = 0; i + m <= a; i++) {
    const [lo, hi] = findRange(seg, answer, i, m);
    for (let j = lo; j < Math.min(hi, lo + cap); j++) {
      const p = seg.sa[j]!;
      const d = docAt(seg, p);
      if (options.include && !options.include(d)) continue;
      let len = m;
      while (i + len < a && seg.tokens[p + len] === answer[i + len]) len++; // stops at the separator
      let row = best.get(d);
      if (row === undefined) best.set(d, (row = new Int32Array(a * 2)));
      const start = p - seg.docStarts[d]!;
      if (len > row[2 * i]! || (len === row[2 * i]! && start < row[2 * i + 1]!)) {
        row[2 * i] = len;
        row[2 * i + 1] = start;
      }
    }
  }
  const out = new Map<number, Span[]>();
  for (const [d, row] of [...best.entries()].sort((x, y) => x[0] - y[0])) {
    const spans: Span[] = [];
    for (let i = 0; i < a; i++) {
      const len = row[2 * i]!;
      if (len >= m && (i === 0 || row[2 * (i - 1)]! < len + 1))
        spans.push({ answerStart: i, docStart: row[2 * i + 1]!, length: len });
    }
    if (spans.length > 0) out.set(d, spans);
  }
  return out;
}

/** Tokens of the answer covered by the union of spans. */
export function coveredTokens(spans: readonly Span[]): number {
  let covered = 0;
  let end = 0;
  for (const s of [...spans].sort((x, y) => x.answerStart - y.answerStart)) {
    const from = Math.max(s.answerStart, end);
    const to = s.answerStart + s.length;
    if (to > from) covered += to - from;
    end = Math.max(end, to);
  }
  return covered;
}
