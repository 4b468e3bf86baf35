// Public door of kernels/ for other folders (house style §2). Keep it a plain list of re-exports.
export * from './types.ts';
export { parseModelConfig, specToConfigJson } from './modelConfig.ts';
export { loadCheckpoint, loadModelSpec, type Checkpoint } from './loadCheckpoint.ts';
export { expectedTensors, projectionWeightName } from './checkpointLayout.ts';
export { generateModel, TINY_SPEC, SMOLLM_135M_SPEC, type GenerateModelOptions } from './generateModel.ts';
export { Prng, mulberry32 } from './prng.ts';
export { referenceLogits, referenceGreedy, ReferenceDecoder, type ReferenceModel } from './referenceForward.ts';
export { buildDecoderGraph, type DecoderGraphOptions } from './buildDecoderGraph.ts';
export { ensureDecoderGraph, graphCacheKey, BUILDER_VERSION, type CachedGraph } from './graphCache.ts';
export { createSession, type CreateSessionOptions } from './createSession.ts';
export { randomAdapter } from './randomAdapter.ts';
export { readSafetensorsHeader, readSafetensors, readCheckpointTensors, checkpointFiles, writeSafetensors, f32ToF16, f16ToF32, type Tensor } from './safetensors.ts';
export { loadTokenizer, type TextTokenizer, type ChatMessage, type StreamDecoder, type EncodeOptions, type DecodeOptions } from './loadTokenizer.ts';
export { trainBpeTokenizer, writeBpeTokenizer, CHATML_TEMPLATE, CHATML_SPECIAL_TOKENS } from './trainBpeTokenizer.ts';
export { EMBEDDED_CORPUS } from './embeddedCorpus.ts';
export { bigramWeights, countBigrams, type BigramWeights, type BigramWeightsOptions, type BigramCounts } from './bigramWeights.ts';
export { startEngine } from './engineClient.ts';
export { DecoderHarness, loraFeeds as harnessLoraFeeds } from './decoderHarness.ts';
