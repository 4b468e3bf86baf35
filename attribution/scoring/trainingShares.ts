// Training-data attribution maths: how the adapter's training examples share what the adapter
// earned for one answer. PURE: the influence scores (DataInf, ./influence/) and the spans
// (../data/spanIndex.ts) come in as numbers.
//
// Glossary:
//   n           candidate examples (the scorer's top-k, plus every example the answer copies a span from)
//   influence_i DataInf helpfulness of example i for the answer (nats-scaled; positive = it helped)
//   rep_i       contributor reputation in [0, 1] (1 until DataNet governance supplies one)
//   covered_i   answer tokens copied from example i's document: covered by its spans (>= --span-min-tokens),
//               each token split evenly among the training documents covering it (trainingSources.ts)
//   A           answer tokens
//
//   composite_i = max(influence_i, 0) * rep_i                    only positive influence is paid
//   p_i         = composite_i / sum_j composite_j                (0 when no influence is positive)
//   c_i         = covered_i / A * rep_i                          verbatim-copy evidence
//   weight_i    = max(p_i, c_i)                                  0 when i has no payout address
//   share_i     = sharesPpm(weight)                              integers summing to 1e6 (or all 0)
// A span lifts an example's share to at least the fraction of the answer it supplied verbatim;
// without spans the shares are the normalised positive influence (docs/attribution.md says why).

import { PPM } from './fees.ts';
import { sharesPpm } from './scoreSources.ts';

/** The contributor-reputation hook: composite score = influence x reputation. */
export interface ContributorReputation {
  /** Reputation of a contributor within a DataNet (null: not a DataNet example), ppm in [0, 1e6]. */
  reputationPpm(contributor: string, datanet: string | null): number;
}

/** Reputation 1 for everyone: the value until DataNet governance supplies one. */
export const UNIT_REPUTATION: ContributorReputation = { reputationPpm: () => PPM };

export interface TrainingCandidate {
  exampleId: string;
  docId: string | null;
  datanet: string | null;
  /** Payout address, null when the manifest names none (reported, never paid). */
  contributor: string | null;
  /** DataInf helpfulness, or 0 when influence was not computed for this example. */
  influence: number;
  /** Longest span shared with the answer, tokens (0 = none). */
  spanTokens: number;
  /** Answer tokens copied from the example (a token held by several documents is split among them). */
  coveredTokens: number;
}

export interface TrainingShare extends TrainingCandidate {
  reputationPpm: number;
  /** max(influence, 0) * reputation. */
  composite: number;
  sharePpm: number;
}

/** Shares of the training pool per candidate (same order), by the rule above. */
export function trainingShares(
  candidates: readonly TrainingCandidate[],
  options: { answerTokens: number; reputation?: ContributorReputation },
): TrainingShare[] {
  const reputation = options.reputation ?? UNIT_REPUTATION;
  const rep = candidates.map((c) => {
    if (c.contributor === null) return 0;
    const r = reputation.reputationPpm(c.contributor, c.datanet);
    if (!Number.isInteger(r) || r < 0 || r > PPM)
      throw new RangeError(`reputation of ${c.contributor} must be an integer ppm in [0, ${PPM}], got ${r}`);
    return r;
  });
  const composite = candidates.map((c, i) =>
    Number.isFinite(c.influence) && c.influence > 0 ? (c.influence * rep[i]!) / PPM : 0,
  );
  const total = composite.reduce((a, b) => a + b, 0);
  const weights = candidates.map((c, i) => {
    const p = total > 0 ? composite[i]! / total : 0;
    const copied =
      options.answerTokens > 0
        ? (Math.min(c.coveredTokens, options.answerTokens) / options.answerTokens) * (rep[i]! / PPM)
        : 0;
    return Math.max(p, copied);
  });
  const shares = sharesPpm(weights);
  return candidates.map((c, i) => ({
    ...c,
    reputationPpm: c.contributor === null ? PPM : rep[i]!,
    composite: composite[i]!,
    sharePpm: shares[i]!,
  }));
}

export interface RollUp {
  key: string;
  sharePpm: number;
  /** uint256 decimal string. */
  amount: string;
}

/** Sums share_ppm and amounts per key (contributor or DataNet), largest share first. */
export function rollUp<T extends { sharePpm: number; amount: string }>(
  entries: readonly T[],
  key: (e: T) => string,
): RollUp[] {
  const sums = new Map<string, { sharePpm: number; amount: bigint }>();
  for (const e of entries) {
    const k = key(e);
    const s = sums.get(k) ?? { sharePpm: 0, amount: 0n };
    s.sharePpm += e.sharePpm;
    s.amount += BigInt(e.amount);
    sums.set(k, s);
  }
  return [...sums.entries()]
    .map(([k, s]) => ({ key: k, sharePpm: s.sharePpm, amount: s.amount.toString() }))
    .sort((a, b) => b.sharePpm - a.sharePpm || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
