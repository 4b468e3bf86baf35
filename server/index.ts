// Public door of server/ for other folders (house style §2): a plain list of re-exports.
export { buildApp, engineStarted, type BuildOptions } from './app.ts';
export { loadConfig, helpText, redactConfig, flagOf, envOf, type Config, type ConfigSources } from './config.ts';
export { ConfigSchema } from './configSchema.ts';
export { createAttribution } from './createAttribution.ts';
export type {
  AdapterDirectory,
  AttributionPlugin,
  AttributionWiring,
  AdapterInfo,
  AttributionHook,
  AutoRouter,
  ChatMessage,
  CompletionRecordInput,
  PromptParts,
  RouteDecision,
  ServerTokenizer,
} from './ports.ts';
export type { StreamChunk, Usage, ServedBy } from './generation/chunkShapes.ts';
export { loadRoutingEmbeddings, loadServerTokenizer, makeAutoRouter } from './integrations.ts';
