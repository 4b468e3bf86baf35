// The small interfaces the HTTP layer needs from the other folders. buildApp adapts the real
// implementations (kernels/ tokenizer and engine, adapters/ registry and router, attribution/)
// to these; routes and the generation pipeline only see these shapes.
import type { FastifyInstance } from 'fastify';
import type { AdapterState } from '../adapters/index.ts';
import type { TokenEmbeddingTable, TrainingInfluence } from '../attribution/index.ts';
import type { ChatMessage, ChatTemplateTool, EngineClient, PromptParts } from '../kernels/index.ts';
import type { Config } from './configSchema.ts';

export type { ChatMessage, PromptParts };

/** Turns one token at a time into text, holding back incomplete UTF-8 / merges. */
export interface Detokenizer {
  /** Text that became final with this token ('' while held). */
  push(tokenId: number): string;
  /** Whatever is still held, at the end of the stream. */
  flush(): string;
}

export interface ServerTokenizer {
  /** Text -> ids, adding the model's BOS as the tokenizer config says (unless addSpecialTokens is false). */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[]): string;
  /** Messages (and tools, rendered as the template does) -> prompt ids through the model's chat template (generation prompt appended). */
  applyChatTemplate(messages: ChatMessage[], opts?: { tools?: ChatTemplateTool[] }): number[];
  /** The chat template's text (null: none), read for --tool-call-parser auto. */
  readonly chatTemplate?: string | null;
  /** keepSpecialTokens: special tokens stay in the text (a tool-call marker that is a special token). */
  detokenizer(opts?: { keepSpecialTokens?: boolean }): Detokenizer;
  /** Whether `text` is a special token of the tokenizer (the detokenizer drops those by default). */
  isSpecialToken?(text: string): boolean;
}

export interface AdapterInfo {
  id: string;
  path: string;
  state: AdapterState;
  /** Why it is errored (null otherwise). */
  reason: string | null;
  rank: number | null;
  description: string | null;
  tags: string[];
  owner: string | null;
}

/** The adapter registry as the routes see it (adapters/ AdapterRegistry behind it). */
export interface AdapterDirectory {
  list(): AdapterInfo[];
  get(id: string): AdapterInfo | undefined;
  /** Validates the folder against the base model and registers it with the engine; throws AdapterError. */
  load(id: string, path: string): Promise<AdapterInfo>;
  /** Unregisters it from the engine and the registry; throws adapter_not_found. */
  unload(id: string): Promise<void>;
  /**
   * An errored adapter was asked for: re-validate its folder in the background (at most once per
   * ADAPTER_RETRY_MS per adapter) and, if it is whole again, load it, so a repaired adapter serves
   * again without an admin call. The request that asked still fails.
   */
  retry?(id: string): void;
}

export interface RouteDecision {
  /** Chosen adapter, or null for the base model. */
  adapterId: string | null;
  /** Human-readable why (e.g. "tags matched: sql (score 0.62)"). */
  reason: string;
  score?: number;
}

/** model "auto": picks a usable adapter (or the base model) for a prompt's text. */
export interface AutoRouter {
  route(input: { text: string }): RouteDecision;
}

/** One finished request, as the attribution service sees it. */
export interface CompletionRecordInput {
  requestId: string;
  kind: 'chat' | 'completion';
  /** Model name the client asked for (base id, adapter id or "auto"). */
  model: string;
  adapterId: string | null;
  promptIds: number[][];
  /** Prompt text (decoded); for logs at trace only. */
  promptText: string[];
  outputs: Array<{ index: number; text: string; tokenIds: number[]; finishReason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  user?: string;
  /** The engine request whose keys/values were retained for output 0 (asked by `retainsKv`). */
  retainedKv?: string;
}

/**
 * Attribution hook point (attribution/ provides it).
 *   prepare       before tokenization, once per request: reads its own body fields (`rag`,
 *                 `attribution`; throwing a RequestError refuses the request) and may rewrite the
 *                 prompt (retrieved passages). `parts` is null for token-id or multi-prompt requests.
 *   onCompletion  once per completed request; what it returns is put in the response
 *                 (`attribution`) and in the last stream event. null = nothing to add. A throw is
 *                 logged and the response goes out without it.
 *   forget        the request ended without completing (error, cancel).
 */
export interface AttributionHook {
  prepare?(input: {
    requestId: string;
    body: Record<string, unknown>;
    parts: PromptParts | null;
    /** Name of the API key that pays (server/security), null when keys are off. */
    payer?: string | null;
  }): Promise<PromptParts | null>;
  onCompletion(input: CompletionRecordInput): Promise<Record<string, unknown> | null>;
  /**
   * Whether onCompletion will score this prepared request's answer under `adapterId`: the engine
   * then keeps output 0's keys/values for that scoring (GenerateRequest.retainKv).
   */
  retainsKv?(requestId: string, adapterId: string | null): boolean;
  forget?(requestId: string): void;
  /** Resolves once every async record accepted so far is durable in the outbox. */
  drain?(): Promise<void>;
}

/** What attribution/ gets to build its service and routes from. */
export interface AttributionWiring {
  config: Config;
  baseModelId: string;
  tokenizer: ServerTokenizer;
  /** The engine once ready (engine.score for attribution). */
  engine: () => EngineClient;
  /** The served model folder. */
  modelDir: string;
  /** The base model's input embeddings [V, D] as buildApp read them for routing (null: too large, not read). */
  tokenEmbeddings: TokenEmbeddingTable | null;
  /** Payout owner of an adapter (loraledger.json `owner`), or null. */
  adapterOwner: (id: string) => string | null;
  /** An adapter's folder (its loraledger.json holds the training manifest), or null when unknown. */
  adapterDir?: (id: string) => string | null;
  /** The training-data influence scorer once the factory provides it (null: training sources from spans alone). */
  trainingInfluence?: () => TrainingInfluence | null;
  /** DataNets to create (and documents to add) when missing: the embedded default's demo DataNets. */
  seedDatanets?: ReadonlyArray<{
    id: string;
    title: string;
    documents: ReadonlyArray<{ text: string; contributor: string; metadata?: Record<string, unknown> }>;
  }>;
  log: FastifyInstance['log'];
}
export interface AttributionPlugin {
  hook: AttributionHook;
  /** A DataNet's approved documents (or a published version's), for fine-tuning on it; throws datanet_not_found. */
  documents?: (
    datanet: string,
    version?: number,
  ) => Array<{
    docId: string;
    datanet: string;
    text: string;
    contributor: string;
    contentHash: string;
    metadata: Record<string, unknown>;
  }>;
  /** Route plugin (DataNets, records, claims) registered on the app. */
  routes?: (app: FastifyInstance) => Promise<void>;
  close?: () => Promise<void>;
}
