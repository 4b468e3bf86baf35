// Shared contracts of the adapters/ folder. No runtime code here.
import type { SerializedError } from '../common/index.ts';
import type { LoraTarget } from '../kernels/model/index.ts';

/** What a folder's small files say about an adapter (read without touching its weights). */
export interface AdapterMeta {
  id: string;
  /** Absolute folder path. */
  path: string;
  rank: number;
  alpha: number;
  useRslora: boolean;
  targets: LoraTarget[];
  /** adapter_config.json `base_model_name_or_path`, informational. */
  baseModel: string | null;
  /** From the optional loraledger.json beside adapter_config.json. */
  description: string | null;
  tags: string[];
  /** 0x-address paid the adapter's attribution share (loraledger.json `owner`). */
  owner: string | null;
}

/**
 * Registry state machine: registered -> loading -> ready | errored.
 * `registered`: known by folder only (start-up registration reads no weights).
 * `loading`: being validated / read. `ready`: validated against the base model.
 * `errored`: the reason says what is wrong; a later load may retry.
 */
export type AdapterState = 'registered' | 'loading' | 'ready' | 'errored';

/** What the adapter tiers report as adapters move between them (the engine forwards these as EngineNotices). */
export type AdapterNotice =
  | { type: 'adapter_loaded'; id: string; tier: 'host' | 'slot'; seconds: number; bytes: number }
  | { type: 'adapter_cache'; id: string; tier: 'host' | 'slot'; outcome: 'hit' | 'miss' }
  | { type: 'adapter_evicted'; id: string; tier: 'host' | 'slot' }
  | { type: 'adapter_errored'; id: string; error: SerializedError };

/**
 * What the adapter tiers answer when a request asks for its adapter's slot: the slot, wait (it is
 * loading, or every slot is held), or the load failed.
 */
export type AcquireResult = { slot: number } | { pending: true } | { error: SerializedError };
