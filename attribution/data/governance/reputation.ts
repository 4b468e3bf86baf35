// Contributor and validator reputation (PURE; docs/datanets.md#reputation states the same formulas).
//
// Contributor c in DataNet d, from its decided documents:
//   A = approved and still approved, R = rejected by vote, U = approved, then overturned by an upheld challenge
//   reputation(c) = (A + ALPHA) / (A + R + CHALLENGE_WEIGHT * U + ALPHA + BETA)
// a Beta(ALPHA, BETA) prior on the acceptance rate (posterior mean), so one document proves little:
// a newcomer stands at 1/2, one accepted document at 3/5, 8 of 10 at 10/14; an upheld challenge
// weighs like CHALLENGE_WEIGHT rejections and also removes the acceptance it overturned.
//
// Validator v in DataNet d, from its counted votes:
//   agree = votes equal to the final outcome (approved and still approved, or rejected)
//   disagree = votes against the final outcome; an approval of an overturned document counts CHALLENGE_WEIGHT
//   reputation(v) = (agree + ALPHA) / (agree + disagree + ALPHA + BETA)
// A validator who votes against the outcome often loses reputation, never stake (only upheld challenges slash).
//
// Reputation is an integer ppm in [0, 1e6]; attribution uses composite = influence x reputation.

export const ALPHA = 2;
export const BETA = 2;
export const CHALLENGE_WEIGHT = 3;
const PPM = 1_000_000;

export interface ContributorTally {
  approved: number;
  rejected: number;
  overturned: number;
}

export interface ValidatorTally {
  agreed: number;
  disagreed: number;
  /** approvals of documents later overturned (not also counted in disagreed) */
  overturned: number;
}

export function contributorReputationPpm(t: ContributorTally): number {
  return Math.round(
    (PPM * (t.approved + ALPHA)) / (t.approved + t.rejected + CHALLENGE_WEIGHT * t.overturned + ALPHA + BETA),
  );
}

export function validatorReputationPpm(t: ValidatorTally): number {
  const disagree = t.disagreed + CHALLENGE_WEIGHT * t.overturned;
  return Math.round((PPM * (t.agreed + ALPHA)) / (t.agreed + disagree + ALPHA + BETA));
}
