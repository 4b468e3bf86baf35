// How much of an answer is copied from a passage: the longest run of consecutive words (lowercase
// letters, digits and underscores) of the answer that also occurs in the passage. bench:demo's
// copying figure and bench/probes/ragPrefixCopy.ts use it.
const words = (s: string) => s.toLowerCase().match(/[a-z0-9_]+/g) ?? [];

/** Longest run of consecutive words of `answer` found in `passage`. */
export function longestSharedRun(answer: string, passage: string): number {
  const a = words(answer);
  const p = ` ${words(passage).join(' ')} `;
  let best = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + best + 1; j <= a.length; j++) {
      if (p.includes(` ${a.slice(i, j).join(' ')} `)) best = j - i;
      else break;
    }
  return best;
}
