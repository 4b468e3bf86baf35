// The influence scorer's pure pieces, as one door for the factory (which computes and stores the
// training gradients) and the server wiring. No onnxruntime, no Fastify, no viem behind it.
export { dataInfScores, gradientDotScores, dampingOf, type GradientBlocks } from './dataInf.ts';
export {
  AUTO_PROJECTION,
  projectBlock,
  projectedShape,
  resolveProjection,
  type BlockShape,
  type ProjectionSpec,
} from './projection.ts';
export {
  influenceFiles,
  readExampleRows,
  readTrainingManifest,
  writeExampleRows,
  type ExampleRow,
  type ManifestExample,
  type TrainingManifest,
} from './influenceFiles.ts';
export {
  InfluenceScorer,
  type InfluenceGradients,
  type InfluenceRequest,
  type InfluenceScorerOptions,
} from './influenceScorer.ts';
export {
  GRADIENT_FORMAT,
  GradientStoreWriter,
  readGradientHeader,
  readGradientStore,
  rowBytes,
  type GradientHeader,
  type StoredGradients,
} from './gradientStore.ts';
export { pearson, ranks, rocAuc, spearman, topK, topKOverlap } from './rankStats.ts';
export type { TrainingExampleScore, TrainingInfluence } from './trainingInfluence.ts';
