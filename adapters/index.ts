// Public door of adapters/ for other folders (house style §2). Keep it a plain list of re-exports.
export * from './types.ts';
export {
  readAdapterMeta,
  isTargeted,
  loraScale,
  moduleKey,
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  ADAPTER_LEDGER_FILE,
  type PeftAdapterMeta,
} from './peftFormat.ts';
export {
  validateAdapterAgainstModel,
  loadAdapterWeights,
  type AdapterPlan,
  type PlannedPair,
  type ValidateOptions,
} from './loadAdapter.ts';
export { confinePath, isInside } from './confinePath.ts';
export {
  AdapterRegistry,
  type AdapterEntry,
  type AdapterRegistryOptions,
  type RegistryEvent,
  type ScanResult,
} from './registry.ts';
export {
  AdapterCache,
  type AdapterCacheOptions,
  type AdapterCacheStats,
  type AdapterRef,
  type SlotSink,
} from './adapterCache.ts';
export {
  AdapterRouter,
  meanEmbedder,
  type AdapterRouterOptions,
  type RoutableAdapter,
  type RouteCandidate,
  type RouteDecision,
} from './router.ts';
export { AdapterLoaderThread } from './adapterLoader.ts';
export {
  AUTO_PROJECTION,
  AUTO_PROJECTION_ABOVE,
  projectBlock,
  projectedShape,
  resolveProjection,
  type BlockShape,
  type ProjectionSpec,
} from './gradientProjection.ts';
export {
  GRADIENT_FORMAT,
  GradientStoreWriter,
  readGradientHeader,
  readGradientStore,
  rowBytes,
  type GradientBlocks,
  type GradientHeader,
  type StoredGradients,
} from './gradientStore.ts';
export {
  INFLUENCE_DIR,
  influenceFiles,
  readExampleRows,
  tempPathBeside,
  writeExampleRows,
  type ExampleRow,
} from './influenceRows.ts';
