// Proof of Attribution for one request: retrieve -> augment -> (model generates) -> score every
// ablation in batched engine.score calls -> shares -> fee split -> record -> sign -> outbox.
//
//   prepare(i)       reads body.rag / body.attribution; with rag: passages = retrieve(datanets,
//                    query, top_k) and returns parts' = augmentPrompt(parts, passages). Remembers
//                    the request (by id) so onCompletion can attribute it; forget(id) drops it.
//   attribute(a)     plan = exact Shapley (k <= maxExactShapleyK, default 4: all 2^k subsets), else the
//                    linear surrogate (2k subsets: ∅, singletons, prefixes of the served order; see
//                    scoring/scoreSources.ts); the engine scores shared prompt prefixes once;
//                    base = score([full prompt, base model]) when an adapter served, sent first
//                    (it shares nothing with the rest) so it runs while the subsets are tokenized;
//                    values = score([subset prompts with the serving adapter], reuseKvOf: the
//                    answer's retained keys/values).total;
//                    source scores = combine(plan, values); shares = sharesPpm(scores);
//                    adapter score = v(full, adapter) - base; adapter share = 1 - e^-score;
//                    fee = computeFee(usage); split = splitFee(...); record = buildRecord(...);
//                    training = attributeTraining(...) (trainingSources.ts: the adapter's training
//                    examples by DataInf influence and verbatim spans; spans in the passages' DataNets);
//                    split = splitFee(... training shares: the adapter's earnings shared with them);
//                    signed = sink.record(record) (sign + durable outbox append)  -- BEFORE returning.
//                    Records are version 2 (training sources and spans, possibly empty). Inline mode
//                    waits for the training influence too: what contributors are paid must not
//                    depend on the client's choice of mode.
//   onCompletion(i)  the server's AttributionHook: attributes a prepared request (inline) or starts
//                    it in the background and returns {record_id, status: "pending"} (async).
// Core: no Fastify, ORT or viem; the scorer (engine.score), record sink and tokenizer are injected.

import { EngineError, RequestError, nextTurn, stderrLogger } from '../common/index.ts';
import { normaliseAddress } from './records/address.ts';
import { augmentPrompt, DEFAULT_RAG_TEMPLATE, ragQuery, type RagTemplate } from './data/augmentPrompt.ts';
import type { ChatMessage, ChatTemplateTool, PromptParts } from '../kernels/model/index.ts';
import {
  parseAttributionRequest,
  type AttributionMode,
  type AttributionResult,
  type PendingAttribution,
  type RagOptions,
} from './attributionRequest.ts';
import { buildRecord, promptContext, recordIdOf } from './records/buildRecord.ts';
import type { RecordSigner } from './records/eip712.ts';
import { computeFee, splitFee, type FeeConfig, type ValidatorStakes } from './scoring/fees.ts';
import { reputationWeighted } from './scoring/reputationWeight.ts';
import type { Address, AttributionRecord, SignedRecord } from './records/recordTypes.ts';
import type { Passage, Retriever } from './data/retrieve.ts';
import type { ContributorReputation } from './scoring/trainingShares.ts';
import type { TrainingInfluence } from './scoring/influence/trainingInfluence.ts';
import {
  attributeTraining,
  recordSpans,
  recordTrainingSources,
  trainingResult,
  type ManifestExampleRef,
  type SpanMatcher,
} from './trainingSources.ts';
import {
  adapterSharePpm,
  combineScores,
  planAttribution,
  sharesPpm,
  MAX_EXACT_SHAPLEY_K,
  type AttributionMethod,
} from './scoring/scoreSources.ts';

/** The record's `method` for each passage-scoring method (versioned: a change of maths is a new name). */
const METHOD_NAMES: Record<AttributionMethod, string> = {
  shapley: 'shapley-exact-v1',
  leave_one_out: 'loo-logprob-v1',
  linear_surrogate: 'linear-surrogate-v1',
};

/** Whether attributing an answer scores anything: passages to score, or an adapter's influence. */
function scoresAnything(passages: number, adapterId: string | null): boolean {
  return passages > 0 || adapterId !== null;
}

function defaultOnTrainingError(err: unknown, context: { requestId: string }): void {
  stderrLogger.warn(
    { err, ...context },
    'training-data influence unavailable; the record names training sources from spans only',
  );
}

function defaultOnError(err: unknown, context: { requestId: string }): void {
  stderrLogger.error({ err, ...context }, 'async attribution failed; no record for this request');
}

/** engine.score: teacher-forced log p(targetIds | promptIds) under an adapter (null = base). */
export interface Scorer {
  /** `reuseKvOf`: the engine request whose retained keys/values the full prompt's variants may read. */
  score(
    variants: Array<{ promptIds: number[]; targetIds: number[]; adapterId: string | null }>,
    options?: { reuseKvOf?: string },
  ): Promise<Array<{ total: number }>>;
}
/** Signs a record and appends it to the durable outbox; resolves once durable (Settlement.record). */
export interface RecordSink {
  record(record: AttributionRecord): Promise<SignedRecord>;
}
/** The durable outbox: append is durable when it returns (or resolves). */
export interface RecordOutbox {
  append(signed: SignedRecord): unknown;
}

/** A RecordSink from a signer and an outbox: sign, then append (durable) before resolving. */
export function signAndAppend(signer: RecordSigner, outbox: RecordOutbox): RecordSink {
  return {
    async record(record) {
      const signed = await signer.sign(record);
      await outbox.append(signed);
      return signed;
    },
  };
}
/** Prompt parts -> the ids the model sees (the server's tokenizer; chat through its template). */
export interface PromptTokenizer {
  encode(text: string): number[];
  applyChatTemplate(messages: ChatMessage[], opts?: { tools?: ChatTemplateTool[] }): number[];
}

export interface AttributionServiceOptions {
  retriever: Retriever;
  scorer: Scorer;
  /** Signs and durably stores records (Settlement, or signAndAppend(signer, outbox)). */
  sink: RecordSink;
  tokenizer: PromptTokenizer;
  fees: FeeConfig;
  /** Base model id (the record's `model`). */
  model: string;
  /** This replica's id (--replica-id): record ids carry it (recordIdOf). Default: none. */
  replicaId?: string;
  /** Payout address of an adapter's owner, or null when it has none. */
  adapterOwner: (adapterId: string) => string | null;
  template?: RagTemplate;
  /** Exact Shapley up to this many passages, else `largeKMethod`. Default 4 (MAX_EXACT_SHAPLEY_K). */
  maxExactShapleyK?: number;
  /** The method beyond maxExactShapleyK passages. Default linear_surrogate. */
  largeKMethod?: AttributionMethod;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** Where async-mode failures go (a log line with context; the server logs them with pino). Default: stderrLogger. */
  onError?: (err: unknown, context: { requestId: string }) => void;
  /** Prepared requests remembered for the completion hook (oldest forgotten first). Default 10000. */
  maxPending?: number;
  /** Training-data influence of an adapter's examples (DataInf); absent: training sources from spans alone. */
  trainingInfluence?: TrainingInfluence | null;
  /** An adapter's manifest examples (loraledger.json training.examples), null when it has none. Default: none. */
  trainingExamples?: (adapterId: string) => Promise<readonly ManifestExampleRef[] | null>;
  /** The DataNet span index; absent: no spans. */
  spanIndex?: SpanMatcher | null;
  /** --span-min-tokens: shortest span reported, tokens. Default 8. */
  spanMinTokens?: number;
  /** Training examples asked of the influence scorer. Default 16. */
  trainingTopK?: number;
  /** Validator stakes of governed DataNets, for the validators' fee pool (fees.split.validators). Default: none paid. */
  validatorStakes?: (datanets: string[]) => Promise<ValidatorStakes>;
  /** Contributor reputation (composite = influence x reputation). Default: 1 for everyone. */
  reputation?: ContributorReputation;
  /** Where a training-influence or manifest failure goes (the record still goes out, from spans). Default: stderrLogger.warn. */
  onTrainingError?: (err: unknown, context: { requestId: string }) => void;
}

export const DEFAULT_SPAN_MIN_TOKENS = 8;
export const DEFAULT_TRAINING_TOP_K = 16;

/** What the server's prepare hook passes (server/ports AttributionHook.prepare). */
export interface PrepareInput {
  requestId: string;
  /** The raw request body; `rag` and `attribution` are read from it (attributionRequest.ts). */
  body: Record<string, unknown>;
  /** The user's prompt, or null for token-id / multi-prompt completions. */
  parts: PromptParts | null;
  /** Name of the API key that pays (server/security), null when keys are off. */
  payer?: string | null;
}

export interface AttributeRequest {
  requestId: string;
  /** The user's own prompt (before augmentation); null for token-id prompts (then no passages). */
  parts: PromptParts | null;
  passages: Passage[];
  adapterId: string | null;
  /** The ids actually served for the full passage set; re-tokenized when absent. */
  servedPromptIds?: number[];
  outputIds: number[];
  outputText: string;
  usage: { promptTokens: number; completionTokens: number };
  /** Name of the API key that pays (the server's request.payer); the record names it, never the key. */
  payer?: string | null;
  /** The engine request whose keys/values were retained for this answer (scoring reads them). */
  retainedKv?: string;
}

/** The subset of the server's CompletionRecordInput the hook reads. */
export interface CompletionInput {
  requestId: string;
  adapterId: string | null;
  promptIds: number[][];
  outputs: Array<{ index: number; text: string; tokenIds: number[] }>;
  usage: { prompt_tokens: number; completion_tokens: number };
  retainedKv?: string;
}

interface Ticket {
  parts: PromptParts | null;
  passages: Passage[];
  mode: AttributionMode;
  payer: string | null;
}

/** Implements the server's AttributionHook (server/ports.ts): prepare, onCompletion, forget. */
export class AttributionService {
  private readonly tickets = new Map<string, Ticket>();
  private readonly jobs = new Set<Promise<void>>();
  private readonly o: AttributionServiceOptions;

  constructor(options: AttributionServiceOptions) {
    this.o = options;
  }

  /**
   * Before tokenization: validates `rag` / `attribution`; with rag, retrieves and returns the
   * augmented prompt (null = prompt unchanged); remembers the request unless attribution is off.
   */
  async prepare(input: PrepareInput): Promise<PromptParts | null> {
    const { rag, mode } = parseAttributionRequest(input.body);
    if (rag && input.parts === null) {
      throw new RequestError(
        'invalid_request',
        'rag needs a single text prompt (a string, or chat messages), not token ids or a list of prompts',
        { param: 'rag' },
      );
    }
    const passages = rag && input.parts ? await this.retrieve(input.parts, rag) : [];
    if (mode !== 'off')
      this.remember(input.requestId, { parts: input.parts, passages, mode, payer: input.payer ?? null });
    return rag && input.parts ? augmentPrompt(input.parts, passages, this.template) : null;
  }

  /** The passages rag retrieves for a prompt (query = completion prompt / last user message). */
  retrieve(parts: PromptParts, rag: RagOptions): Promise<Passage[]> {
    return this.o.retriever.retrieve({ datanets: rag.datanets, topK: rag.topK, query: ragQuery(parts) });
  }

  /** Passages remembered for a prepared request (for tests and logs). */
  passagesOf(requestId: string): Passage[] | undefined {
    return this.tickets.get(requestId)?.passages;
  }

  /** The server's AttributionHook: null for requests that were not prepared with attribution on. */
  async onCompletion(input: CompletionInput): Promise<AttributionResult | PendingAttribution | null> {
    const ticket = this.tickets.get(input.requestId);
    if (!ticket) return null;
    this.tickets.delete(input.requestId);
    const first = input.outputs.find((o) => o.index === 0) ?? input.outputs[0];
    const req: AttributeRequest = {
      requestId: input.requestId,
      parts: ticket.parts,
      passages: ticket.passages,
      adapterId: input.adapterId,
      servedPromptIds: input.promptIds[0],
      outputIds: first?.tokenIds ?? [],
      outputText: first?.text ?? '',
      usage: { promptTokens: input.usage.prompt_tokens, completionTokens: input.usage.completion_tokens },
      payer: ticket.payer,
      retainedKv: input.retainedKv,
    };
    if (ticket.mode === 'inline') return this.attribute(req);
    const job = this.attribute(req).then(
      () => undefined,
      (err: unknown) => (this.o.onError ?? defaultOnError)(err, { requestId: input.requestId }),
    );
    this.jobs.add(job);
    void job.finally(() => this.jobs.delete(job));
    return { record_id: recordIdOf(input.requestId, this.o.replicaId), status: 'pending' };
  }

  /** Whether onCompletion will score this request (passages to score, or an adapter's influence). */
  retainsKv(requestId: string, adapterId: string | null): boolean {
    const ticket = this.tickets.get(requestId);
    return ticket !== undefined && scoresAnything(ticket.passages.length, adapterId);
  }

  /** Drops a prepared request that will never complete (e.g. it failed before generating). */
  forget(requestId: string): void {
    this.tickets.delete(requestId);
  }

  /** Resolves once every async attribution has finished (call on close). */
  async drain(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
  }

  /** Scores, builds, signs and appends to the outbox; resolves after the append. */
  async attribute(req: AttributeRequest): Promise<AttributionResult> {
    // the requests that finish in one engine step come together: each tokenizes its subset prompts
    // on its own turn of the event loop (common/nextTurn.ts)
    await nextTurn();
    const k = req.passages.length;
    const plan = planAttribution(k, {
      maxExactK: this.o.maxExactShapleyK ?? MAX_EXACT_SHAPLEY_K,
      largeK: this.o.largeKMethod,
    }); // k = 0: subsets [0]
    const full = k === 0 ? 0 : (1 << k) - 1;
    const owner = req.adapterId === null ? null : this.ownerOf(req.adapterId);
    const idsFor = (mask: number): number[] => {
      if (mask === full && req.servedPromptIds) return req.servedPromptIds;
      if (req.parts === null)
        throw new RangeError('attribute: a request without prompt parts needs servedPromptIds and no passages');
      return this.encode(
        augmentPrompt(
          req.parts,
          req.passages.filter((_, i) => mask & (1 << i)),
          this.template,
        ),
      );
    };
    const needed = req.outputIds.length > 0 && scoresAnything(k, req.adapterId);
    // The full prompt under the base model (when an adapter served) shares nothing with the rest:
    // it is scored first, on its own, while the subset prompts are tokenized.
    const base =
      needed && req.adapterId !== null
        ? this.o.scorer.score([{ promptIds: idsFor(full), targetIds: req.outputIds, adapterId: null }])
        : null;
    base?.catch(() => {}); // awaited below; a failure of the subsets' call must not leave it unhandled
    // the subset prompts under the serving adapter, in one call that may read the answer's keys/values
    const variants = plan.subsets.map((m) => ({
      promptIds: idsFor(m),
      targetIds: req.outputIds,
      adapterId: req.adapterId,
    }));
    const values = needed
      ? (await this.o.scorer.score(variants, { reuseKvOf: req.retainedKv })).map((r) => r.total)
      : variants.map(() => 0);
    const baseValues = base ? (await base).map((r) => r.total) : [0];
    if (values.length !== variants.length || baseValues.length !== 1)
      throw new EngineError(
        'engine_failed',
        `engine.score returned ${values.length} and ${baseValues.length} results for ${variants.length} and 1 variants`,
      );
    const scores = combineScores(plan, values);
    const shares = sharesPpm(reputationWeighted(scores, req.passages, this.o.reputation)); // composite = influence x reputation
    const influence = req.adapterId !== null ? values[plan.subsets.indexOf(full)]! - baseValues[0]! : 0;
    const earnedShare = req.adapterId !== null ? adapterSharePpm(influence) : null;
    const adapterShare = owner !== null ? earnedShare : null;
    const training = await attributeTraining(
      {
        influence: this.o.trainingInfluence ?? null,
        examples: this.o.trainingExamples ?? (async () => null),
        spans: this.o.spanIndex ?? null,
        minTokens: this.o.spanMinTokens ?? DEFAULT_SPAN_MIN_TOKENS,
        topK: this.o.trainingTopK ?? DEFAULT_TRAINING_TOP_K,
        reputation: this.o.reputation,
        onError: (err, context) => (this.o.onTrainingError ?? defaultOnTrainingError)(err, context),
      },
      {
        requestId: req.requestId,
        adapterId: req.adapterId,
        promptIds: idsFor(full),
        outputIds: req.outputIds,
        passageDatanets: req.passages.map((p) => p.datanet),
      },
    );
    const fee = splitFee({
      fee: computeFee(req.usage, this.o.fees),
      config: this.o.fees,
      adapterSharePpm: earnedShare,
      sourceSharesPpm: shares,
      trainingSharesPpm: training.shares.map((t) => t.sharePpm),
      adapterOwnerPaid: owner !== null,
      validatorStakes: await this.validatorStakes(req.passages),
    });
    const method = (k === 0 ? 'adapter-logprob-v1' : METHOD_NAMES[plan.method]) + training.method;
    const trainingSources = recordTrainingSources(training.shares);
    const record = buildRecord({
      requestId: req.requestId,
      replicaId: this.o.replicaId,
      payer: req.payer ?? undefined,
      model: this.o.model,
      adapter: req.adapterId === null ? null : { id: req.adapterId, owner, sharePpm: adapterShare ?? 0 },
      promptContext: req.parts
        ? promptContext(augmentPrompt(req.parts, req.passages, this.template))
        : JSON.stringify(req.servedPromptIds ?? []),
      outputText: req.outputText,
      sources: req.passages.map((p, i) => ({
        docId: p.docId,
        datanet: p.datanet,
        contributor: p.contributor,
        sharePpm: shares[i]!,
      })),
      fee,
      training: { sources: trainingSources, spans: recordSpans(training.documents) },
      timestamp: Math.floor((this.o.now ?? Date.now)() / 1000),
      method,
    });
    const signed = await this.o.sink.record(record);
    return {
      record_id: record.recordId,
      status: 'signed',
      method,
      signer: signed.signer,
      signature: signed.signature,
      digest: signed.digest,
      sources: req.passages.map((p, i) => ({
        doc_id: p.docId,
        datanet: p.datanet,
        contributor: p.contributor,
        share_ppm: shares[i]!,
        score: scores[i]!,
        amount: fee.sources[i]!.toString(),
      })),
      adapter:
        req.adapterId === null
          ? null
          : {
              id: req.adapterId,
              owner,
              share_ppm: adapterShare ?? 0,
              score: influence,
              amount: fee.adapter.toString(),
            },
      ...trainingResult(training, fee.training),
      fee: {
        total: fee.fee.toString(),
        model: fee.model.toString(),
        adapter: fee.adapter.toString(),
        data: fee.sources.reduce((a, b) => a + b, 0n).toString(),
        training: fee.training.reduce((a, b) => a + b, 0n).toString(),
      },
      ...(fee.validators === undefined
        ? {}
        : {
            validators: fee.validators.map((v) => ({
              datanet: v.datanet,
              validator: v.validator,
              amount: v.amount.toString(),
            })),
          }),
    };
  }

  /** The validators' pool's stakes (undefined: no pool configured, or no passages: the record stays version 1/2). */
  private async validatorStakes(passages: Passage[]) {
    if (!this.o.fees.split.validators || !this.o.validatorStakes || passages.length === 0) return undefined;
    const sourceDatanets = passages.map((p) => p.datanet);
    return { sourceDatanets, stakes: await this.o.validatorStakes([...new Set(sourceDatanets)]) };
  }

  private get template(): RagTemplate {
    return this.o.template ?? DEFAULT_RAG_TEMPLATE;
  }

  private encode(parts: PromptParts): number[] {
    return parts.kind === 'completion'
      ? this.o.tokenizer.encode(parts.prompt)
      : this.o.tokenizer.applyChatTemplate(parts.messages, parts.tools ? { tools: parts.tools } : undefined);
  }

  private ownerOf(adapterId: string): Address | null {
    const owner = this.o.adapterOwner(adapterId);
    if (owner === null || owner === undefined || owner === '') return null;
    try {
      return normaliseAddress(owner, 'owner');
    } catch {
      return null; // an adapter whose owner is not an address is paid nothing (its pool stays with the model)
    }
  }

  private remember(requestId: string, ticket: Ticket): void {
    this.tickets.set(requestId, ticket);
    const max = this.o.maxPending ?? 10_000;
    while (this.tickets.size > max) this.tickets.delete(this.tickets.keys().next().value as string);
  }
}
