// The model-format door of kernels/: model spec, config, checkpoints, safetensors, tokenizer and LoRA
// weight types. adapters/, attribution/ and factory/ import kernels/ through this door, which loads
// no onnxruntime-node; kernels/index.ts re-exports it for everyone else.
export { type AdapterWeights, type LoraPair } from './loraWeights.ts';
export {
  LORA_A_GROUPS,
  LORA_TARGETS,
  targetShape,
  type LoraTarget,
  type ModelSpec,
  type WeightPrecision,
} from './modelSpec.ts';
export {
  checkpointFiles,
  decodeTensor,
  f16ToF32,
  widenF16,
  f32ToF16,
  parseSafetensorsHeader,
  readCheckpointTensors,
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsDtype,
  type TensorInfo,
  type TensorToWrite,
  writeSafetensors,
} from './safetensors.ts';
export { loadCheckpoint, loadModelSpec, type Checkpoint } from './loadCheckpoint.ts';
export { expectedTensors, projectionWeightName } from './checkpointLayout.ts';
export { loadTokenizer, type ChatRenderOptions } from './loadTokenizer.ts';
export { type ChatTemplateTool, type ChatTemplateToolCall } from './plainTools.ts';
export { specToConfigJson } from './modelConfig.ts';
export { type ChatMessage, type PromptParts } from './prompt.ts';
