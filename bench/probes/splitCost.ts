// What running one decode step as many onnxruntime sessions costs, instead of one: the price of
// computing LoRA outside the graph (e.g. a native grouped gemv between graph pieces), which needs
// the step cut at the four LoRA inputs of every layer (q|k|v, o, gate|up, down).
//
//   npx tsx bench/splitCost.ts [--steps 20] [--threads 2] [--split-spin 0]
//
// Glossary: B=32 rows, D hidden, I intermediate, L layers (SmolLM-135M shapes), fp32 random weights.
// A layer is four pieces, each [B, Din] -> [B, Dout], the base linears of the real layer:
//   qkv   x = rmsnorm(x); y = x·Wqkv [D, D+2*Dkv], first D columns kept (stands in for attention)
//   o     y = x·Wo [D, D]
//   mlp   x = rmsnorm(x); g|u = x·Wgu [D, 2I]; y = silu(g)*u    [B, I]
//   down  y = x·Wdown [I, D]
//   whole: the 4*L pieces chained in ONE session;  split: each piece its own session (4*L of them),
//   run in sequence, each output fed to the next (what a step with LoRA outside the graph runs).
// The whole session spins its threads (the engine's setting); the split ones do not by default: 4*L
// spinning pools fight over the cores (try --split-spin 1). Each variant runs its steps in turn (not
// interleaved, for the same reason); prints p50 ms per step and the split's extra cost per session
// run. The real cut also moves attention and the KV inputs into the pieces: this is a lower bound.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SMOLLM_135M_SPEC } from '../../factory/index.ts';
import { mulberry32 } from '../../common/index.ts';
import { GraphBuilder, float } from '../../kernels/index.ts';
import { DataType } from '../../kernels/index.ts';
import { probeFlags } from './probeFlags.ts';
import { percentile } from '../stats.ts';

const args = probeFlags(process.argv.slice(2));
const steps = Number(args.get('steps') ?? 20);
const threads = Number(args.get('threads') ?? 2);
const splitSpin = args.get('split-spin') ?? '0';
const { hiddenSize: D, intermediateSize: I, numLayers: L, numKvHeads, headDim } = SMOLLM_135M_SPEC;
const Dkv = numKvHeads * headDim;
const B = 32;
const dir = join('.cache', 'splitCost'); // rebuilt on every run (seeded weights, ~1 GB of graphs)
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

type Piece = { name: string; din: number; dout: number; emit: (g: GraphBuilder, x: string) => string };
const rand = mulberry32(7);
const weight = (din: number, dout: number): Float32Array =>
  Float32Array.from({ length: din * dout }, () => (rand() - 0.5) / Math.sqrt(din)); // [Din, Dout]
const pieces: Piece[] = [];
for (let l = 0; l < L; l++) {
  const w = { qkv: weight(D, D + 2 * Dkv), o: weight(D, D), gu: weight(D, 2 * I), down: weight(I, D) };
  const norm = (g: GraphBuilder, x: string): string =>
    g.op(
      'SimplifiedLayerNormalization',
      [x, g.init(`n.${l}.${g.fresh('w')}`, DataType.FLOAT, [D], new Float32Array(D).fill(1))],
      { axis: -1, epsilon: float(1e-5) },
    );
  pieces.push(
    {
      name: `qkv.${l}`,
      din: D,
      dout: D,
      emit: (g, x) =>
        g.op('Slice', [
          g.op('MatMul', [norm(g, x), g.init(`qkv.${l}`, DataType.FLOAT, [D, D + 2 * Dkv], w.qkv)]),
          g.constI([0]),
          g.constI([D]),
          g.constI([1]),
        ]),
    },
    {
      name: `o.${l}`,
      din: D,
      dout: D,
      emit: (g, x) => g.op('MatMul', [x, g.init(`o.${l}`, DataType.FLOAT, [D, D], w.o)]),
    },
    {
      name: `mlp.${l}`,
      din: D,
      dout: I,
      emit: (g, x) => {
        const [gate, up] = g.opN(
          'Split',
          [g.op('MatMul', [norm(g, x), g.init(`gu.${l}`, DataType.FLOAT, [D, 2 * I], w.gu)])],
          { axis: 1 },
          { outputs: 2 },
        );
        return g.op('Mul', [g.op('Mul', [gate!, g.op('Sigmoid', [gate!])]), up!]);
      },
    },
    {
      name: `down.${l}`,
      din: I,
      dout: D,
      emit: (g, x) => g.op('MatMul', [x, g.init(`down.${l}`, DataType.FLOAT, [I, D], w.down)]),
    },
  );
}

function save(name: string, chain: Piece[]): string {
  const file = join(dir, `${name}.onnx`);
  const g = new GraphBuilder(name);
  g.opsets.set('com.microsoft', 1);
  let x = g.input('x', DataType.FLOAT, ['B', chain[0]!.din]);
  for (const p of chain) x = p.emit(g, x);
  g.output(x, DataType.FLOAT, ['B', chain.at(-1)!.dout], 'y');
  g.save(file);
  return file;
}
const options = (spin: string): ort.InferenceSession.SessionOptions => ({
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  interOpNumThreads: 1,
  intraOpNumThreads: threads,
  executionMode: 'sequential',
  extra: { session: { intra_op: { allow_spinning: spin } } },
});
const whole = await ort.InferenceSession.create(save(`whole-L${L}`, pieces), options('1'));
const split: ort.InferenceSession[] = [];
for (const p of pieces) split.push(await ort.InferenceSession.create(save(`piece-${p.name}`, [p]), options(splitSpin)));

const x0 = new ort.Tensor(
  'float32',
  Float32Array.from({ length: B * D }, () => rand() - 0.5),
  [B, D],
); // [B, D]
const runWhole = async (): Promise<Float32Array> => (await whole.run({ x: x0 })).y!.data as Float32Array;
const runSplit = async (): Promise<Float32Array> => {
  let x: ort.Tensor = x0;
  for (const s of split) x = (await s.run({ x })).y!;
  return x.data as Float32Array;
};
// Same maths both ways (check before timing).
const [a, b] = [await runWhole(), await runSplit()];
const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
if (!(maxDiff < 1e-3)) throw new Error(`split and whole disagree: max |diff| ${maxDiff}`);

async function time(run: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let s = 0; s < steps + 2; s++) {
    const t0 = performance.now();
    await run();
    if (s >= 2) ms.push(performance.now() - t0); // 2 warm-up steps
  }
  return percentile(ms, 50);
}
const w = await time(runWhole);
const sp = await time(runSplit);
console.log(
  `B=${B}, ${L} layers x 4 pieces, ${threads} threads, split sessions spinning ${splitSpin === '1' ? 'on' : 'off'}, ${steps} steps each (max |diff| ${maxDiff.toExponential(1)})`,
);
console.log(`whole (1 session):        p50 ${w.toFixed(1)} ms/step`);
console.log(
  `split (${split.length} sessions):    p50 ${sp.toFixed(1)} ms/step  (+${(sp - w).toFixed(1)} ms, ${(((sp - w) / split.length) * 1000).toFixed(0)} us per extra session run)`,
);
