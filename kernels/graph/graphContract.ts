// The graph contract: the decoder graph's inputs and outputs (graph/buildDecoderGraph.ts builds it,
// the engine worker feeds it), and the back-end choices the graph and its session depend on.
//
// Glossary (shapes):
//   B   rows in one forward call (sequences)          T   new tokens per row in the call
//   N   B*T flattened token positions                  P   positions per row whose logits are wanted
//   C   KV-cache capacity (positions) of the call       D   hidden size
//   H   attention heads      Hkv  key/value heads       Dh  head size (D / H unless config says)
//   I   MLP intermediate size                          V   vocabulary size
//   L   layers               R   max LoRA rank          K   adapter slots fed to this call
//   M   rows (tokens) per adapter bucket in this call
import type { LoraTarget } from '../model/modelSpec.ts';

/** How the LoRA path is computed in the graph (house style §4: one selector picks it). */
export type LoraKernel = 'grouped' | 'gather';
export type ExecutionProvider = 'cpu' | 'cuda';

/**
 * The decoder graph contract (kernels/buildDecoderGraph.ts builds it, the engine worker feeds it).
 * All int tensors are int64; float tensors float32. Every dim except weights is dynamic.
 *
 * Inputs
 *   input_ids      [B, T]            token ids; padding positions may hold any valid id
 *   position_ids   [B, T]            absolute positions (past_len[b] + t); padding may hold 0
 *   past_len       [B]               valid cached positions per row (0 for a fresh prefill)
 *   new_len        [B]               valid new tokens per row (1..T); positions t >= new_len are padding
 *   logits_idx     [B, P]            which of the T positions to return logits for
 *   past_key.{l}   [B, Hkv, C, Dh]   per layer l, right-padded cache (positions >= past_len are ignored)
 *   past_value.{l} [B, Hkv, C, Dh]
 *   LoRA, kernel 'grouped' (rows bucketed by adapter; each adapter's weights read once). Bucket k is
 *   a resident adapter; the engine arranges its slot stacks so the buckets of a call are a contiguous
 *   run of slots and feeds that run as a zero-copy view. The graph appends a zero row to x (index
 *   N), so a place whose idx_in is N has delta exactly 0. A call with no adapter rows feeds K=1,
 *   M=1, idx_in [[N]] and R=1 zero tensors (and the graph skips every LoRA op):
 *     lora_idx_in  [K, M]            for bucket k, the flattened token positions (0..N-1) of its rows; unused places N
 *     lora_idx_out [N]               for each token position, its place in the flattened [K*M] buckets; base rows
 *                                    point to an unused place (idx_in = N); padding positions too, when one exists
 *     lora_a.{l}.{group} [K, Din, n*R]  bucket k's A of the n targets of a LORA_A_GROUPS group side by
 *                                       side (e.g. lora_a.0.q_proj+k_proj+v_proj), each zero-padded to R
 *     lora_b.{l}.{target} [K, R, Dout]  bucket k's B, already multiplied by the adapter's scale
 *     per token n: y[n] = x[n]·W + (xz[idx_in[p]]·A[k])·B[k]  with p = idx_out[n], k = p div M, xz = x + zero row
 *                  (A = the target's R columns of its group's stack)
 *   LoRA, kernel 'gather' (plain per-row gather, the simple baseline):
 *     lora_slot    [B]               slot of each row into the full stacks (slot 0 = all zeros = no adapter)
 *     lora_a.{l}.{group} [S, Din, n*R], lora_b.{l}.{target} [S, R, Dout]
 *     per row b: y[b,t] = x[b,t]·W + (x[b,t]·A[slot[b]])·B[slot[b]]
 * Outputs
 *   logits         [B, P, V]
 *   new_key.{l}    [B, Hkv, T, Dh]   the T new positions' keys (after RoPE) for the caller to write into its cache
 *   new_value.{l}  [B, Hkv, T, Dh]
 *
 * Attention for query (b, t) sees cache positions j < past_len[b] and new positions t' <= t with
 * t' < new_len[b] (and, with a sliding window W, only key positions > position - W).
 */
export const GRAPH_INPUTS = {
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  pastLen: 'past_len',
  newLen: 'new_len',
  logitsIdx: 'logits_idx',
  pastKey: (l: number) => `past_key.${l}`,
  pastValue: (l: number) => `past_value.${l}`,
  loraIdxIn: 'lora_idx_in',
  loraIdxOut: 'lora_idx_out',
  loraSlot: 'lora_slot',
  loraA: (l: number, group: readonly LoraTarget[]) => `lora_a.${l}.${group.join('+')}`,
  loraB: (l: number, t: LoraTarget) => `lora_b.${l}.${t}`,
} as const;
export const GRAPH_OUTPUTS = {
  logits: 'logits',
  /** log Σ_v exp(logits[b, p, v]) [B, P]: the normaliser of each logits row (scoring's log-probs). */
  logitsLse: 'logits_lse',
  newKey: (l: number) => `new_key.${l}`,
  newValue: (l: number) => `new_value.${l}`,
} as const;
