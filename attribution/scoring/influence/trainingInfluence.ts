// The training-data influence scorer the attribution service consumes (issue 15): for a request an
// adapter answered, how much each of the adapter's training examples helped that answer.
//
//   score({adapterId, promptIds, completionIds, topK})
//     manifest = <adapter>/loraledger.json training.examples       (null when there is none)
//     g_i      = stored per-example LoRA gradients (./gradientStore.ts; computed once by the factory)
//     v        = d loss(completion | prompt) / d LoRA, teacher-forced under the adapter
//     score_k  = −I(k) = Σ_l hvp_l · g_kl   (DataInf, ./dataInf.ts; positive = the example helped)
//     -> the topK examples by score, each named by its manifest entry
//
// Runs off the request's critical path (the async attribution mode); see docs/attribution.md.

/** One training example's influence on one answer. */
export interface TrainingExampleScore {
  /** The manifest's example id (a DataNet doc id, or `line:<n>` of an uploaded file). */
  exampleId: string;
  datanet: string | null;
  docId: string | null;
  contributor: string | null;
  /** Helpfulness −I(k): positive when training on the example lowered the answer's loss. */
  score: number;
}

export interface TrainingInfluence {
  /** null when the adapter has no training manifest. Runs off the request's critical path. */
  score(req: {
    adapterId: string;
    promptIds: number[];
    completionIds: number[];
    topK?: number;
  }): Promise<TrainingExampleScore[] | null>;
}
