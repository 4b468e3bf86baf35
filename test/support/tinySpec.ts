// The tiny GQA Llama the adapter tests validate and load against (no checkpoint: a spec only).
// D 16, H 4 x Dh 4, Hkv 2, I 24, L 2, V 32.
import type { ModelSpec } from '../../kernels/model/index.ts';

export const TINY_SPEC: ModelSpec = {
  architecture: 'LlamaForCausalLM', hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4,
  vocabSize: 32, maxPositions: 64, rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, slidingWindow: null,
  attentionBias: false, tieWordEmbeddings: true, bosTokenId: 1, eosTokenIds: [2],
};
