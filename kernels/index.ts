// Public door of kernels/ for other folders (house style §2). Keep it a plain list of re-exports.
// The model formats have a door of their own (./model/index.ts), which loads no onnxruntime-node.
export * from './model/index.ts';
export * from './graph/graphContract.ts';
export * from './engine/engineContract.ts';
export { parseModelConfig } from './model/modelConfig.ts';
export { quantizeInt4 } from './graph/quantizeWeights.ts'; // bench/gguf writes the same int4 weights as Q4_0
export { type Tensor } from './model/safetensors.ts';
export {
  type TextTokenizer,
  type ChatTemplateMessage,
  type StreamDecoder,
  type EncodeOptions,
  type DecodeOptions,
} from './model/loadTokenizer.ts';
export {
  referenceLogits,
  referenceGreedy,
  ReferenceDecoder,
  type ReferenceModel,
} from './reference/referenceForward.ts';
export { buildDecoderGraph, type DecoderGraphOptions } from './graph/buildDecoderGraph.ts';
export { ensureDecoderGraph, graphCacheKey, BUILDER_VERSION, type CachedGraph } from './graph/graphCache.ts';
export { createSession, type CreateSessionOptions } from './graph/createSession.ts';
export { GraphBuilder, float } from './graph/graphBuilder.ts';
export { DataType } from './graph/onnxProto.ts';
export { startEngine } from './engine/engineClient.ts';
export { planLora, loraFeeds, type LoraPlan, type FeedTensor } from './engine/loraPlan.ts';
export { LoraSlots } from './engine/loraSlots.ts';
export {
  buildTrainingGraph,
  TRAIN_INPUTS,
  TRAIN_OUTPUTS,
  type TrainingGraphOptions,
} from './graph/buildTrainingGraph.ts';
export { ensureTrainingGraph, type CachedTrainingGraph } from './graph/graphCache.ts';
export { TrainingSession, type TrainingBatch } from './engine/trainingSession.ts';
export { transpose } from './graph/graphLinear.ts';
export { validateConstraint, JSON_SCHEMA_KEYWORDS, type ConstraintSpec } from './engine/constrain/constraintSpec.ts';
export { ConstraintEngine, type RowConstraint } from './engine/constrain/constraintEngine.ts';
export { applyMask } from './engine/sampler.ts';
