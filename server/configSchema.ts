// The ONE typed config schema (house style §9). Every field carries its units and default in
// `description`; `server/config.ts` derives the command-line flag (`--kebab-case` of the field
// name, or `flag`), the environment variable (`LORALEDGER_UPPER_SNAKE`) and `--help` from it.
//
// To add a field: add one property here with `description` and `default` (or Optional), and if it
// spans other fields, a rule in `crossFieldRules` below. Nothing else needs to change.
import { Type, type Static } from '@sinclair/typebox';

const Int = (min: number, def: number, description: string, extra: Record<string, unknown> = {}) =>
  Type.Integer({ minimum: min, default: def, description, ...extra });

export const ConfigSchema = Type.Object(
  {
    // --- model and adapters ---
    model: Type.Optional(
      Type.String({
        minLength: 1,
        flag: 'model',
        description:
          'Hugging Face model folder (config.json, *.safetensors, tokenizer.json). Default: the embedded default model, built into <cache-dir>/embedded on first start. The base model id is the folder name.',
      }),
    ),
    adapters: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      flag: 'adapters',
      description:
        "Adapter root folder(s); each sub-folder holding adapter_config.json is an adapter whose id is the folder name. Repeat the flag or separate with commas. Admin loads are confined to these roots. Default: none (the embedded default's adapters when --model is not given).",
    }),
    embeddedProfile: Type.Union([Type.Literal('full'), Type.Literal('quick')], {
      default: 'full',
      description:
        'Embedded default (no --model): full = the demo model and four domain adapters the factory trains on first start (about 3 minutes on 2 cores, cached in <cache-dir>/embedded) | quick = a tiny model through the same steps in seconds (tests, CI).',
    }),
    // --- network ---
    host: Type.String({ default: '127.0.0.1', description: 'Interface to listen on.' }),
    replicaId: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9]([a-z0-9._-]{0,62})$',
        description:
          "This replica's id (lowercase letters, digits, . _ -; at most 63): sent in the x-loraledger-replica header of every response and carried by its attribution records. Default: the host name, lowercased with other characters turned into '-' (a Kubernetes pod's name), or r0 when that leaves nothing. Set it when several replicas share one host.",
      }),
    ),
    port: Int(0, 8000, 'TCP port (0 = any free port).', { maximum: 65535 }),
    // --- engine (EngineOptions) ---
    precision: Type.Union([Type.Literal('fp32'), Type.Literal('int8'), Type.Literal('int4')], {
      default: 'fp32',
      description: 'Base weight precision: fp32 | int8 (MatMulInteger) | int4 (MatMulNBits).',
    }),
    provider: Type.Union([Type.Literal('cpu'), Type.Literal('cuda')], {
      default: 'cpu',
      description: 'ONNX Runtime execution provider: cpu | cuda.',
    }),
    loraKernel: Type.Union([Type.Literal('grouped'), Type.Literal('gather')], {
      default: 'grouped',
      description: 'LoRA kernel: grouped (rows bucketed per adapter) | gather (per-row gather baseline).',
    }),
    maxLoraRank: Int(
      1,
      16,
      'Largest LoRA rank accepted (adapters above it are refused); slot stacks are padded to it.',
      { maximum: 256 },
    ),
    maxActiveAdapters: Int(
      0,
      0,
      "Adapters resident in the forward pass at once (slots). 0 = sized at start: max-batch-size (a slot for every row of a batch, so no row waits for a slot; an unused slot's stacks stay untouched zero pages until an adapter is written to it), at most max-cached-adapters when that is set and at most what fits in 1/8 of the machine's memory at max-lora-rank for the model (server/engineSizing.ts).",
    ),
    maxCachedAdapters: Int(
      0,
      0,
      "Adapters kept in host memory (LRU), count. Must be >= max-active-adapters. 0 = sized at start: max(64, max-active-adapters), at most what fits in 1/4 of the machine's memory at max-lora-rank for the model.",
    ),
    maxCachedAdapterBytes: Int(
      0,
      0,
      'Host-memory adapter cache limit, bytes. 0 = sized at start: max-cached-adapters adapters of max-lora-rank on every projection of the model, plus 10%.',
    ),
    loraRowsPerSlot: Int(
      1,
      4,
      'Running rows of one adapter that share a slot before the next one gets a copy of the adapter in a free slot (grouped kernel: every bucket is padded to the largest, so copies keep a popular adapter from padding them all). 1 = a slot per row.',
    ),
    maxBatchSize: Int(1, 32, 'Sequences decoded together in one forward pass.'),
    maxBatchTokens: Int(1, 2048, 'New tokens (prefill + decode) per scheduler step. Must be >= max-batch-size.'),
    maxQueue: Int(0, 256, 'Requests waiting beyond the running batch; more are refused with 429 overloaded.'),
    maxModelLen: Int(0, 0, "Longest sequence (prompt + output), tokens. 0 = the model's max_position_embeddings."),
    cacheDir: Type.String({
      minLength: 1,
      default: '.loraledger',
      description:
        'Directory for built graphs, the embedded default model, and the training-data gradients of adapters whose folder cannot be written.',
    }),
    threads: Int(0, 0, 'ONNX Runtime intra-op threads (0 = ORT default: one per core).'),
    ortSpinning: Type.Boolean({
      default: false,
      description:
        "Let ONNX Runtime's intra-op threads spin between parallel sections. Off by default: spinning threads hold every core, so the HTTP thread's per-token work (and any other process) waits for them, which stalls streams on a machine the server shares (docs/benchmarks.md). On for a machine that runs nothing else, where it saves about 3 ms per batch-1 step (bench/README.md).",
    }),
    toolCallParser: Type.Union(
      ['auto', 'hermes', 'llama3_json', 'mistral', 'none'].map((p) => Type.Literal(p)),
      {
        default: 'auto',
        description:
          "How chat replies are read for tool calls, as vLLM's --tool-call-parser: hermes (<tool_call> JSON, Hermes/Qwen) | llama3_json (Llama 3.1 JSON) | mistral ([TOOL_CALLS]) | none (tool_choice other than none is refused) | auto = from the chat template's markers (hermes when it has none).",
      },
    ),
    // --- HTTP ---
    adminKey: Type.Optional(
      Type.String({
        minLength: 8,
        secret: true,
        description:
          'Bearer key for the admin routes (adapter load/unload). Also env LORALEDGER_ADMIN_KEY. Default: none, admin routes answer 403 admin_disabled.',
      }),
    ),
    bodyLimit: Int(1024, 1024 * 1024, 'Largest request body, bytes; larger bodies get 413.'),
    // --- security and overload (docs/security.md) ---
    apiKey: Type.Array(Type.String({ minLength: 8 }), {
      default: [],
      secret: true,
      description:
        "API key(s) that every /v1 route, /tokenize, /detokenize and /v1/ws require as `Authorization: Bearer <key>` (vLLM's --api-key). Repeat the flag or separate with commas. Each key is named key-<first 8 hex of its sha256> in records and logs. Default: none (with no --api-keys-file either, inference is open).",
    }),
    apiKeysFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'File of named API keys, one `name key` pair per line (# starts a comment); the name is what attribution records show as the payer. Read at start-up. Default: none.',
      }),
    ),
    metricsKey: Type.Optional(
      Type.String({
        minLength: 8,
        secret: true,
        description: 'Bearer key that GET /metrics requires. Default: none, /metrics is open (/health always is).',
      }),
    ),
    rateLimitPerMinute: Int(
      0,
      0,
      'Requests one API key (or one client address when no keys are set) may start per minute on the protected routes; more get 429 with Retry-After. 0 = no limit.',
    ),
    maxConcurrentPerKey: Int(
      0,
      0,
      'Requests one API key (or client address) may have in flight on the protected routes (each /v1/ws generation is one; the socket is not); more get 429 with Retry-After (on /v1/ws a rate_limit_exceeded error message). 0 = no limit.',
    ),
    maxPendingRequests: Int(
      0,
      0,
      'Generation requests (completions, chat, responses, influence, and /v1/ws generations) the server admits at once, running or waiting; a request takes its slot once its body has arrived; more are refused with 429 overloaded (before their body is read while the limit is full; on /v1/ws an overloaded error message). 0 = max-batch-size + max-queue.',
    ),
    corsOrigin: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'Origins allowed to call the API from a browser (CORS), e.g. https://app.example.com; `*` allows any. Repeat or separate with commas. Default: none, CORS is off.',
    }),
    headerTimeout: Type.Number({
      minimum: 1,
      default: 10,
      description:
        "Seconds a client has to send a request's headers, counted from the connection (or the previous response on keep-alive); then the socket is closed.",
    }),
    connectionTimeout: Type.Number({
      minimum: 1,
      default: 60,
      description:
        'Seconds a client has to send a whole request, headers and body; then it gets 408 and the socket is closed. Must be >= header-timeout.',
    }),
    keepAliveTimeout: Type.Number({
      minimum: 1,
      default: 65,
      description:
        'Seconds an idle keep-alive connection stays open between requests (above the 60 s idle timeout of common load balancers).',
    }),
    sendTimeout: Type.Number({
      minimum: 1,
      default: 30,
      description:
        "Seconds a response or WebSocket may keep its send buffer full without the client reading (backpressure); then the socket is closed and the request's generation cancelled.",
    }),
    requestTimeout: Type.Number({
      minimum: 0,
      default: 600,
      description: 'Longest a generation may run, seconds (0 = no limit); then it is cancelled.',
    }),
    shutdownDeadline: Type.Number({
      minimum: 0,
      default: 10,
      description: 'On SIGTERM/SIGINT, seconds in-flight requests may finish before they are cancelled.',
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      {
        default: 'info',
        description:
          'pino log level: fatal | error | warn | info | debug | trace | silent. Prompt text is logged only at trace.',
      },
    ),
    wsMaxGenerations: Int(1, 16, 'Concurrent generations one WebSocket may run; more are refused with 429 overloaded.'),
    wsHighWaterMark: Int(
      1024,
      1024 * 1024,
      "WebSocket send buffer, bytes, above which a socket's generations pause reading the engine.",
    ),
    responsesStoreSize: Int(
      1,
      1000,
      'Responses API responses kept in memory for previous_response_id and GET /v1/responses/:id (the least recently used is forgotten first; store: false keeps none).',
    ),
    metricsTopAdapters: Int(
      0,
      20,
      'Adapters that keep their own label in per-adapter metrics (top-N by traffic); the rest are `other`.',
    ),
    // --- fine-tuning ---
    trainingThreads: Int(
      0,
      1,
      'Intra-op threads of a fine-tuning job (0 = one per core): caps what a running job takes from serving.',
    ),
    trainingContext: Int(
      8,
      512,
      'Longest fine-tuning example, tokens; longer rows are truncated (the job says which).',
    ),
    // --- attribution and settlement ---
    dataDir: Type.String({
      minLength: 1,
      default: '.loraledger/data',
      description:
        'Directory for durable attribution state: the settlement outbox (outbox.sqlite) and the generated record-signing key (signer.key, 0600).',
    }),
    signerKey: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description:
          'Record-signing secp256k1 key (0x + 64 hex). Default: generated on first start into <data-dir>/signer.key (mode 0600).',
      }),
    ),
    chain: Type.Union([Type.Literal('anvil'), Type.Literal('rpc'), Type.Literal('off')], {
      default: 'anvil',
      description:
        "Settlement chain: anvil (start a local `anvil --optimism` for the server's lifetime) | rpc (use --chain-rpc) | off (records are signed and kept in the outbox, never settled).",
    }),
    chainRpc: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description:
          'Settlement chain JSON-RPC URL, used with --chain rpc (may carry credentials, so it is never logged).',
      }),
    ),
    chainId: Int(1, 31337, "Settlement chain id; bound into every record's EIP-712 domain."),
    settlementContract: Type.Optional(
      Type.String({
        pattern: '^0x[0-9a-fA-F]{40}$',
        description: 'LoraLedgerSettlement contract address. Default: deployed at start-up by the poster key.',
      }),
    ),
    posterKey: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description:
          "Key that deploys the contract, posts epochs and funds payouts (0x + 64 hex). Default: anvil's public dev key #0 (local/dev chains only).",
      }),
    ),
    epochSeconds: Type.Number({
      minimum: 0,
      default: 30,
      description:
        'Close a settlement epoch once its oldest pending record is this old, seconds (0 = only on count or on demand).',
    }),
    epochMaxRecords: Int(1, 1000, 'Close a settlement epoch once this many records are pending.'),
    // --- DataNets, attribution scoring and fees ---
    promptPricePer1k: Type.String({
      flag: 'prompt-price-per-1k',
      pattern: '^(0|[1-9][0-9]{0,70})$',
      default: '1000000000000',
      description: "Fee per 1000 prompt tokens, in the chain's smallest unit (wei), decimal string. Default 1e12 wei.",
    }),
    completionPricePer1k: Type.String({
      flag: 'completion-price-per-1k',
      pattern: '^(0|[1-9][0-9]{0,70})$',
      default: '2000000000000',
      description:
        "Fee per 1000 completion tokens, in the chain's smallest unit (wei), decimal string. Default 2e12 wei.",
    }),
    feeModelPpm: Int(
      0,
      500_000,
      'Share of each fee kept by the base model owner (the operator), parts per million. model + adapter + data must be 1000000.',
      { maximum: 1_000_000 },
    ),
    feeAdapterPpm: Int(
      0,
      200_000,
      "Share of each fee for the adapter owner's pool, ppm; paid in proportion to the adapter's measured influence, the rest stays with the model owner.",
      { maximum: 1_000_000 },
    ),
    feeDataPpm: Int(
      0,
      300_000,
      'Share of each fee for the data contributors of the retrieved passages, ppm; split by their share_ppm.',
      { maximum: 1_000_000 },
    ),
    feeValidatorsPpm: Int(
      0,
      0,
      'Share of each fee for the staked validators of the governed DataNets the retrieved passages come from (docs/datanets.md), ppm; divided by DataNet share, then pro rata to stake. With it, model + adapter + data + validators must be 1000000.',
      { maximum: 1_000_000 },
    ),
    feeTrainingPpm: Int(
      0,
      500_000,
      'Share of what an adapter earns (its pool x its measured influence) paid to the contributors of its training examples, ppm; the adapter owner keeps the rest.',
      { maximum: 1_000_000 },
    ),
    spanMinTokens: Int(
      1,
      8,
      'Shortest verbatim span of an answer reported (and paid as copying evidence) when it matches a DataNet document, tokens.',
      { maximum: 1024 },
    ),
    attributionExactMax: Int(
      0,
      4,
      'Exact Shapley attribution (2^k scored prompts) up to this many passages; beyond it the linear surrogate (2k: the empty set, each passage alone, each prefix of the served order).',
      { maximum: 12 },
    ),
    ragRerank: Type.Union([Type.Literal('off'), Type.Literal('embeddings')], {
      default: 'off',
      description:
        'Re-rank BM25 passages: off | embeddings (cosine of mean-pooled base-model input embeddings; loads embed_tokens into host memory).',
    }),
    documentsRequireAdmin: Type.Boolean({
      default: false,
      description:
        'Require the admin key to add DataNet documents (default: contributors post directly; creating DataNets always needs it).',
    }),
  },
  { additionalProperties: false },
);

/** The loaded config: `replicaId` is always set (`loadConfig` derives the default from the host name). */
export type Config = Readonly<Omit<Static<typeof ConfigSchema>, 'replicaId'> & { replicaId: string }>;
export type ConfigKey = keyof Static<typeof ConfigSchema>;

/** Rules spanning fields: each returns a message naming the flags, or null when satisfied. */
export const crossFieldRules: Array<(c: Static<typeof ConfigSchema>) => string | null> = [
  (c) =>
    c.maxCachedAdapters === 0 || c.maxCachedAdapters >= c.maxActiveAdapters
      ? null
      : `--max-cached-adapters (${c.maxCachedAdapters}) must be >= --max-active-adapters (${c.maxActiveAdapters}): every active adapter is also cached`,
  (c) =>
    c.maxBatchTokens >= c.maxBatchSize
      ? null
      : `--max-batch-tokens (${c.maxBatchTokens}) must be >= --max-batch-size (${c.maxBatchSize}): each decode step needs one token per row`,
  (c) =>
    c.chain !== 'rpc' || c.chainRpc !== undefined
      ? null
      : "--chain rpc needs --chain-rpc (the settlement chain's JSON-RPC URL)",
  (c) =>
    c.connectionTimeout >= c.headerTimeout
      ? null
      : `--connection-timeout (${c.connectionTimeout}) must be >= --header-timeout (${c.headerTimeout}): the headers are part of the request`,
  (c) =>
    c.maxModelLen === 0 || c.maxModelLen >= 2
      ? null
      : `--max-model-len (${c.maxModelLen}) must be 0 (model default) or >= 2`,
  (c) =>
    c.feeModelPpm + c.feeAdapterPpm + c.feeDataPpm + c.feeValidatorsPpm === 1_000_000
      ? null
      : `--fee-model-ppm (${c.feeModelPpm}) + --fee-adapter-ppm (${c.feeAdapterPpm}) + --fee-data-ppm (${c.feeDataPpm})${c.feeValidatorsPpm > 0 ? ` + --fee-validators-ppm (${c.feeValidatorsPpm})` : ''} must sum to 1000000 (parts per million of each fee)`,
];
