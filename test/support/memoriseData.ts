// A small distinctive dataset for fine-tuning tests on stories260K: the same continuation after
// every prompt, in word tokens (ids above the byte tokens, whose embeddings the model never learnt).
// stories260K's tokenizer spells token i as `[i]`, space-separated.
export const COMPLETION = [411, 300, 389, 450];
export const PROMPTS = [
  [45, 210, 33],
  [97, 400, 12],
  [301, 5, 88],
  [160, 71, 250],
  [22, 199, 340],
  [61, 8, 477],
  [133, 290, 17],
  [380, 54, 222],
];

/** Token ids as stories260K text: "[45] [210] [33]". */
export const bracketIds = (xs: number[]): string => xs.map((x) => `[${x}]`).join(' ');

/** JSONL prompt/completion rows of `prompts`, each followed by COMPLETION. */
export const memoriseJsonl = (prompts: number[][]): string =>
  prompts.map((p) => JSON.stringify({ prompt: bracketIds(p), completion: bracketIds(COMPLETION) })).join('\n') + '\n';
