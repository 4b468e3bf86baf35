// Plans teacher-forced scoring as a prefix tree (AttriBoT's KV reuse): variants of one adapter whose
// prompts start with the same tokens compute that prefix ONCE; every variant below it feeds only its
// own remaining tokens, with the prefix's keys/values as its past. Exact: a token's keys/values
// depend only on the tokens before it (causal attention), so a shared prefix at the same positions
// under the same adapter has the same KV whichever variant computes it.
//
// Glossary: Lp/Lt a variant's prompt/target lengths; a variant feeds seq = prompt ++ target[0..Lt-2]
// (Lp + Lt - 1 tokens) and wants the logits at positions Lp-1 .. Lp+Lt-2 (they predict target[j]).
//
// planScoreTree(variants):
//   per adapter, sort the variants by their shareable tokens seq[0 .. Lp-2] (a variant keeps at least
//   its last prompt token, so every wanted logit comes from its own leaf), then recursively:
//     group(idx, from, parent):
//       spine: end = lcp(idx); while the variants split at `end` into exactly one run of >= 2 (the
//              others are branches that leave at `end`), go on with that run: end = lcp(run)
//       if the spine saves >= minSavedTokens fed tokens: node [from, end) under parent; each branch
//              is a leaf from where it left (its past: the node's KV up to there); at `end`, runs of
//              >= 2 recurse under the node, the others are leaves
//       else split idx at lcp(idx): runs of >= 2 recurse from `from`, the others are leaves [from, ..)
//   A chain of prefixes (attribution's surrogate design: {0}, {0,1}, .., all) is thus ONE node row
//   whose KV every prefix's leaf reads, not a node per passage (a forward call per level).
//   minSavedTokens = Infinity turns sharing off: every variant is one leaf fed from position 0.
//   root (a finished generation's retained keys/values, retainedKv.ts): item 0, already computed.
//     A variant under its adapter that shares r >= minSavedTokens shareable tokens with it starts at r
//     under it; variants that leave it at the same r are grouped below it as above. The rest are
//     planned without it.
// The result lists parents before children. An item's past is its parent's KV up to the item's
// start, which holds the grandparent's up to the parent's start, and so on.
import type { ScoreVariant } from './engineContract.ts';

export interface ScoreItem {
  /** The node whose keys/values up to `start` (with its ancestors') are this item's past; -1: none. */
  parent: number;
  /** Absolute position of the first token fed (= the length of the past). */
  start: number;
  /** Tokens fed: seq[start .. start + len) of `source`. */
  len: number;
  /** The variant whose sequence holds the tokens (any of a node's variants: they agree there). */
  source: number;
  /** The variant this leaf scores, or -1 for a shared prefix node. */
  variant: number;
  adapterId: string | null;
  /** Leaf: offsets (0..len-1) of the fed tokens whose logits predict target[0..Lt-1]. Node: []. */
  logitsAt: number[];
}

export interface ScoreTreeOptions {
  /** A prefix is shared only when it saves at least this many fed tokens. Default 8; Infinity: off. */
  minSavedTokens?: number;
  /** Keys/values already computed for these tokens under this adapter: item 0 (source -1), never run. */
  root?: { tokens: readonly number[]; adapterId: string | null };
}

export const DEFAULT_MIN_SAVED_TOKENS = 8;

/** The fed sequence of a variant: prompt ++ target[0 .. Lt-2]. */
export function fedTokens(v: ScoreVariant): number[] {
  return [...v.promptIds, ...v.targetIds.slice(0, -1)];
}

/** Plans the tree; variants with an empty target need no forward pass and get no item. */
export function planScoreTree(variants: readonly ScoreVariant[], o: ScoreTreeOptions = {}): ScoreItem[] {
  const minSaved = o.minSavedTokens ?? DEFAULT_MIN_SAVED_TOKENS;
  const items: ScoreItem[] = [];
  const seqs = variants.map(fedTokens);
  const shareable = variants.map((v) => v.promptIds.length - 1);
  const root = o.root;
  /** Per root-sharing start r, the variants that leave the root there. */
  const underRoot = new Map<number, number[]>();
  if (root)
    items.push({
      parent: -1,
      start: 0,
      len: root.tokens.length,
      source: -1,
      variant: -1,
      adapterId: root.adapterId,
      logitsAt: [],
    });
  const byAdapter = new Map<string | null, number[]>();
  variants.forEach((v, i) => {
    if (v.targetIds.length === 0) return;
    if (root && v.adapterId === root.adapterId && minSaved !== Infinity) {
      const cap = Math.min(shareable[i]!, root.tokens.length);
      let r = 0;
      while (r < cap && seqs[i]![r] === root.tokens[r]) r++;
      if (r >= minSaved) {
        underRoot.set(r, [...(underRoot.get(r) ?? []), i]);
        return;
      }
    }
    const g = byAdapter.get(v.adapterId) ?? [];
    g.push(i);
    byAdapter.set(v.adapterId, g);
  });
  const leaf = (i: number, from: number, parent: number): void => {
    const v = variants[i]!;
    items.push({
      parent,
      start: from,
      len: seqs[i]!.length - from,
      source: i,
      variant: i,
      adapterId: v.adapterId,
      logitsAt: v.targetIds.map((_, j) => v.promptIds.length - 1 + j - from),
    });
  };
  const lcpOf = (idx: number[], from: number): number => {
    const first = seqs[idx[0]!]!;
    const last = seqs[idx[idx.length - 1]!]!;
    const cap = Math.min(...idx.map((i) => shareable[i]!));
    let lcp = from;
    while (lcp < cap && first[lcp] === last[lcp]) lcp++; // sorted: the first and last agree where all do
    return lcp;
  };
  /** Splits sorted idx (which agree before `at`) into runs by their token at `at` (none: a run of one). */
  const runsAt = (idx: number[], at: number): number[][] => {
    const runs: number[][] = [];
    for (let a = 0; a < idx.length;) {
      let b = a + 1;
      const token = shareable[idx[a]!]! > at ? seqs[idx[a]!]![at] : undefined;
      if (token !== undefined) while (b < idx.length && shareable[idx[b]!]! > at && seqs[idx[b]!]![at] === token) b++;
      runs.push(idx.slice(a, b));
      a = b;
    }
    return runs;
  };
  const group = (idx: number[], from: number, parent: number): void => {
    // The spine: extend the shared prefix past branch points where a single run of >= 2 goes on;
    // the variants that leave it there (branches) become leaves that read the spine's KV up to their start.
    let run = idx;
    let end = from;
    let saved = 0;
    const branches: Array<{ i: number; at: number }> = [];
    let runs: number[][];
    for (;;) {
      const lcp = lcpOf(run, end);
      saved += (lcp - end) * (run.length - 1);
      end = lcp;
      runs = runsAt(run, end);
      const big = runs.filter((r) => r.length >= 2);
      if (big.length !== 1) break;
      for (const r of runs) if (r.length === 1) branches.push({ i: r[0]!, at: end });
      run = big[0]!;
    }
    if (end > from && saved >= minSaved) {
      items.push({
        parent,
        start: from,
        len: end - from,
        source: run[0]!,
        variant: -1,
        adapterId: variants[run[0]!]!.adapterId,
        logitsAt: [],
      });
      const node = items.length - 1;
      for (const b of branches) leaf(b.i, b.at, node);
      for (const r of runs) {
        if (r.length >= 2) group(r, end, node);
        else leaf(r[0]!, end, node);
      }
      return;
    }
    // Not worth a node here: split at the first branch point and look for sharing below it.
    for (const r of runsAt(idx, lcpOf(idx, from))) {
      if (r.length >= 2) group(r, from, parent);
      else leaf(r[0]!, from, parent);
    }
  };
  const plan = (idx: number[], from: number, parent: number): void => {
    idx.sort((a, b) => compareUpTo(seqs[a]!, shareable[a]!, seqs[b]!, shareable[b]!) || a - b);
    if (idx.length === 1) leaf(idx[0]!, from, parent);
    else group(idx, from, parent);
  };
  for (const [r, idx] of underRoot) plan(idx, r, 0);
  for (const idx of byAdapter.values()) plan(idx, 0, -1);
  return items;
}

/** Lexicographic order of x[0..nx) and y[0..ny) (a proper prefix sorts first). */
function compareUpTo(x: number[], nx: number, y: number[], ny: number): number {
  const n = Math.min(nx, ny);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return nx - ny;
}
