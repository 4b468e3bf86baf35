// `model: "auto"`: picks the adapter whose domain fits the query, from each adapter's
// description and tags (loraledger.json). Deterministic and explainable; null = the base model.
//
//   lexical(q, a)  = BM25(q, description + tags of a)         common/bm25.ts, k1 = 1.2, b = 0.75, tags count twice
//   lexNorm        = lexical / (lexical + LEX_HALF)            in [0, 1): LEX_HALF gives 0.5
//   semantic(q, a) = cos(embed(q), embed(doc a)), only when an `embed` function is given, taken
//                    relative to the mean over adapters (shared filler words lift every cosine alike):
//                    semNorm = max(0, (cos - mean) / (1 - mean))
//   score          = (1 - w) * lexNorm + w * semNorm           w = embedWeight (0 without embed)
//   route to the best score if it reaches minScore, else null; ties go to the smaller id.
//
// Terms: common/text.ts `terms` (letter/digit runs minus stop words, lightly stemmed: rashes -> rash,
// dermatologist/dermatology -> dermatolog, cooking -> cook).
// Glossary: N adapters, D embedding size.

import { Bm25Index, bm25Search, cosine, terms } from '../common/index.ts';

const LEX_HALF = 1.5;

export interface RoutableAdapter {
  id: string;
  description: string | null;
  tags: string[];
}

export interface RouteCandidate {
  adapterId: string;
  score: number;
  lexical: number;
  /** null when no embed function was given. */
  semantic: number | null;
  /** Query terms (stemmed) found in the adapter's description or tags. */
  matched: string[];
}

export interface RouteDecision {
  adapterId: string | null;
  score: number;
  reason: string;
  /** Best three, best first. */
  candidates: RouteCandidate[];
}

export interface AdapterRouterOptions {
  /** Text -> embedding (e.g. mean of the base model's token-embedding rows, see meanEmbedder). */
  embed?: (text: string) => Float32Array;
  /** Weight of the semantic part in [0, 1]; default 0.3 with embed, 0 without. */
  embedWeight?: number;
  /** Scores below this route to the base model (null). Default 0.15. */
  minScore?: number;
}

interface Doc {
  id: string;
  text: string;
  vector: Float32Array | null; // [D], computed on first use
}

export class AdapterRouter {
  private readonly embed: ((text: string) => Float32Array) | undefined;
  private readonly w: number;
  private readonly minScore: number;
  private docs: Doc[] = [];
  private index = new Bm25Index(terms); // document d of the index is docs[d]

  constructor(opts: AdapterRouterOptions = {}) {
    this.embed = opts.embed;
    this.w = opts.embed ? (opts.embedWeight ?? 0.3) : 0;
    this.minScore = opts.minScore ?? 0.15;
    if (this.w < 0 || this.w > 1) throw new RangeError(`embedWeight must be in [0, 1], got ${this.w}`);
  }

  /** Replaces the routable set. Adapters with neither description nor tags are never chosen. */
  setAdapters(adapters: RoutableAdapter[]): void {
    this.docs = [];
    this.index = new Bm25Index(terms);
    for (const a of [...adapters].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))) {
      const text = [a.description ?? '', ...a.tags].join(' ').trim();
      if (text === '') continue;
      this.index.add(a.id, [a.description ?? '', ...a.tags, ...a.tags].join(' '));
      this.docs.push({ id: a.id, text, vector: null });
    }
  }

  route(query: string): RouteDecision {
    const q = [...new Set(terms(query))];
    const n = this.docs.length;
    let qVec: Float32Array | null = null;
    const cos: number[] = [];
    if (this.embed && n > 0) {
      qVec = this.embed(query);
      for (const d of this.docs) cos.push(cosine(qVec, (d.vector ??= this.embed(d.text))));
    }
    const mean = cos.length > 1 ? cos.reduce((s, c) => s + c, 0) / cos.length : 0;
    const bm25 = new Map(bm25Search([this.index], query, n).map((h) => [h.docId, h.score]));
    const all: RouteCandidate[] = this.docs.map((d, i) => {
      const lexical = bm25.get(d.id) ?? 0;
      const matched = q.filter((t) => this.index.termPostings(t)?.has(i));
      const lexNorm = lexical / (lexical + LEX_HALF);
      const semantic = qVec ? Math.max(0, (cos[i]! - mean) / (1 - mean || 1)) : null;
      const score = (1 - this.w) * lexNorm + this.w * (semantic ?? 0);
      return { adapterId: d.id, score, lexical: lexNorm, semantic, matched };
    });
    all.sort((x, y) => y.score - x.score || (x.adapterId < y.adapterId ? -1 : 1));
    const candidates = all.slice(0, 3);
    const best = candidates[0];
    const fmt = (c: RouteCandidate) =>
      `${c.adapterId} ${c.score.toFixed(3)} (lexical ${c.lexical.toFixed(3)}${c.semantic === null ? '' : `, semantic ${c.semantic.toFixed(3)}`}${c.matched.length ? `; matched ${c.matched.join(', ')}` : ''})`;
    if (!best)
      return {
        adapterId: null,
        score: 0,
        reason: 'no adapter has a description or tags to route by: base model',
        candidates,
      };
    if (best.score < this.minScore) {
      return {
        adapterId: null,
        score: best.score,
        reason: `no adapter reached the routing threshold ${this.minScore} (best: ${fmt(best)}): base model`,
        candidates,
      };
    }
    return { adapterId: best.adapterId, score: best.score, reason: `routed to ${fmt(best)}`, candidates };
  }
}

/**
 * The embedding the router compares: the mean of the base model's token-embedding rows for the
 * text's tokens. `table` is embed_tokens.weight [V, D].
 */
export function meanEmbedder(
  encode: (text: string) => number[],
  table: Float32Array,
  hiddenSize: number,
): (text: string) => Float32Array {
  const V = table.length / hiddenSize;
  return (text) => {
    const out = new Float32Array(hiddenSize); // [D]
    const ids = encode(text).filter((i) => i >= 0 && i < V);
    for (const id of ids) for (let d = 0; d < hiddenSize; d++) out[d] += table[id * hiddenSize + d]!;
    if (ids.length > 0) for (let d = 0; d < hiddenSize; d++) out[d] /= ids.length;
    return out;
  };
}
