// Greedy-output agreement between two implementations of the same model, robust to near ties.
// Two correct fp32 implementations may pick different tokens where the top two logits differ by
// less than their rounding noise; after that the continuations differ legitimately. So a run
// "matches" when every token agrees until either the end or a position where the reference saw a
// near tie (gap between the two tokens' logits or logprobs <= tolerance) and the peer chose the
// other side of it.

export interface GreedyCheck {
  pass: boolean;
  /** Tokens compared and equal before the end or the tie. */
  matched: number;
  compared: number;
  /** Position of the first difference, or null. */
  divergedAt: number | null;
  /** Reference score gap at the divergence (reference choice minus peer choice). */
  gap: number | null;
  detail: string;
}

/**
 * `ours` and `theirs` are the two token streams; `scoreOf(pos, token)` gives the reference's
 * logit (or logprob) for `token` at generated position `pos` (given ours[0..pos-1]), or undefined
 * when unknown (then any difference fails).
 */
export function compareGreedy(
  ours: number[],
  theirs: number[],
  scoreOf: (pos: number, token: number) => number | undefined,
  tolerance: number,
): GreedyCheck {
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] === theirs[i]) continue;
    const a = scoreOf(i, ours[i]!);
    const b = scoreOf(i, theirs[i]!);
    const gap = a !== undefined && b !== undefined ? a - b : null;
    const tie = gap !== null && Math.abs(gap) <= tolerance;
    return {
      pass: tie,
      matched: i,
      compared: n,
      divergedAt: i,
      gap,
      detail: tie
        ? `equal for ${i} tokens, then a near tie (gap ${gap!.toExponential(2)} <= ${tolerance}) taken the other way`
        : `differs at token ${i}: ours ${ours[i]}, theirs ${theirs[i]}${gap === null ? ' (no score to judge a tie)' : `, gap ${gap.toFixed(4)}`}`,
    };
  }
  const lengthOk = ours.length === theirs.length;
  return {
    pass: lengthOk,
    matched: n,
    compared: n,
    divergedAt: lengthOk ? null : n,
    gap: null,
    detail: lengthOk
      ? `all ${n} tokens equal`
      : `equal for ${n} tokens but lengths differ (${ours.length} vs ${theirs.length})`,
  };
}
