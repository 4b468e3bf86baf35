// Public door of factory/ for other folders (house style §2): everything that makes models and adapters.
export { generateAdapter } from './generateAdapter.ts';
export {
  loraTensorName,
  peftConfigJson,
  writeAdapterFolder,
  type AdapterFolder,
  type PeftPair,
} from './writeAdapterFolder.ts';
export { SMOLLM_135M_SPEC, TINY_SPEC, generateModel, type GenerateModelOptions } from './generateModel.ts';
export { writeBpeTokenizer } from './demo/trainBpeTokenizer.ts';
export { trainBpeTokenizer, CHATML_TEMPLATE, CHATML_SPECIAL_TOKENS } from './demo/trainBpeTokenizer.ts';
export {
  ensureEmbeddedDefault,
  EMBEDDED_DEFAULT_VERSION,
  EMBEDDED_MODEL_NAME,
  type DemoDatanetSeed,
  type DocumentIdentity,
  type EmbeddedDefault,
  type EmbeddedOptions,
  type EmbeddedProfile,
  type EmbeddedProgress,
} from './demo/embeddedDefault.ts';
export { DEMO_DOMAINS, corpusText, type DemoDomain } from './demo/corpus/index.ts';
// ModelFactory training data and optimizer (factory/train/).
export {
  validateRow,
  rowName,
  type SourcedRow,
  type TrainingRow,
  type TrainMessage,
  type TrainRole,
} from './train/trainingRows.ts';
export { parseTrainingJsonl, type ParseJsonlOptions } from './train/parseTrainingJsonl.ts';
export { documentRow, type TrainingDocument } from './train/documentRows.ts';
export { chatTokens, type ChatTokenizer, type WeightedTokens } from './train/chatTokens.ts';
export {
  buildTrainExamples,
  lossTokenCount,
  tokenizeRow,
  tokenizerAddsBos,
  type ExampleTokenizer,
  type TrainExample,
  type TrainExamples,
  type TrainExamplesOptions,
  type TruncatedRow,
} from './train/trainExamples.ts';
export {
  padBatch,
  planEpoch,
  planEvaluation,
  splitExamples,
  type EpochOptions,
  type SplitOptions,
  type StepPlan,
  type TrainBatch,
} from './train/batches.ts';
export { AdamW, type AdamWOptions, type AdamWState } from './train/adamw.ts';
export { clipGradNorm } from './train/clipGradNorm.ts';
export {
  learningRate,
  lrFactor,
  validateLrSchedule,
  type LrSchedule,
  type LrScheduleKind,
} from './train/lrSchedule.ts';
export { initLora, initLoraPair, type InitLoraOptions } from './train/initLora.ts';
export { FineTuner, type FineTunerOptions, type JobResult, type SourceDocument } from './jobs/fineTuner.ts';
export type { JobSpec } from './jobs/jobRequest.ts';
export type { CheckpointRow, EventRow, FileRow, JobRow } from './jobs/fineTuneStore.ts';
export { trainLora, type LoraTrainConfig, type StepMetrics, type TrainState } from './train/trainLora.ts';
export { exportAdapter } from './train/exportAdapter.ts';
export {
  exampleGradients,
  openGradientModel,
  storeExampleGradients,
  type GradientModel,
} from './train/exampleGradients.ts';
export { TrainingThread } from './train/trainingThread.ts';
export { trainingManifest, writeAdapterLedger, hashModel } from './jobs/provenance.ts';
