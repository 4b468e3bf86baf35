// The engine worker's ConstraintProvider: the xgrammar engine over the model's vocabulary is built on
// the first constrained request (reading tokenizer.json and preprocessing the vocabulary takes a
// moment on large vocabularies; servers that never constrain never pay it).
import type { ModelSpec } from '../../model/modelSpec.ts';
import { ConstraintEngine, type ConstraintProvider } from './constraintEngine.ts';
import { MaskTimes } from './maskTimes.ts';
import { loadTokenizerVocab } from './tokenizerVocab.ts';

export function lazyConstraints(modelDir: string, spec: ModelSpec): ConstraintProvider {
  let engine: Promise<ConstraintEngine> | undefined;
  const maskTimes = new MaskTimes();
  return {
    maskTimes,
    open(constraint, stopTokenIds) {
      engine ??= loadTokenizerVocab(modelDir, spec.vocabSize).then((vocab) =>
        ConstraintEngine.create(vocab, spec.eosTokenIds, maskTimes),
      );
      engine.catch(() => (engine = undefined)); // a later request tries again
      return engine.then((e) => e.open(constraint, stopTokenIds));
    },
  };
}
