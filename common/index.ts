// Public door of common/ (house style §2): what every layer shares. common/ imports nothing of the project.
export {
  AdapterError,
  AttributionError,
  ERROR_CATALOGUE,
  EngineError,
  LoraledgerError,
  ModelError,
  RequestError,
  deserializeError,
  serializeError,
  type CatalogueEntry,
  type ErrorCode,
  type SerializedError,
} from './errors.ts';
export { Prng, mulberry32 } from './prng.ts';
export { MODEL_THREAD_NICE, lowerThreadPriority } from './threadPriority.ts';
export { nextTurn } from './nextTurn.ts';
export { preparedStatements } from './sqlStatements.ts';
export { BM25_DEFAULTS, Bm25Index, bm25Search, type Bm25Params, type Bm25Hit } from './bm25.ts';
export { cosine, stem, terms, tokenize, type Analyzer } from './text.ts';
export { stderrLogger, type Logger, type LogFn } from './logger.ts';
export {
  WorkerChannel,
  WorkerExitError,
  connectParent,
  spawnWorker,
  withTransfer,
  type CallMap,
  type ChannelOptions,
  type Handlers,
  type Tagged,
} from './workerRpc.ts';
