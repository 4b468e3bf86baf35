// Messages between the main thread's EngineClient and the engine worker (structured-clone safe).
import type { SerializedError } from '../../common/index.ts';
import type { AdapterRegistration, EngineNotice, EngineOptions, EngineStats, GenerateEvent, GenerateRequest, ScoreVariant } from './engineContract.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

/** workerData of the engine worker. */
export interface EngineWorkerData {
  options: EngineOptions;
  adapters: AdapterRegistration[];
}

/** Main thread -> worker. `callId` pairs a command with its `reply`. */
export type ToWorker =
  | { t: 'generate'; req: GenerateRequest }
  | { t: 'cancel'; id: string }
  | { t: 'score'; callId: number; variants: ScoreVariant[] }
  | { t: 'register'; callId: number; adapters: AdapterRegistration[] }
  | { t: 'unregister'; callId: number; id: string }
  | { t: 'prefetch'; ids: string[] }
  | { t: 'close' };

/** Worker -> main thread. Token events of one step travel together in one `events` message. */
export type FromWorker =
  | { t: 'ready'; spec: ModelSpec; stats: EngineStats }
  | { t: 'fatal'; error: SerializedError }
  | { t: 'events'; items: Array<[string, GenerateEvent]> }
  | { t: 'reply'; callId: number; result?: unknown; error?: SerializedError }
  | { t: 'notice'; notice: EngineNotice }
  | { t: 'stats'; stats: EngineStats }
  | { t: 'closed' };
