// Wires the data half of Proof of Attribution for the server: the DataNet store
// (<dataDir>/datanets.sqlite), the BM25 retriever and the AttributionService (the server's
// AttributionHook). The settlement half (startSettlement) supplies the RecordSink; the engine is
// reached lazily because it starts after the app is built. The server side registers
// server/routes/datanets.ts over `store` (server/createAttribution.ts).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AttributionService, type PromptTokenizer, type RecordSink, type Scorer } from '../attributionService.ts';
import { DatanetStore } from './datanetStore.ts';
import { feeConfigFromSettings } from '../scoring/fees.ts';
import { Retriever, type EmbedFn } from './retrieve.ts';
import type { RagTemplate } from './augmentPrompt.ts';

/** The server config fields this reads (server/configSchema.ts documents each). */
export interface DataAttributionSettings {
  dataDir: string;
  promptPricePer1k: string;
  completionPricePer1k: string;
  feeModelPpm: number;
  feeAdapterPpm: number;
  feeDataPpm: number;
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
}

export interface DataAttribution {
  store: DatanetStore;
  retriever: Retriever;
  service: AttributionService;
  /** Waits for async attributions, then closes the database. */
  close(): Promise<void>;
}

export const DATANETS_FILE = 'datanets.sqlite';

export function startDataAttribution(o: DataAttributionOptions): DataAttribution {
  const fees = feeConfigFromSettings(o.settings); // config_invalid when the split does not sum to 1e6
  mkdirSync(o.settings.dataDir, { recursive: true });
  const store = new DatanetStore(join(o.settings.dataDir, DATANETS_FILE));
  const retriever = new Retriever(store, { embed: o.embed });
  const service = new AttributionService({
    retriever,
    scorer: { score: (variants) => o.engine().score(variants) },
    sink: o.sink,
    tokenizer: o.tokenizer,
    fees,
    model: o.model,
    adapterOwner: o.adapterOwner,
    template: o.template,
    maxExactShapleyK: o.settings.attributionExactMax,
    onError: o.onError,
  });
  return {
    store,
    retriever,
    service,
    async close() {
      await service.drain();
      store.close();
    },
  };
}
