// DataInf's three passes (./dataInf.ts) as one onnxruntime call: the same formula, with the
// matrix-vector products on onnxruntime's vectorised kernels instead of scalar JavaScript loops.
// For the embedded default's adapters (n = 100 rows of 54k values) that is the difference between
// the arithmetic costing about 3× the generation it attributes and a fraction of it
// (docs/benchmarks.md, "Training-data influence").
//
// One graph per list of block sizes and row count class (an adapter's store), n left symbolic. Per
// block l, with the block's gradients g_l [n, d_l], the answer's v_l [d_l, 1] and, computed once
// per loaded store in JavaScript (float64, then rounded), inv_l = 1 / (λ_l + ‖g_il‖²) [n, 1] and
// scale_l = 1 / (n λ_l) [1]:
//   a_l = g_l v_l                              [n, 1]
//   t_l = g_l (g_lᵀ (a_l ⊙ inv_l))             [n, 1]  three passes over g_l, or, when n < d_l,
//       = K_l (a_l ⊙ inv_l)                            one pass and the Gram matrix K_l = g_l g_lᵀ
//                                                      [n, n] (made once per store, smaller than g_l)
//   s_l = (n a_l − t_l) · scale_l
//   scores = Σ_l s_l                           [n]
// The products accumulate in float32 (the JavaScript rule in float64); dataInfGraph.test.ts bounds
// the difference.
//
// Glossary: n stored rows, L blocks, d_l values of block l.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, createSession } from '../../../kernels/index.ts';
import { blockConstants, dataInfScores, type GradientBlocks } from './dataInf.ts';

const names = {
  g: (l: number) => `g.${l}`,
  v: (l: number) => `v.${l}`,
  inv: (l: number) => `inv.${l}`,
  scale: (l: number) => `scale.${l}`,
  gram: (l: number) => `gram.${l}`,
  n: 'n',
  scores: 'scores',
} as const;

/** Per loaded block: its inv_l, scale_l and (Gram blocks) K_l as float32 tensors, made once. */
const feedsOf = new WeakMap<Float32Array, { inv: ort.Tensor; scale: ort.Tensor; gram?: ort.Tensor }>();

/** Whether block l of a store of n rows is scored through its Gram matrix (n < d_l: fewer values than g_l). */
export const usesGram = (n: number, d: number): boolean => n < d;

/** Opens a built graph as a one-thread CPU session (the file is removed once opened). */
async function openGraph(g: GraphBuilder, threads: number): Promise<ort.InferenceSession> {
  const dir = mkdtempSync(join(tmpdir(), 'loraledger-datainf-'));
  try {
    const file = join(dir, `${g.name}.onnx`);
    g.save(file);
    return await createSession(file, { provider: 'cpu', threads, allowSpinning: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class DataInfGraph {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** K_l = g_l g_lᵀ for the Gram blocks; null when there are none. */
    private readonly gramSession: ort.InferenceSession | null,
    readonly dims: readonly number[],
    /** Per block: scored through its Gram matrix. */
    readonly gram: readonly boolean[],
  ) {}

  /** A key for the graph `open` builds for a store of n rows in blocks of these sizes. */
  static keyOf(dims: readonly number[], n: number): string {
    return dims.map((d) => `${d}${usesGram(n, d) ? 'k' : ''}`).join(',');
  }

  /**
   * Builds and opens the graphs for a store of n rows in blocks of these sizes (any store with the
   * same keyOf can use them); `threads` onnxruntime intra-op threads (0: one per core).
   */
  static async open(dims: readonly number[], n: number, threads = 1): Promise<DataInfGraph> {
    const gram = dims.map((d) => usesGram(n, d));
    const g = new GraphBuilder('datainf');
    const nIn = g.input(names.n, DataType.FLOAT, [1]);
    const parts = dims.map((d, l) => {
      const gl = g.input(names.g(l), DataType.FLOAT, ['n', d]);
      const vl = g.input(names.v(l), DataType.FLOAT, [d, 1]);
      const inv = g.input(names.inv(l), DataType.FLOAT, ['n', 1]);
      const scale = g.input(names.scale(l), DataType.FLOAT, [1]);
      const a = g.op('MatMul', [gl, vl]); // [n,1]
      const c = g.op('Mul', [a, inv]); // [n,1]
      const t = gram[l]
        ? g.op('MatMul', [g.input(names.gram(l), DataType.FLOAT, ['n', 'n']), c]) // [n,1]
        : g.op('Gemm', [gl, g.op('Gemm', [c, gl], { transA: 1 })], { transB: 1 }); // [n,1] through w [1,d]
      return g.op('Mul', [g.op('Sub', [g.op('Mul', [a, nIn]), t]), scale]); // [n,1]
    });
    const sum = parts.length === 1 ? parts[0]! : g.op('Sum', parts);
    g.output(g.op('Reshape', [sum, g.constI([-1])]), DataType.FLOAT, ['n'], names.scores);
    let gramSession: ort.InferenceSession | null = null;
    if (gram.some(Boolean)) {
      const k = new GraphBuilder('datainf-gram');
      dims.forEach((d, l) => {
        if (!gram[l]) return;
        const gl = k.input(names.g(l), DataType.FLOAT, ['n', d]);
        k.output(k.op('Gemm', [gl, gl], { transB: 1 }), DataType.FLOAT, ['n', 'n'], names.gram(l));
      });
      gramSession = await openGraph(k, threads);
    }
    return new DataInfGraph(await openGraph(g, threads), gramSession, dims, gram);
  }
  /** Helpfulness −I(k) of every row of `train` for the answer gradient `v` ([L][d_l]), as dataInfScores. */
  async scores(train: GradientBlocks, v: readonly Float32Array[]): Promise<Float64Array> {
    const { n } = train;
    if (train.blocks.length !== this.dims.length || train.dims.some((d, l) => d !== this.dims[l]))
      throw new Error(`DataInfGraph: blocks of [${train.dims}] against a graph for [${this.dims}]`);
    if (v.length !== this.dims.length || v.some((x, l) => x.length !== this.dims[l]))
      throw new Error(`DataInfGraph: an answer of ${v.length} blocks does not fit blocks of [${this.dims}]`);
    if (
      DataInfGraph.keyOf(train.dims, n) !== DataInfGraph.keyOf(this.dims, n) ||
      this.gram.some((k, l) => k !== usesGram(n, this.dims[l]!))
    )
      throw new Error(`DataInfGraph: a store of ${n} rows needs another graph than this one`);
    await this.prepare(train);
    const feeds: Record<string, ort.Tensor> = { [names.n]: new ort.Tensor('float32', Float32Array.of(n), [1]) };
    train.blocks.forEach((g, l) => {
      const c = feedsOf.get(g)!;
      feeds[names.g(l)] = new ort.Tensor('float32', g, [n, this.dims[l]!]);
      feeds[names.v(l)] = new ort.Tensor('float32', v[l]!, [this.dims[l]!, 1]);
      feeds[names.inv(l)] = c.inv;
      feeds[names.scale(l)] = c.scale;
      if (c.gram) feeds[names.gram(l)] = c.gram;
    });
    const out = await this.session.run(feeds);
    return Float64Array.from(out[names.scores]!.data as Float32Array);
  }

  /** Makes the store's per-block constants once: inv_l, scale_l, and K_l on the Gram blocks. */
  private async prepare(train: GradientBlocks): Promise<void> {
    const { n } = train;
    if (train.blocks.every((g) => feedsOf.has(g))) return;
    const gramFeeds: Record<string, ort.Tensor> = {};
    train.blocks.forEach((g, l) => {
      if (this.gram[l]) gramFeeds[names.g(l)] = new ort.Tensor('float32', g, [n, this.dims[l]!]);
    });
    const grams = this.gramSession ? await this.gramSession.run(gramFeeds) : {};
    train.blocks.forEach((g, l) => {
      const { lambda, norms } = blockConstants(g, n, this.dims[l]!);
      feedsOf.set(g, {
        inv: new ort.Tensor(
          'float32',
          Float32Array.from(norms, (x) => 1 / (lambda + x)),
          [n, 1],
        ),
        scale: new ort.Tensor('float32', Float32Array.of(1 / (n * lambda)), [1]),
        ...(this.gram[l] ? { gram: grams[names.gram(l)] } : {}),
      });
    });
  }

  async close(): Promise<void> {
    await this.session.release();
    await this.gramSession?.release();
  }
}

/** Most graphs kept open; stores of further shapes are scored by the JavaScript rule. */
export const MAX_DATAINF_GRAPHS = 16;

/**
 * DataInf scores through a DataInfGraph per store shape, opened on first use and kept; where a
 * graph cannot be opened (or MAX_DATAINF_GRAPHS are open) the JavaScript rule scores instead.
 */
export class DataInfGraphs {
  private readonly graphs = new Map<string, Promise<DataInfGraph | null>>();

  async scores(train: GradientBlocks, v: readonly Float32Array[]): Promise<Float64Array> {
    const key = DataInfGraph.keyOf(train.dims, train.n);
    let graph = this.graphs.get(key);
    if (!graph && this.graphs.size < MAX_DATAINF_GRAPHS) {
      graph = DataInfGraph.open(train.dims, train.n).catch(() => null);
      this.graphs.set(key, graph);
    }
    const g = await graph;
    return g ? g.scores(train, v) : dataInfScores(train, v);
  }

  async close(): Promise<void> {
    const open = [...this.graphs.values()];
    this.graphs.clear();
    for (const g of await Promise.all(open)) await g?.close();
  }
}
