// The influence scorer's pure pieces, as one door for the factory (which computes and stores the
// training gradients) and the server wiring. No onnxruntime, no Fastify, no viem behind it.
export { dataInfScores, gradientDotScores, dampingOf, type GradientBlocks } from './dataInf.ts';
export { readTrainingManifest, type ManifestExample, type TrainingManifest } from './influenceFiles.ts';
// the gradient file, its projection and the example rows are adapter-folder formats (adapters/)
export {
  AUTO_PROJECTION,
  GRADIENT_FORMAT,
  influenceFiles,
  projectBlock,
  readExampleRows,
  readGradientHeader,
  readGradientStore,
  resolveProjection,
  rowBytes,
  writeExampleRows,
  type ExampleRow,
  type GradientHeader,
  type ProjectionSpec,
} from '../../../adapters/index.ts';
export {
  InfluenceScorer,
  type InfluenceGradients,
  type InfluenceRequest,
  type InfluenceScorerOptions,
} from './influenceScorer.ts';
export {
  DEFAULT_MAX_LOADED_BYTES,
  inlineInfluenceScoring,
  threadInfluenceScoring,
  type InfluenceMethod,
  type InfluenceScoring,
  type ScoreAnswersArgs,
} from './influenceScoring.ts';
export { pearson, ranks, rocAuc, spearman, topK, topKOverlap } from './rankStats.ts';
export type { TrainingExampleScore, TrainingInfluence } from './trainingInfluence.ts';
