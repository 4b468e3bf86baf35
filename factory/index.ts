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
export { EMBEDDED_CORPUS } from './demo/embeddedCorpus.ts';
export { writeBpeTokenizer } from './demo/trainBpeTokenizer.ts';
export { trainBpeTokenizer, CHATML_TEMPLATE, CHATML_SPECIAL_TOKENS } from './demo/trainBpeTokenizer.ts';
export {
  bigramWeights,
  countBigrams,
  type BigramWeights,
  type BigramWeightsOptions,
  type BigramCounts,
} from './demo/bigramWeights.ts';
export { ensureEmbeddedDefault } from './demo/embeddedDefault.ts';
