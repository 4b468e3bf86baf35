// What the main thread's EngineClient and the engine worker say to each other over the worker
// channel (common/workerRpc.ts): calls that answer, one-way commands, and notices. All of it is
// structured-clone safe.
import type { SerializedError } from '../../common/index.ts';
import type {
  AdapterRegistration,
  EngineFault,
  EngineNotice,
  EngineOptions,
  EngineStats,
  GenerateEvent,
  GenerateRequest,
  ScoreOptions,
  ScoreResult,
  ScoreVariant,
} from './engineContract.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

/** workerData of the engine worker. */
export interface EngineWorkerData {
  options: EngineOptions;
  adapters: AdapterRegistration[];
}

/** Main thread -> worker calls, each answered once. */
export interface EngineCalls {
  score: { args: { variants: ScoreVariant[]; options?: ScoreOptions }; result: ScoreResult[] };
  register: { args: AdapterRegistration[]; result: void };
  unregister: { args: string; result: void };
}

/** Main thread -> worker one-way commands. */
export type EngineCommand =
  | { t: 'generate'; req: GenerateRequest }
  | { t: 'cancel'; id: string }
  | { t: 'prefetch'; ids: string[] }
  | { t: 'close' }
  | { t: 'fault'; fault: EngineFault };

/**
 * Worker -> main thread. First exactly one `ready` or `fatal` (start-up); then the token events of
 * one step, its `step` notices and the stats after it travel together in one `events` message (one
 * wake-up of the main thread per step); other notices (adapter loads) go on their own; `closed`
 * once it has shut down.
 */
export type EngineWorkerNotice =
  | { t: 'ready'; spec: ModelSpec; stats: EngineStats }
  | { t: 'fatal'; error: SerializedError }
  | { t: 'events'; items: Array<[string, GenerateEvent]>; notices?: EngineNotice[]; stats?: EngineStats }
  | { t: 'notice'; notice: EngineNotice }
  | { t: 'stats'; stats: EngineStats }
  | { t: 'closed' };
