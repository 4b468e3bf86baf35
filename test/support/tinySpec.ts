// The tiny GQA Llama the adapter tests validate and load against (no checkpoint: a spec only):
// factory's TINY_SPEC narrowed to D 16, Dh 4, I 24, V 32 (H 4, Hkv 2, L 2 as there).
import { TINY_SPEC } from '../../factory/index.ts';
import type { ModelSpec } from '../../kernels/model/index.ts';

export const ADAPTER_TEST_SPEC: ModelSpec = {
  ...TINY_SPEC,
  hiddenSize: 16,
  intermediateSize: 24,
  headDim: 4,
  vocabSize: 32,
  maxPositions: 64,
};
