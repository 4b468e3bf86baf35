// The engine contract: what the HTTP thread sends the engine worker and what comes back. No runtime
// code here.
import type { SerializedError } from '../../common/index.ts';
import type { AdapterNotice } from '../../adapters/index.ts';
import type { ModelSpec, WeightPrecision } from '../model/modelSpec.ts';
import type { ExecutionProvider, LoraKernel } from '../graph/graphContract.ts';
import type { ConstraintSpec } from './constrain/constraintSpec.ts';
import type { MaskTimeStats } from './constrain/maskTimes.ts';

/** Options that choose how the engine builds and runs the model (validated by server/config). */
export interface EngineOptions {
  modelDir: string;
  precision: WeightPrecision;
  provider: ExecutionProvider;
  loraKernel: LoraKernel;
  /** Largest LoRA rank accepted; slot stacks are padded to it. */
  maxLoraRank: number;
  /** Adapters resident in the forward pass's slot stacks at once. */
  maxActiveAdapters: number;
  /** Adapters kept in host memory (LRU), count and bytes. */
  maxCachedAdapters: number;
  maxCachedAdapterBytes: number;
  /** Rows of one adapter sharing a slot before another copy is made (AdapterCacheOptions.rowsPerSlot; default 4). */
  loraRowsPerSlot?: number;
  /** Sequences decoded together. */
  maxBatchSize: number;
  /** New tokens (prefill + decode) per scheduler step. */
  maxBatchTokens: number;
  /** Requests waiting beyond the running batch; more are refused with 429. */
  maxQueue: number;
  /** Longest sequence (prompt + output); defaults to the model's max positions. */
  maxModelLen: number;
  /** Directory for built graphs (content-hashed). */
  cacheDir: string;
  /** ORT intra-op threads (0 = ORT default). */
  threads: number;
  /**
   * Let ORT's intra-op threads spin between parallel sections (session.intra_op.allow_spinning).
   * Default false: spinning threads hold every core, so the HTTP thread's per-token work waits.
   */
  ortSpinning?: boolean;
  /**
   * Tests only: honour injectFault() (kernels/engine/faultInjection.ts). No config flag or
   * environment variable sets it; default false (the command is ignored).
   */
  faultInjection?: boolean;
}

/** A test-only fault (kernels/engine/faultInjection.ts says what each does). */
export type EngineFault = 'throw' | 'exit' | 'step-error' | 'loader-throw' | 'loader-exit';

export interface SamplingParams {
  /** 0 = greedy. */
  temperature: number;
  /** 1 = off. */
  topP: number;
  /** 0 or -1 = off. */
  topK: number;
  /** Same seed, same output. Undefined = random. */
  seed?: number;
  /** OpenAI's logit_bias: token id -> bias added to its logit before sampling (-100..100). */
  logitBias?: Record<number, number>;
  /** OpenAI's penalties over the tokens generated so far: l -= count·frequency + (count > 0)·presence. */
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** vLLM / Hugging Face: a prompt or generated token's logit l becomes l / p if l > 0, else l · p. 1 = off. */
  repetitionPenalty?: number;
  /** vLLM: drop tokens whose probability is below minP times the most likely one's. 0 = off. */
  minP?: number;
}

export interface GenerateRequest {
  /** Unique per engine; the HTTP layer makes it. */
  id: string;
  promptIds: number[];
  /** Adapter id, or null for the base model (slot 0). */
  adapterId: string | null;
  maxTokens: number;
  sampling: SamplingParams;
  /**
   * Ids that end generation (EOS); ignored when ignoreEos. The stop id itself is NOT emitted as a
   * token event (its text never reaches the user); it does count in `done.completionTokens`.
   */
  stopTokenIds: number[];
  ignoreEos: boolean;
  /** When set, each token event carries its logprob and this many top alternatives (0..20). */
  logprobs?: number;
  /**
   * Constrained decoding: each sampled token keeps the output a prefix of the constraint's language
   * (tokens that would leave it are masked before temperature / top-p); once the output is complete
   * the row ends with finish_reason 'stop'. Validated by validateConstraint before it is sent.
   */
  constraint?: ConstraintSpec;
  /**
   * Keep this row's keys/values when it finishes (stop, length, or a cancel: the server cancels a
   * stream that met a stop string), for a scoring call that names the request in
   * `ScoreOptions.reuseKvOf` (attribution of the answer); bounded, see retainedKv.ts.
   */
  retainKv?: boolean;
}

export interface TokenLogprob {
  tokenId: number;
  logprob: number;
}

/** Why a generation ended: a stop token or string, max_tokens, or a cancel. */
export type FinishReason = 'stop' | 'length' | 'cancelled';

export type GenerateEvent =
  | { type: 'token'; tokenId: number; logprob?: number; topLogprobs?: TokenLogprob[] }
  | { type: 'done'; finishReason: FinishReason; promptTokens: number; completionTokens: number }
  | { type: 'error'; error: SerializedError };

/** Teacher-forced scoring (attribution): log p(target | prompt) under an adapter or the base. */
export interface ScoreVariant {
  promptIds: number[];
  targetIds: number[];
  adapterId: string | null;
}
export interface ScoreResult {
  /** Per target token log-probabilities, [targetIds.length]. */
  tokenLogprobs: number[];
  /** Their sum. */
  total: number;
}

export interface ScoreOptions {
  /**
   * A finished generation (its request id) whose keys/values were retained (`retainKv`): variants
   * under its adapter read them for the tokens they share with it instead of feeding them. When
   * they are gone (bound, age), every token is fed; the results are the same.
   */
  reuseKvOf?: string;
}

/** Cumulative scoring counters: tokens fed, tokens read from a retained generation, retained entries missed. */
export interface ScoreStats {
  fedTokens: number;
  reusedTokens: number;
  reuseMisses: number;
  calls: number;
}

export interface AdapterRegistration {
  id: string;
  /** Absolute folder path holding adapter_config.json + adapter_model.safetensors. */
  path: string;
}

export interface EngineStats {
  running: number;
  waiting: number;
  /** Rows in the last forward step. */
  batchSize: number;
  kvCapacity: number;
  adapters: { cached: number; cachedBytes: number; active: number };
  /** Per-token grammar mask time of constrained rows (present once constrained decoding is available). */
  constraintMask?: MaskTimeStats;
  /** Distinct adapters of the running and of the waiting requests (base model left out); for vLLM-named metrics. */
  lora?: { running: string[]; waiting: string[] };
  /** KV positions held by running rows, and the most the cache can hold (maxBatchSize x maxModelLen). */
  kv?: { usedPositions: number; maxPositions: number };
  /** Teacher-forced scoring since start (attribution). */
  score?: ScoreStats;
}

/** Events the engine reports for metrics and the adapter registry. */
export type EngineNotice =
  AdapterNotice | { type: 'step'; rows: number; prefillTokens: number; decodeTokens: number; seconds: number };

/**
 * What the HTTP thread holds: a handle on the engine worker. Commands only; the worker owns the
 * batch, the KV cache and the adapter tiers.
 */
export interface EngineClient {
  readonly spec: ModelSpec;
  /** Starts generating; events arrive in order and end with exactly one `done` or `error`. */
  generate(req: GenerateRequest): AsyncIterable<GenerateEvent>;
  /** Frees the request's row at the next step; its stream ends with done/cancelled. No-op if finished. */
  cancel(id: string): void;
  /** Teacher-forced log-probs for each variant, batched into as few forward passes as fit. */
  score(variants: ScoreVariant[], options?: ScoreOptions): Promise<ScoreResult[]>;
  registerAdapters(adapters: AdapterRegistration[]): Promise<void>;
  /** Drops the adapter from every tier once no running request uses it. */
  unregisterAdapter(id: string): Promise<void>;
  /** Starts loading adapters into host memory ahead of need. */
  prefetch(ids: string[]): void;
  stats(): EngineStats;
  onNotice(listener: (n: EngineNotice) => void): void;
  /** Stops the worker; pending requests end with error `shutting_down`. */
  close(): Promise<void>;
  /**
   * Calls `listener` once if the worker dies unexpectedly (crash or exit, not close()), after every
   * pending request ended with `engine_failed`. The owner restarts the engine (server/engineHolder).
   */
  onExit?(listener: (error: SerializedError) => void): void;
  /** Tests only: arms a fault for the next forward step (ignored unless EngineOptions.faultInjection). */
  injectFault?(fault: EngineFault): void;
}
