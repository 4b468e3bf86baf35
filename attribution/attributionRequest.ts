// The request fields that turn attribution on, and the `attribution` object of the response.
//
// Request (completions and chat):
//   rag          {datanets: string[] (1..8 DataNet ids), top_k?: integer 1..16 (default 4)}
//                Retrieve passages by BM25 and put them in the prompt (augmentPrompt.ts).
//                Needs a single prompt (one string, or chat messages with a user message).
//   attribution  "inline" | "async" | "off" | true | false. Default when `rag` is given or an adapter
//                serves the request and attribution is asked for: "inline" for non-stream, "async"
//                for stream. true = that default; false = "off".
//                inline: scored, signed and in the outbox before the response (or the last stream
//                        event) goes out, which carries the full object below.
//                async:  the response carries {record_id, status: "pending"} at once; the record is
//                        scored, signed and appended to the outbox afterwards.
//
// Response `attribution` (inline):
//   record_id   bytes32 = recordIdOf(request id, replica id)        status  "signed"
//   method      "shapley-exact-v1" | "linear-surrogate-v1" | "loo-logprob-v1" | "adapter-logprob-v1"
//   signer, signature, digest                           EIP-712 (attribution/eip712.ts)
//   sources     [{doc_id, datanet, contributor, share_ppm, score, amount}]  (retrieval order)
//   adapter     {id, owner, share_ppm, score, amount} | null
//   training_sources  [{example_id, doc_id, datanet, contributor, score, influence, reputation_ppm,
//               span_tokens, share_ppm, amount}]  the serving adapter's training examples (share desc)
//   training    {by_contributor: [{contributor, share_ppm, amount}], by_datanet: [{datanet, share_ppm, amount}]}
//   spans       [{doc_id, datanet, longest, covered, spans: [{answer_start, doc_start, length}]}]
//               verbatim spans of the answer (>= --span-min-tokens) in passages' DataNets and training documents
//   fee         {total, model, adapter, data, training}  uint256 decimal strings (smallest units)
// `score` is in nats of log p(answer); share_ppm integers; amounts decimal strings.

import { RequestError } from '../common/index.ts';
import { MAX_RAG_DATANETS, MAX_TOP_K } from './data/retrieve.ts';

export type AttributionMode = 'inline' | 'async' | 'off';
export const DEFAULT_TOP_K = 4;

export interface RagOptions {
  datanets: string[];
  topK: number;
}

export interface AttributionRequestOptions {
  rag: RagOptions | null;
  /** 'off' when neither `rag` nor `attribution` asked for anything. */
  mode: AttributionMode;
}

/** Validates `body.rag` and `body.attribution` (400 invalid_request naming the field). */
export function parseAttributionRequest(body: {
  rag?: unknown;
  attribution?: unknown;
  stream?: unknown;
}): AttributionRequestOptions {
  const rag = parseRag(body.rag);
  const fallback: AttributionMode = body.stream === true ? 'async' : 'inline';
  const a = body.attribution;
  let mode: AttributionMode;
  if (a === undefined || a === null) mode = rag ? fallback : 'off';
  else if (a === true) mode = fallback;
  else if (a === false || a === 'off') mode = 'off';
  else if (a === 'inline' || a === 'async') mode = a;
  else
    throw new RequestError('invalid_request', 'attribution must be "inline", "async", "off", true or false', {
      param: 'attribution',
    });
  return { rag, mode };
}

function parseRag(rag: unknown): RagOptions | null {
  if (rag === undefined || rag === null) return null;
  if (typeof rag !== 'object' || Array.isArray(rag)) {
    throw new RequestError('invalid_request', 'rag must be an object {datanets: [ids], top_k}', { param: 'rag' });
  }
  const { datanets, top_k: topK = DEFAULT_TOP_K, ...rest } = rag as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    throw new RequestError('invalid_request', `rag has unknown field ${extra[0]} (allowed: datanets, top_k)`, {
      param: `rag.${extra[0]}`,
    });
  if (
    !Array.isArray(datanets) ||
    datanets.length === 0 ||
    datanets.length > MAX_RAG_DATANETS ||
    datanets.some((d) => typeof d !== 'string' || d.length === 0)
  ) {
    throw new RequestError('invalid_request', `rag.datanets must be a list of 1 to ${MAX_RAG_DATANETS} DataNet ids`, {
      param: 'rag.datanets',
    });
  }
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    throw new RequestError('invalid_request', `rag.top_k must be an integer in [1, ${MAX_TOP_K}]`, {
      param: 'rag.top_k',
    });
  }
  return { datanets: datanets as string[], topK };
}

export type SourceAttribution = {
  doc_id: string;
  datanet: string;
  contributor: string;
  share_ppm: number;
  /** Shapley value / leave-one-out drop, nats of log p(answer). */
  score: number;
  amount: string;
};

export type AdapterAttribution = {
  id: string;
  owner: string | null;
  share_ppm: number;
  /** log p(answer | adapter) - log p(answer | base), nats. */
  score: number;
  amount: string;
};

export type TrainingSourceAttribution = {
  example_id: string;
  doc_id: string | null;
  datanet: string | null;
  contributor: string | null;
  /** Composite score: max(influence, 0) x reputation. */
  score: number;
  /** DataInf helpfulness (0 when not computed). */
  influence: number;
  reputation_ppm: number;
  /** Longest verbatim span of the answer from this example, tokens. */
  span_tokens: number;
  share_ppm: number;
  amount: string;
};

export type DocumentSpansAttribution = {
  doc_id: string;
  datanet: string;
  longest: number;
  covered: number;
  spans: Array<{ answer_start: number; doc_start: number; length: number }>;
};

export type AttributionResult = {
  record_id: string;
  status: 'signed';
  method: string;
  signer: string;
  signature: string;
  digest: string;
  sources: SourceAttribution[];
  adapter: AdapterAttribution | null;
  training_sources: TrainingSourceAttribution[];
  training: {
    by_contributor: Array<{ contributor: string | null; share_ppm: number; amount: string }>;
    by_datanet: Array<{ datanet: string | null; share_ppm: number; amount: string }>;
  };
  spans: DocumentSpansAttribution[];
  fee: { total: string; model: string; adapter: string; data: string; training: string };
  /** Validators of the governed DataNets used (--fee-validators-ppm; record version 3), when paid. */
  validators?: Array<{ datanet: string; validator: string; amount: string }>;
};

export type PendingAttribution = {
  record_id: string;
  status: 'pending';
};
