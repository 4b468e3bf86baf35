// What buildApp wires together and decorates the Fastify instance with (`app.loraledger`).
// Routes read these; nothing else is global.
import type { Config } from './configSchema.ts';
import type { EngineHolder } from './engineHolder.ts';
import type { Metrics } from './http/metrics.ts';
import type { AdapterDirectory, AttributionHook, AutoRouter, ServerTokenizer } from './ports.ts';
import type { PlanDeps } from './generation/planRequest.ts';
import type { ResponseStore } from './generation/responseStore.ts';

export interface AppServices {
  config: Config;
  /** Base model id = the model folder's name. */
  baseModelId: string;
  modelDir: string;
  /** Absolute adapter roots; admin loads are confined to them. */
  adapterRoots: string[];
  engine: EngineHolder;
  tokenizer: ServerTokenizer;
  adapters: AdapterDirectory;
  router: AutoRouter;
  metrics: Metrics;
  attribution?: AttributionHook;
  /** Stored Responses API responses (previous_response_id), bounded by --responses-store-size. */
  responses: ResponseStore;
  /** PlanDeps for the current engine (throws engine_not_ready while it starts). */
  /** `payer`: the request's API key name (request.payer), carried into its attribution record. */
  planDeps(payer?: string | null): PlanDeps;
}

declare module 'fastify' {
  interface FastifyInstance {
    loraledger: AppServices;
  }
}
