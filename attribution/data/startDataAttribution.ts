// Wires the data half of Proof of Attribution for the server: the DataNet store
// (<dataDir>/datanets.sqlite), the BM25 retriever, the span index (<dataDir>/spans.sqlite: every
// document's token ids, caught up at start and fed by each new document) and the
// AttributionService (the server's AttributionHook). The settlement half (startSettlement) supplies the RecordSink; the engine is
// reached lazily because it starts after the app is built. The server side registers
// server/routes/datanets.ts over `store` (server/createAttribution.ts).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AttributionService, type PromptTokenizer, type RecordSink, type Scorer } from '../attributionService.ts';
import type { TrainingInfluence } from '../scoring/influence/trainingInfluence.ts';
import type { ManifestExampleRef } from '../trainingSources.ts';
import type { ContributorReputation } from '../scoring/trainingShares.ts';
import { SpanIndex, workerSegmentMerger } from './spanIndexStore.ts';
import { DatanetStore } from './datanetStore.ts';
import { feeConfigFromSettings, type ValidatorStakes } from '../scoring/fees.ts';
import { Retriever, type EmbedFn } from './retrieve.ts';
import type { RagTemplate } from './augmentPrompt.ts';

/** The server config fields this reads (server/configSchema.ts documents each). */
export interface DataAttributionSettings {
  dataDir: string;
  /** --replica-id: record ids carry it. */
  replicaId?: string;
  promptPricePer1k: string;
  completionPricePer1k: string;
  feeModelPpm: number;
  feeAdapterPpm: number;
  feeDataPpm: number;
  feeTrainingPpm: number;
  feeValidatorsPpm?: number;
  spanMinTokens: number;
  attributionExactMax: number;
  documentsRequireAdmin: boolean;
}

export interface DataAttributionOptions {
  settings: DataAttributionSettings;
  /** Base model id (records' `model`). */
  model: string;
  tokenizer: PromptTokenizer;
  /** The engine once ready (its `score`); called per attribution, never at start. */
  engine: () => Scorer;
  adapterOwner: (adapterId: string) => string | null;
  sink: RecordSink;
  embed?: EmbedFn;
  template?: RagTemplate;
  /** Where async-mode failures go. */
  onError?: (err: unknown, context: { requestId: string }) => void;
  /** Where a training-influence failure goes (the request is still attributed, from spans). */
  onTrainingError?: (err: unknown, context: { requestId: string }) => void;
  /** Identifies the tokenizer the span index was built with (a change rebuilds it). */
  tokenizerId: string;
  /** The training-data influence scorer once available (null: spans only). */
  trainingInfluence?: () => TrainingInfluence | null;
  /** An adapter's manifest examples, null when it has none. */
  trainingExamples?: (adapterId: string) => Promise<readonly ManifestExampleRef[] | null>;
  /** Stakes of the validators of governed DataNets (the validators' fee pool); default none. */
  validatorStakes?: (datanets: string[]) => Promise<ValidatorStakes>;
  /** Contributor reputation of governed DataNets (composite = influence x reputation); default 1 for everyone. */
  reputation?: ContributorReputation;
  /** Where a document the span index could not take, or a failed merge, is reported (retried at the next start / merge). */
  onIndexError?: (err: unknown, context: { datanet: string; docId?: string }) => void;
}

export interface DataAttribution {
  store: DatanetStore;
  retriever: Retriever;
  spans: SpanIndex;
  service: AttributionService;
  /** Waits for async attributions, then closes the database. */
  close(): Promise<void>;
}

export const DATANETS_FILE = 'datanets.sqlite';
export const SPANS_FILE = 'spans.sqlite';

export function startDataAttribution(o: DataAttributionOptions): DataAttribution {
  const fees = feeConfigFromSettings(o.settings); // config_invalid when the split does not sum to 1e6
  mkdirSync(o.settings.dataDir, { recursive: true });
  const store = new DatanetStore(join(o.settings.dataDir, DATANETS_FILE));
  const retriever = new Retriever(store, { embed: o.embed });
  const spans = new SpanIndex({
    path: join(o.settings.dataDir, SPANS_FILE),
    tokenize: (text) => o.tokenizer.encode(text),
    tokenizerId: o.tokenizerId,
    merger: workerSegmentMerger(),
    onError: (err, context) => o.onIndexError?.(err, context),
  });
  for (const d of store.listDatanets()) spans.sync(store.allDocuments(d.id));
  store.onDocument((doc) => {
    try {
      spans.add(doc);
    } catch (err) {
      o.onIndexError?.(err, { docId: doc.docId, datanet: doc.datanet });
    }
  });
  const service = new AttributionService({
    retriever,
    scorer: { score: (variants, options) => o.engine().score(variants, options) },
    sink: o.sink,
    tokenizer: o.tokenizer,
    fees,
    model: o.model,
    replicaId: o.settings.replicaId,
    adapterOwner: o.adapterOwner,
    template: o.template,
    maxExactShapleyK: o.settings.attributionExactMax,
    onError: o.onError,
    onTrainingError: o.onTrainingError,
    trainingInfluence: o.trainingInfluence && {
      score: async (req) => (await o.trainingInfluence!()?.score(req)) ?? null,
    },
    trainingExamples: o.trainingExamples,
    reputation: o.reputation,
    validatorStakes: o.validatorStakes,
    spanIndex: spans,
    spanMinTokens: o.settings.spanMinTokens,
  });
  return {
    store,
    retriever,
    spans,
    service,
    async close() {
      await service.drain();
      store.close();
      await spans.close();
    },
  };
}
