// Shared contracts of the kernels/ folder: the model description, the decoder graph's inputs
// and outputs, and the engine interface the HTTP thread talks to. No runtime code here.
//
// Glossary (shapes):
//   B   rows in one forward call (sequences)          T   new tokens per row in the call
//   N   B*T flattened token positions                  P   positions per row whose logits are wanted
//   C   KV-cache capacity (positions) of the call       D   hidden size
//   H   attention heads      Hkv  key/value heads       Dh  head size (D / H unless config says)
//   I   MLP intermediate size                          V   vocabulary size
//   L   layers               R   max LoRA rank          K   adapter slots fed to this call
//   M   rows (tokens) per adapter bucket in this call

/** The seven Llama projections a LoRA adapter may target (PEFT `target_modules` names). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/**
 * Targets that read the same input (the attention norm for q|k|v, the MLP norm for gate|up): their
 * A matrices sit side by side in one stack [.., Din, n*R] (target i of the group in columns
 * i*R .. i*R+R-1), so one MatMul computes every x·A of the group, as one MatMul computes their
 * base projections. Every target is in exactly one group (checked in loraPlan.test.ts).
 */
export const LORA_A_GROUPS: ReadonlyArray<readonly LoraTarget[]> = [['q_proj', 'k_proj', 'v_proj'], ['o_proj'], ['gate_proj', 'up_proj'], ['down_proj']];

/** Everything the graph builder and the reference forward need from config.json. */
export interface ModelSpec {
  architecture: 'LlamaForCausalLM' | 'MistralForCausalLM' | 'Qwen2ForCausalLM';
  hiddenSize: number; // D
  intermediateSize: number; // I
  numLayers: number; // L
  numHeads: number; // H
  numKvHeads: number; // Hkv
  headDim: number; // Dh
  vocabSize: number; // V
  maxPositions: number; // max_position_embeddings
  rmsNormEps: number;
  ropeTheta: number;
  /** Llama-3 style `rope_scaling` ({rope_type: "llama3", factor, low_freq_factor, high_freq_factor, original_max_position_embeddings}); null = none. */
  ropeScaling: { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number } | null;
  /** Mistral sliding window (positions a query may look back, itself included); null = full attention. */
  slidingWindow: number | null;
  /** Qwen2: q/k/v projections carry biases. */
  attentionBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  /** All ids that end generation (config + generation_config). */
  eosTokenIds: number[];
}

/** In/out feature sizes of each LoRA target for a spec: [Din, Dout]. */
export function targetShape(spec: ModelSpec, target: LoraTarget): [number, number] {
  const q = spec.numHeads * spec.headDim;
  const kv = spec.numKvHeads * spec.headDim;
  switch (target) {
    case 'q_proj': return [spec.hiddenSize, q];
    case 'k_proj': return [spec.hiddenSize, kv];
    case 'v_proj': return [spec.hiddenSize, kv];
    case 'o_proj': return [q, spec.hiddenSize];
    case 'gate_proj': return [spec.hiddenSize, spec.intermediateSize];
    case 'up_proj': return [spec.hiddenSize, spec.intermediateSize];
    case 'down_proj': return [spec.intermediateSize, spec.hiddenSize];
  }
}

export type WeightPrecision = 'fp32' | 'int8' | 'int4';
/** How the LoRA path is computed in the graph (house style §4: one selector picks it). */
export type LoraKernel = 'grouped' | 'gather';
export type ExecutionProvider = 'cpu' | 'cuda';

/**
 * The decoder graph contract (kernels/buildDecoderGraph.ts builds it, the engine worker feeds it).
 * All int tensors are int64; float tensors float32. Every dim except weights is dynamic.
 *
 * Inputs
 *   input_ids      [B, T]            token ids; padding positions may hold any valid id
 *   position_ids   [B, T]            absolute positions (past_len[b] + t); padding may hold 0
 *   past_len       [B]               valid cached positions per row (0 for a fresh prefill)
 *   new_len        [B]               valid new tokens per row (1..T); positions t >= new_len are padding
 *   logits_idx     [B, P]            which of the T positions to return logits for
 *   past_key.{l}   [B, Hkv, C, Dh]   per layer l, right-padded cache (positions >= past_len are ignored)
 *   past_value.{l} [B, Hkv, C, Dh]
 *   LoRA, kernel 'grouped' (rows bucketed by adapter; each adapter's weights read once). Bucket k is
 *   a resident adapter; the engine arranges its slot stacks so the buckets of a call are a contiguous
 *   run of slots and feeds that run as a zero-copy view. The graph appends a zero row to x (index
 *   N), so a place whose idx_in is N has delta exactly 0. A call with no adapter rows feeds K=1,
 *   M=1, idx_in [[N]] and R=1 zero tensors (and the graph skips every LoRA op):
 *     lora_idx_in  [K, M]            for bucket k, the flattened token positions (0..N-1) of its rows; unused places N
 *     lora_idx_out [N]               for each token position, its place in the flattened [K*M] buckets; base rows
 *                                    point to an unused place (idx_in = N); padding positions too, when one exists
 *     lora_a.{l}.{group} [K, Din, n*R]  bucket k's A of the n targets of a LORA_A_GROUPS group side by
 *                                       side (e.g. lora_a.0.q_proj+k_proj+v_proj), each zero-padded to R
 *     lora_b.{l}.{target} [K, R, Dout]  bucket k's B, already multiplied by the adapter's scale
 *     per token n: y[n] = x[n]·W + (xz[idx_in[p]]·A[k])·B[k]  with p = idx_out[n], k = p div M, xz = x + zero row
 *                  (A = the target's R columns of its group's stack)
 *   LoRA, kernel 'gather' (plain per-row gather, the simple baseline):
 *     lora_slot    [B]               slot of each row into the full stacks (slot 0 = all zeros = no adapter)
 *     lora_a.{l}.{group} [S, Din, n*R], lora_b.{l}.{target} [S, R, Dout]
 *     per row b: y[b,t] = x[b,t]·W + (x[b,t]·A[slot[b]])·B[slot[b]]
 * Outputs
 *   logits         [B, P, V]
 *   new_key.{l}    [B, Hkv, T, Dh]   the T new positions' keys (after RoPE) for the caller to write into its cache
 *   new_value.{l}  [B, Hkv, T, Dh]
 *
 * Attention for query (b, t) sees cache positions j < past_len[b] and new positions t' <= t with
 * t' < new_len[b] (and, with a sliding window W, only key positions > position - W).
 */
export const GRAPH_INPUTS = {
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  pastLen: 'past_len',
  newLen: 'new_len',
  logitsIdx: 'logits_idx',
  pastKey: (l: number) => `past_key.${l}`,
  pastValue: (l: number) => `past_value.${l}`,
  loraIdxIn: 'lora_idx_in',
  loraIdxOut: 'lora_idx_out',
  loraSlot: 'lora_slot',
  loraA: (l: number, group: readonly LoraTarget[]) => `lora_a.${l}.${group.join('+')}`,
  loraB: (l: number, t: LoraTarget) => `lora_b.${l}.${t}`,
} as const;
export const GRAPH_OUTPUTS = {
  logits: 'logits',
  newKey: (l: number) => `new_key.${l}`,
  newValue: (l: number) => `new_value.${l}`,
} as const;

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
}

export interface SamplingParams {
  /** 0 = greedy. */
  temperature: number;
  /** 1 = off. */
  topP: number;
  /** 0 or -1 = off. */
  topK: number;
  /** Same seed, same output. Undefined = random. */
  seed?: number;
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
}

export interface TokenLogprob {
  tokenId: number;
  logprob: number;
}

export type GenerateEvent =
  | { type: 'token'; tokenId: number; logprob?: number; topLogprobs?: TokenLogprob[] }
  | { type: 'done'; finishReason: 'stop' | 'length' | 'cancelled'; promptTokens: number; completionTokens: number }
  | { type: 'error'; error: import('../server/errors.ts').SerializedError };

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
}

/** Events the engine reports for metrics and the adapter registry. */
export type EngineNotice =
  | { type: 'adapter_loaded'; id: string; tier: 'host' | 'slot'; seconds: number; bytes: number }
  | { type: 'adapter_cache'; id: string; tier: 'host' | 'slot'; outcome: 'hit' | 'miss' }
  | { type: 'adapter_evicted'; id: string; tier: 'host' | 'slot' }
  | { type: 'adapter_errored'; id: string; error: import('../server/errors.ts').SerializedError }
  | { type: 'step'; rows: number; prefillTokens: number; decodeTokens: number; seconds: number };

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
  score(variants: ScoreVariant[]): Promise<ScoreResult[]>;
  registerAdapters(adapters: AdapterRegistration[]): Promise<void>;
  /** Drops the adapter from every tier once no running request uses it. */
  unregisterAdapter(id: string): Promise<void>;
  /** Starts loading adapters into host memory ahead of need. */
  prefetch(ids: string[]): void;
  stats(): EngineStats;
  onNotice(listener: (n: EngineNotice) => void): void;
  /** Stops the worker; pending requests end with error `shutting_down`. */
  close(): Promise<void>;
}
