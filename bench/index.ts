// Public door of bench/ for other folders (house style §2). Keep it a plain list of re-exports.
export { runBench, planScenarios, type BenchOptions } from './runBench.ts';
export {
  SCENARIOS,
  SYSTEMS,
  MODEL_PRESETS,
  findScenario,
  validateScenario,
  effectiveScenario,
  type ScenarioDef,
  type ScenarioOverrides,
  type SystemName,
  type ModelPreset,
  type AdapterMix,
} from './scenarios.ts';
export { buildWorkload, adapterId, type Workload, type PlannedRequest, type AdapterPlan } from './workload.ts';
export { ZipfSampler } from './zipf.ts';
export { writeGguf, encodeTensor } from './gguf/writeGguf.ts';
export { readGgufHeader, type GgufHeader, type GgufTensorInfo } from './gguf/readGgufHeader.ts';
export { exportModelGguf, ggufTensorName, llamaMetadata, type ExportModelOptions } from './gguf/exportModelGguf.ts';
export { exportAdapterGguf, type ExportAdapterOptions, type ExportedAdapter } from './gguf/exportAdapterGguf.ts';
export { LlamaCppPeer, type LlamaCppModelOptions, type LlamaCppContextOptions } from './peers/llamaCpp.ts';
export { mergeLora, writeMergedModel } from './peers/naiveMerged.ts';
export { compareGreedy, type GreedyCheck } from './greedyCheck.ts';
export { writeReport, renderMarkdown, renderCharts } from './report/writeReport.ts';
export type { BenchReport, ScenarioResult, TargetCheck } from './report/reportTypes.ts';
