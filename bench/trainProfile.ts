// Where a bench:train step goes: onnxruntime profile rows of one training step, classed by op and
// shape (opClass), and printed as a table (profileLines).
import type { ModelSpec } from '../kernels/model/index.ts';

export interface ProfileRow {
  /** forward through the lm_head; loss: log-softmax, nll and its gradient, up to the first backward matmul. */
  phase: 'forward' | 'loss' | 'backward';
  cls: string;
  op: string;
  shape: string;
  ms: number;
  count: number;
}
export interface StepProfile {
  wallMs: number;
  kernelMs: number;
  rows: ProfileRow[];
}

export const MATMULS = new Set(['MatMul', 'Gemm', 'FusedMatMul', 'FusedGemm']);
const LAYOUT = new Set(
  'Transpose Reshape Concat Split Slice Gather GatherElements ScatterElements Expand Tile Squeeze Unsqueeze Identity Shape Pad Range'.split(
    ' ',
  ),
);

/**
 * The class of an op for "where the time goes", from its type and shapes ([inputs..., output];
 * onnxruntime lists no shape for a prepacked weight). A 2-D matmul that reduces over the tokens of
 * two activations into a weight-shaped output without R (xᵀ·gy) is the gradient of a frozen
 * weight: the graph computes it, and nothing reads it.
 */
export function opClass(op: string, shapes: number[][], spec: ModelSpec, rank: number): string {
  const has = (pred: (s: number[]) => boolean) => shapes.some(pred);
  const out = shapes[shapes.length - 1] ?? [];
  if (MATMULS.has(op)) {
    const [a, b, o] = shapes;
    if (has((s) => s.length === 4)) return 'attention matmuls (q·kᵀ, p·v)';
    if (has((s) => s[0] === rank || s[s.length - 1] === rank)) return 'LoRA matmuls';
    if (shapes.length === 3 && [a, b, o].every((s) => s!.length === 2) && a![0] === b![0] && o![0] === a![1])
      return 'frozen-weight gradients (xᵀ·gy, unused)';
    if (has((s) => s.includes(spec.vocabSize))) return 'lm_head matmul';
    return 'projection matmuls (frozen base)';
  }
  if (out.length === 4 && out[2] === out[3]) return 'attention softmax / mask';
  if (has((s) => s.includes(spec.vocabSize))) return 'softmax / cross-entropy over vocab';
  if (LAYOUT.has(op)) return 'layout (transpose, reshape, concat, gather...)';
  if (op.startsWith('Reduce')) return 'reductions (norms, sums)';
  return 'elementwise and other';
}

const f = (x: number, d = 1) => x.toFixed(d);

export function profileLines(p: StepProfile, top: number): string[] {
  const sum = (pick: (r: ProfileRow) => boolean) => p.rows.filter(pick).reduce((a, r) => a + r.ms, 0);
  const pct = (ms: number) => `${f((100 * ms) / p.kernelMs)}%`;
  const phases = (['forward', 'loss', 'backward'] as const).map((ph) => {
    const ms = sum((r) => r.phase === ph);
    return `${ph} ${f(ms, 0)} ms (${pct(ms)})`;
  });
  const groups = [...new Set(p.rows.map((r) => `${r.phase}|${r.cls}`))]
    .map((k) => ({ k, ms: sum((r) => `${r.phase}|${r.cls}` === k) }))
    .sort((a, b) => b.ms - a.ms);
  return [
    `Where the time goes (onnxruntime profiler, the third run of a fresh session: ${f(p.wallMs / 1000, 2)} s wall with the profiler on, ${f(p.kernelMs / 1000, 2)} s in kernels)`,
    `by phase: ${phases.join(', ')}`,
    '',
    '| phase | op class | ms | share of kernel time |',
    '| --- | --- | ---: | ---: |',
    ...groups.map(({ k, ms }) => `| ${k.replace('|', ' | ')} | ${f(ms, 0)} | ${pct(ms)} |`),
    '',
    `Top ${top} ops (ms, nodes, phase, op, input shapes -> output shapes):`,
    '',
    ...p.rows
      .slice(0, top)
      .map(
        (r) =>
          `    ${f(r.ms, 0).padStart(6)} ms  x${String(r.count).padEnd(4)} ${r.phase.padEnd(8)} ${r.op.padEnd(12)} ${r.shape}`,
      ),
  ];
}
