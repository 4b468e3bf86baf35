// The one error catalogue (house style §8, after fastify's lib/errors.js).
//
// Every error loraledger raises on purpose is a `LoraledgerError` whose `code` is a key of
// `ERROR_CATALOGUE`. The single Fastify error handler (server/app) maps code -> HTTP status and
// OpenAI error `type` through this table. `errors.test.ts` checks codes are unique and documented.
//
// This file imports nothing, so core folders (kernels/, adapters/, attribution/) may import it
// directly: it is the one deliberate exception to "import another folder through its index.ts",
// because the catalogue must be shared by every layer without pulling Fastify in.
//
// Messages are for users: they name the problem (the field, the file, the id) and never contain
// secrets (keys, RPC credentials).

export interface CatalogueEntry {
  /** HTTP status the error handler answers with. */
  status: number;
  /** OpenAI error `type`. */
  type:
    | 'invalid_request_error'
    | 'authentication_error'
    | 'permission_error'
    | 'not_found_error'
    | 'rate_limit_error'
    | 'server_error'
    | 'conflict_error';
  /** What the code means, for the README's error table. */
  doc: string;
  /** Seconds sent as `Retry-After` with this error (the condition clears by itself). */
  retryAfterSeconds?: number;
}

export const ERROR_CATALOGUE = {
  // --- request (client mistakes: 4xx) ---
  invalid_request: {
    status: 400,
    type: 'invalid_request_error',
    doc: 'A request field is missing, has the wrong type or is out of range; `param` names it.',
  },
  malformed_json: { status: 400, type: 'invalid_request_error', doc: 'The request body is not valid JSON.' },
  empty_prompt: {
    status: 400,
    type: 'invalid_request_error',
    doc: 'The prompt (or messages) tokenize to zero tokens.',
  },
  context_length_exceeded: {
    status: 400,
    type: 'invalid_request_error',
    doc: 'Prompt tokens plus max_tokens exceed the model context length.',
  },
  payload_too_large: {
    status: 413,
    type: 'invalid_request_error',
    doc: 'The request body is larger than the configured limit.',
  },
  model_not_found: {
    status: 404,
    type: 'not_found_error',
    doc: 'The `model` field names neither the base model, nor a registered adapter, nor `auto`.',
  },
  not_found: { status: 404, type: 'not_found_error', doc: 'The route or resource does not exist.' },
  unauthorized: {
    status: 401,
    type: 'authentication_error',
    doc: 'An admin route was called without a valid bearer key.',
  },
  invalid_api_key: {
    status: 401,
    type: 'invalid_request_error',
    doc: 'The server was started with --api-key / --api-keys-file (or --metrics-key for /metrics) and the request has no `Authorization: Bearer <key>` header, or a key it does not know.',
  },
  admin_disabled: {
    status: 403,
    type: 'permission_error',
    doc: 'An admin route was called but no admin key is configured, so admin routes are off.',
  },
  path_not_allowed: {
    status: 403,
    type: 'permission_error',
    doc: 'An adapter path lies outside the configured adapter roots.',
  },
  overloaded: {
    status: 429,
    type: 'rate_limit_error',
    doc: 'The waiting queue is full; retry after the `Retry-After` seconds.',
    retryAfterSeconds: 1,
  },
  rate_limit_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    doc: 'This API key (or client address) started more requests per minute than --rate-limit-per-minute, or has more in flight than --max-concurrent-per-key; retry after the `Retry-After` seconds.',
  },
  conflict: {
    status: 409,
    type: 'conflict_error',
    doc: 'The resource already exists (adapter id, DataNet id, duplicate document).',
  },

  // --- start-up ---
  config_invalid: {
    status: 500,
    type: 'server_error',
    doc: 'A flag, environment variable or config-file value is invalid (start-up only); the message names it.',
  },

  // --- model folder (start-up) ---
  model_folder_invalid: {
    status: 500,
    type: 'server_error',
    doc: 'The model folder is missing, or lacks config.json / weights / tokenizer, or they are malformed.',
  },
  unsupported_architecture: {
    status: 500,
    type: 'server_error',
    doc: 'config.json names an architecture or option loraledger does not run.',
  },
  safetensors_invalid: {
    status: 500,
    type: 'server_error',
    doc: 'A safetensors file is truncated, has a bad header, an unsupported dtype or missing tensors.',
  },

  // --- adapters ---
  adapter_not_found: {
    status: 404,
    type: 'not_found_error',
    doc: 'No adapter with that id is registered, or its folder does not exist.',
  },
  adapter_invalid: {
    status: 400,
    type: 'invalid_request_error',
    doc: 'The adapter folder is not a valid PEFT LoRA adapter (config, tensor names, shapes, pickle weights); the message says what does not fit.',
  },
  adapter_load_failed: {
    status: 503,
    type: 'server_error',
    doc: 'A registered adapter could not be read from disk when a request needed it; the message names it. The adapter is marked errored and its folder is re-read (at most every `Retry-After` seconds) when requests ask for it, so a repaired folder serves again without a restart.',
    retryAfterSeconds: 2,
  },

  // --- engine ---
  engine_not_ready: { status: 503, type: 'server_error', doc: 'The model is still loading.' },
  internal_error: {
    status: 500,
    type: 'server_error',
    doc: 'An unexpected server fault (a bug); the server log has the details under the request id.',
  },
  engine_failed: {
    status: 503,
    type: 'server_error',
    doc: 'The engine worker failed while running the model; the requests it was running end with this and it restarts (GET /health says `restarting`).',
  },
  tool_call_invalid: {
    status: 500,
    type: 'server_error',
    doc: 'A streamed reply began a tool call (its name already sent) that the model did not finish as valid JSON; without streaming such a reply is returned as plain text. tool_choice "required" or a named function enforces the syntax.',
  },
  shutting_down: {
    status: 503,
    type: 'server_error',
    doc: 'The server is draining for shutdown and accepts no new work.',
  },

  // --- fine-tuning ---
  training_failed: {
    status: 500,
    type: 'server_error',
    doc: 'A fine-tuning job failed while training (the loss diverged, or the training session failed); the job says why.',
  },

  // --- attribution and settlement ---
  storage_unavailable: {
    status: 503,
    type: 'server_error',
    doc: 'The request needs a durable attribution record and the data directory is full, read-only or failing, so it was not run; requests without attribution are still served, and these succeed again once storage is back.',
  },
  datanet_not_found: { status: 404, type: 'not_found_error', doc: 'No DataNet with that id.' },
  record_not_found: { status: 404, type: 'not_found_error', doc: 'No attribution record with that id.' },
  chain_unavailable: {
    status: 503,
    type: 'server_error',
    doc: 'The settlement chain could not be reached; records wait in the outbox.',
  },
  record_invalid: {
    status: 400,
    type: 'invalid_request_error',
    doc: 'A record or its signature or proof does not verify.',
  },
  signature_invalid: {
    status: 401,
    type: 'authentication_error',
    doc: 'An EIP-712 signed DataNet request or ballot is malformed, expired, or recovers to another address than the one it acts for (docs/datanets.md).',
  },
  not_validator: {
    status: 403,
    type: 'permission_error',
    doc: 'A DataNet role action came from an address without that role: a vote from an unstaked or under-staked validator or a non-validator, an owner action from another address; `details.reason` names the rule.',
  },
  governance_rejected: {
    status: 409,
    type: 'conflict_error',
    doc: "The DataNet's rules refuse the action now: a double vote, a vote after the period closed, a withdrawal before unbonding ends, a challenge outside its window, a stale version; a challenge of a document already overturned (`already_challenged`), a quorum challenge under the owner policy (`owner_policy`), with fewer than `quorum` signers (`quorum_not_reached`) or one validator signing twice (`duplicate_challenger`); `details.reason` names the rule and nothing changed.",
  },
  training_manifest_missing: {
    status: 404,
    type: 'not_found_error',
    doc: 'Training-data influence was asked of an adapter with no training manifest (loraledger.json `training.examples`): it was not trained by the factory.',
  },
  training_examples_missing: {
    status: 404,
    type: 'not_found_error',
    doc: "The adapter's training manifest lists examples whose tokens and gradients are gone (no `influence/` files beside the adapter, or they belong to another manifest), so their influence cannot be computed.",
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorOptions {
  /** The request field at fault (OpenAI `param`), when there is one. */
  param?: string;
  /** Structured, secret-free details for logs and tests. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base of every deliberate error. `code` keys the catalogue. */
export class LoraledgerError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.param = options.param;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  /** OpenAI's error body: {"error": {"message", "type", "param", "code"}}. */
  toOpenAI(): { error: { message: string; type: string; param: string | null; code: string } } {
    return {
      error: {
        message: this.message,
        type: ERROR_CATALOGUE[this.code].type,
        param: this.param ?? null,
        code: this.code,
      },
    };
  }
}

/** Client request errors (HTTP and WebSocket bodies). */
export class RequestError extends LoraledgerError {}
/** Model folder, config.json, safetensors and tokenizer errors. */
export class ModelError extends LoraledgerError {}
/** PEFT adapter format, registry and cache errors. */
export class AdapterError extends LoraledgerError {}
/** Engine worker and ONNX Runtime errors. */
export class EngineError extends LoraledgerError {}
/** DataNets, attribution records, outbox and settlement errors. */
export class AttributionError extends LoraledgerError {}

/** Serialisable form, for crossing the worker-thread boundary. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  param?: string;
  details?: Record<string, unknown>;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof LoraledgerError) {
    return { code: err.code, message: err.message, param: err.param, details: err.details };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'engine_failed', message };
}

export function deserializeError(e: SerializedError): LoraledgerError {
  return new LoraledgerError(e.code, e.message, { param: e.param, details: e.details });
}
