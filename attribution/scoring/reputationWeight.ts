// Proof of Attribution's composite score for retrieved passages (PURE):
//   composite_i = score_i * reputation(contributor_i, datanet_i) / 1e6
// where score_i is the passage's influence (Shapley or leave-one-out, nats) and reputation is the
// contributor's reputation in that DataNet (attribution/data/governance/reputation.ts; 1e6 in
// open DataNets). Shares are then sharesPpm(composite): only positive composites are paid.
// With no reputation source every reputation is 1e6 and the scores come back unchanged.

import { PPM } from './fees.ts';
import type { ContributorReputation } from './trainingShares.ts';

export function reputationWeighted(
  scores: readonly number[],
  passages: ReadonlyArray<{ contributor: string; datanet: string }>,
  reputation: ContributorReputation | undefined,
): number[] {
  if (reputation === undefined) return [...scores];
  return scores.map((s, i) => {
    const r = reputation.reputationPpm(passages[i]!.contributor, passages[i]!.datanet);
    if (!Number.isInteger(r) || r < 0 || r > PPM)
      throw new RangeError(`reputation of ${passages[i]!.contributor} must be an integer ppm in [0, ${PPM}], got ${r}`);
    return (s * r) / PPM;
  });
}
