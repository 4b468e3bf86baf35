// Training-data attribution for one request (issue 15): which of the serving adapter's training
// examples shaped the answer, from two kinds of evidence, and their shares of the training pool.
//
//   passageSpans = spans of the answer in the retrieved passages' DataNets     (reported, not paid:
//                  the passages are paid by Shapley / leave-one-out already)
//   examples     = the adapter's manifest (loraledger.json training.examples)  none -> no training sources
//   scores       = influence.score({adapter, prompt ids, answer ids, topK})    DataInf; a failure is
//                  reported through onError and the request goes on with spans alone
//   trainSpans   = spans of the answer in the manifest's DataNet documents (example id = doc_id);
//                  copied_i = answer tokens they cover, each token split among the documents covering it
//   candidates   = scores' examples ∪ examples with a span, named by the manifest
//   shares       = trainingShares(candidates)  (scoring/trainingShares.ts: positive influence x
//                  reputation, lifted by verbatim spans)
//   method       '+datainf-v1' (influence, spans beside it) | '+spans-v1' (spans only) | '' (no manifest)
// Pure orchestration: the scorer, the manifest reader and the span index are injected.

import { normaliseAddress } from './records/address.ts';
import { ZERO_HASH, type Hex, type SpanMatch } from './records/recordTypes.ts';
import type { TrainingSourceInput } from './records/buildRecord.ts';
import type { DocumentSpans } from './data/spanIndexStore.ts';
import type { TrainingExampleScore, TrainingInfluence } from './scoring/influence/trainingInfluence.ts';
import type { AttributionResult, TrainingSourceAttribution } from './attributionRequest.ts';
import {
  rollUp,
  trainingShares,
  UNIT_REPUTATION,
  type ContributorReputation,
  type TrainingShare,
} from './scoring/trainingShares.ts';

/** A manifest entry (loraledger.json `training.examples[i]`). */
export interface ManifestExampleRef {
  id: string;
  datanet: string | null;
  contributor: string | null;
}

/** The span index as this file uses it (data/spanIndexStore.ts SpanIndex). */
export interface SpanMatcher {
  match(q: {
    answer: ArrayLike<number>;
    datanets: Iterable<string>;
    docIds?: ReadonlySet<string>;
    minTokens: number;
  }): DocumentSpans[];
}

export interface TrainingAttributionOptions {
  /** DataInf over the adapter's stored training gradients; null: spans only. */
  influence: TrainingInfluence | null;
  /** The adapter's manifest examples, null when it has none (not factory-trained). */
  examples: (adapterId: string) => Promise<readonly ManifestExampleRef[] | null>;
  /** null: no span matching. */
  spans: SpanMatcher | null;
  /** --span-min-tokens. */
  minTokens: number;
  /** Examples asked of the influence scorer. */
  topK: number;
  reputation?: ContributorReputation;
  /** Where an influence failure goes (the request is still attributed, from spans). */
  onError: (err: unknown, context: { requestId: string }) => void;
}

export interface TrainingAttribution {
  /** Candidates with their shares (zero-share, span-less ones dropped). */
  shares: TrainingShare[];
  /** Every document sharing a span with the answer (passages' DataNets and training documents). */
  documents: DocumentSpans[];
  /** Suffix for the record's method ('' when the adapter has no manifest). */
  method: string;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

export async function attributeTraining(
  o: TrainingAttributionOptions,
  req: {
    requestId: string;
    adapterId: string | null;
    promptIds: number[];
    outputIds: number[];
    passageDatanets: readonly string[];
  },
): Promise<TrainingAttribution> {
  const match = (datanets: Iterable<string>, docIds?: ReadonlySet<string>): DocumentSpans[] =>
    o.spans && req.outputIds.length > 0
      ? o.spans.match({ answer: req.outputIds, datanets, docIds, minTokens: o.minTokens })
      : [];
  const documents = new Map(match(req.passageDatanets).map((d) => [d.docId, d]));
  let examples: readonly ManifestExampleRef[] | null = null;
  try {
    examples = req.adapterId === null ? null : await o.examples(req.adapterId);
  } catch (err) {
    o.onError(err, { requestId: req.requestId }); // an unreadable manifest: the record goes out without training sources
  }
  if (req.adapterId === null || examples === null || examples.length === 0)
    return { shares: [], documents: [...documents.values()], method: '' };

  let scores: TrainingExampleScore[] | null = null;
  if (o.influence !== null && req.outputIds.length > 0) {
    try {
      scores = await o.influence.score({
        adapterId: req.adapterId,
        promptIds: req.promptIds,
        completionIds: req.outputIds,
        topK: o.topK,
      });
    } catch (err) {
      o.onError(err, { requestId: req.requestId });
    }
  }
  const byId = new Map(examples.map((e) => [e.id, e]));
  const dataNetExamples = examples.filter((e) => e.datanet !== null);
  const trainSpans = match(new Set(dataNetExamples.map((e) => e.datanet!)), new Set(dataNetExamples.map((e) => e.id)));
  for (const d of trainSpans) documents.set(d.docId, d);

  const candidates = new Map<string, Parameters<typeof trainingShares>[0][number]>();
  const candidate = (exampleId: string, fallback?: TrainingExampleScore) => {
    let c = candidates.get(exampleId);
    if (c === undefined) {
      const e = byId.get(exampleId);
      const docId = fallback?.docId ?? (e?.datanet ? e.id : null);
      c = {
        exampleId,
        docId: docId !== null && BYTES32.test(docId) ? docId : null,
        datanet: fallback?.datanet ?? e?.datanet ?? null,
        contributor: payable(fallback?.contributor ?? e?.contributor ?? null),
        influence: 0,
        spanTokens: 0,
        coveredTokens: 0,
      };
      candidates.set(exampleId, c);
    }
    return c;
  };
  for (const s of scores ?? []) candidate(s.exampleId, s).influence += s.score;
  const credit = copyCredit(trainSpans, req.outputIds.length);
  trainSpans.forEach((d, i) => {
    const c = candidate(d.docId);
    c.spanTokens = d.longest;
    c.coveredTokens = credit[i]!;
  });
  const shares = trainingShares([...candidates.values()], {
    answerTokens: req.outputIds.length,
    reputation: o.reputation ?? UNIT_REPUTATION,
  }).filter((s) => s.sharePpm > 0 || s.spanTokens > 0);
  return { shares, documents: [...documents.values()], method: scores !== null ? '+datainf-v1' : '+spans-v1' };
}

/**
 * Answer tokens each document supplied verbatim, a copied token credited once: split evenly among
 * the documents whose spans cover it (a phrase every document holds proves copying from none).
 */
export function copyCredit(documents: readonly DocumentSpans[], answerTokens: number): number[] {
  const cover = documents.map((d) => {
    const mask = new Uint8Array(answerTokens); // [A]
    for (const s of d.spans) mask.fill(1, s.answerStart, Math.min(answerTokens, s.answerStart + s.length));
    return mask;
  });
  const holders = new Uint32Array(answerTokens); // [A]
  for (const mask of cover) for (let t = 0; t < answerTokens; t++) holders[t]! += mask[t]!;
  return cover.map((mask) => {
    let credit = 0;
    for (let t = 0; t < answerTokens; t++) if (mask[t]) credit += 1 / holders[t]!;
    return credit;
  });
}

function payable(contributor: string | null): string | null {
  if (contributor === null) return null;
  try {
    return normaliseAddress(contributor, 'contributor');
  } catch {
    return null; // a manifest contributor that is no address is reported, never paid
  }
}

/** The record's training sources (share order is buildRecord's job). */
export function recordTrainingSources(shares: readonly TrainingShare[]): TrainingSourceInput[] {
  return shares.map((s) => ({
    exampleId: s.exampleId,
    docId: (s.docId ?? ZERO_HASH) as Hex,
    datanet: s.datanet ?? '',
    contributor: (s.contributor ?? `0x${'0'.repeat(40)}`) as Hex,
    influence: String(s.influence === 0 ? 0 : s.influence),
    reputationPpm: s.reputationPpm,
    spanTokens: s.spanTokens,
    sharePpm: s.sharePpm,
  }));
}

/** Every span of every document, for the record (buildRecord keeps the longest). */
export function recordSpans(documents: readonly DocumentSpans[]): SpanMatch[] {
  return documents.flatMap((d) =>
    d.spans.map((s) => ({ docId: d.docId as Hex, answerStart: s.answerStart, docStart: s.docStart, length: s.length })),
  );
}

/** The response's training_sources (share desc), roll-ups per contributor and DataNet, and spans. */
export function trainingResult(
  t: TrainingAttribution,
  amounts: readonly bigint[],
): Pick<AttributionResult, 'training_sources' | 'training' | 'spans'> {
  const sources: TrainingSourceAttribution[] = t.shares.map((s, i) => ({
    example_id: s.exampleId,
    doc_id: s.docId,
    datanet: s.datanet,
    contributor: s.contributor,
    score: s.composite,
    influence: s.influence,
    reputation_ppm: s.reputationPpm,
    span_tokens: s.spanTokens,
    share_ppm: s.sharePpm,
    amount: amounts[i]!.toString(),
  }));
  const roll = (key: (s: TrainingSourceAttribution) => string | null) =>
    rollUp(
      sources.map((s) => ({ sharePpm: s.share_ppm, amount: s.amount, k: key(s) ?? '' })),
      (x) => x.k,
    ).map((r) => ({ key: r.key === '' ? null : r.key, share_ppm: r.sharePpm, amount: r.amount }));
  return {
    training_sources: sources.sort(
      (a, b) => b.share_ppm - a.share_ppm || (a.example_id < b.example_id ? -1 : a.example_id > b.example_id ? 1 : 0),
    ),
    training: {
      by_contributor: roll((s) => s.contributor).map(({ key, ...r }) => ({ contributor: key, ...r })),
      by_datanet: roll((s) => s.datanet).map(({ key, ...r }) => ({ datanet: key, ...r })),
    },
    spans: t.documents.map((d) => ({
      doc_id: d.docId,
      datanet: d.datanet,
      longest: d.longest,
      covered: d.covered,
      spans: d.spans.map((s) => ({ answer_start: s.answerStart, doc_start: s.docStart, length: s.length })),
    })),
  };
}
