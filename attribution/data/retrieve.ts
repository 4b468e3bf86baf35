// Retrieval: BM25 over the requested DataNets (one incremental index per DataNet, pooled at query
// time), then an optional re-rank by cosine similarity of base-model embeddings.
//
//   candidates = bm25Search(indexes of datanets, query, embed ? topK * RERANK_POOL : topK)
//   with embed:  score = cos(embed(query), embed(passage)), sorted desc, ties by doc_id
//   without:     score = BM25 score
// Indexes are built from the store on first use and follow every later insert (store.onDocument).

import { RequestError } from '../../common/index.ts';
import { Bm25Index, bm25Search, cosine, BM25_DEFAULTS, type Bm25Params } from '../../common/index.ts';
import type { DatanetStore } from './datanetStore.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

export interface Passage {
  docId: Hex;
  datanet: string;
  contributor: Address;
  text: string;
  /** Ranking score (cosine when re-ranked, else BM25). */
  score: number;
  /** BM25 score. */
  bm25: number;
}

/** Embeds texts with the base model (e.g. mean-pooled final hidden states); one vector per text. */
export type EmbedFn = (texts: string[]) => Promise<Float32Array[]>;

export interface RetrieveRequest {
  datanets: string[];
  query: string;
  topK: number;
}

export const MAX_TOP_K = 16;
export const MAX_RAG_DATANETS = 8;
const RERANK_POOL = 4;

export class Retriever {
  private readonly indexes = new Map<string, Bm25Index>();

  constructor(
    private readonly store: DatanetStore,
    private readonly options: { params?: Bm25Params; embed?: EmbedFn } = {},
  ) {
    store.onDocument((doc) => this.indexes.get(doc.datanet)?.add(doc.docId, doc.text));
  }

  /** Top-k passages; 404 datanet_not_found for an unknown DataNet, 400 for bad fields. */
  async retrieve(req: RetrieveRequest): Promise<Passage[]> {
    validateRetrieve(req);
    const names = [...new Set(req.datanets)];
    const indexes = names.map((n) => this.index(n));
    const pool = this.options.embed ? req.topK * RERANK_POOL : req.topK;
    const hits = bm25Search(indexes, req.query, pool, this.options.params ?? BM25_DEFAULTS);
    // A document rejected after approval (an upheld challenge) stays in the BM25 index but is never served.
    const docs = hits
      .map((h) => ({ h, doc: this.store.getDocument(h.docId) }))
      .filter((x) => x.doc.state === 'approved');
    const passages = docs.map(({ h, doc }): Passage => {
      return {
        docId: doc.docId,
        datanet: doc.datanet,
        contributor: doc.contributor,
        text: doc.text,
        score: h.score,
        bm25: h.score,
      };
    });
    if (!this.options.embed || passages.length === 0) return passages;
    const vectors = await this.options.embed([req.query, ...passages.map((p) => p.text)]);
    const q = vectors[0]!;
    passages.forEach((p, i) => {
      p.score = cosine(q, vectors[i + 1]!);
    });
    return passages
      .sort((a, b) => b.score - a.score || (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0))
      .slice(0, req.topK);
  }

  private index(datanet: string): Bm25Index {
    let ix = this.indexes.get(datanet);
    if (!ix) {
      const docs = this.store.allDocuments(datanet); // 404 when unknown
      ix = new Bm25Index();
      for (const d of docs) ix.add(d.docId, d.text);
      this.indexes.set(datanet, ix);
    }
    return ix;
  }
}

export function validateRetrieve(req: RetrieveRequest): void {
  const { datanets, topK, query } = req;
  if (
    !Array.isArray(datanets) ||
    datanets.length === 0 ||
    datanets.length > MAX_RAG_DATANETS ||
    datanets.some((d) => typeof d !== 'string')
  ) {
    throw new RequestError('invalid_request', `rag.datanets must be a list of 1 to ${MAX_RAG_DATANETS} DataNet ids`, {
      param: 'rag.datanets',
    });
  }
  if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    throw new RequestError('invalid_request', `rag.top_k must be an integer in [1, ${MAX_TOP_K}]`, {
      param: 'rag.top_k',
    });
  }
  if (typeof query !== 'string')
    throw new RequestError('invalid_request', 'the retrieval query must be a string', { param: 'prompt' });
}

/** Cosine similarity of two equal-length vectors (0 when either is all zeros). */
