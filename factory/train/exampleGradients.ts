// Per-example LoRA gradients for training-data influence (attribution/scoring/influence): one loss
// per example, by running the factory's own training graph on a batch of one row.
//
//   for each example e (tokens, weights):
//     loss_e = (1 / loss tokens of e) · Σ_t weights[t] · nll_t       (the example's mean loss)
//     g_e    = d loss_e / d (A, B) of every LoRA matrix, under the adapter's current values
//     -> projected (projection.ts, LoGra-style, when asked) -> onRow(e, blocks, loss_e)
//
// A batch of one row is the only way the graph gives a per-example gradient (its loss is a sum over
// rows); the cost is one forward and backward per example (docs/benchmarks.md has the figures).
// The same routine gives an answer's gradient v: prompt + completion as one example with loss on
// the completion.
//
// Glossary: L blocks (one per LoRA matrix), d_l values of block l.
import { TrainingSession } from '../../kernels/index.ts';
import type { AdapterWeights, LoraTarget, ModelSpec, WeightPrecision } from '../../kernels/model/index.ts';
import {
  loadAdapterWeights,
  readAdapterMeta,
  GRADIENT_FORMAT,
  GradientStoreWriter,
  projectBlock,
  projectedShape,
  resolveProjection,
  type BlockShape,
  type GradientHeader,
  type ProjectionSpec,
} from '../../adapters/index.ts';
import { padBatch } from './batches.ts';
import { lossTokenCount, type TrainExample } from './trainExamples.ts';
import { paramOf } from './trainLora.ts';

/** An adapter opened for gradients: its training session and values. */
export interface GradientModel {
  session: TrainingSession;
  adapter: AdapterWeights;
  /** [L] values in session.trainable order. */
  params: Float32Array[];
  blocks: BlockShape[];
}

/** What a gradient session is built for: the graph depends on the LoRA shape, not its values. */
export interface GradientSessionArgs {
  modelDir: string;
  cacheDir: string;
  precision: WeightPrecision;
  threads: number;
  rank: number;
  targets: readonly LoraTarget[];
}

/** The training graph that gives per-example gradients for any adapter of `rank` on `targets`. */
export function openGradientSession(o: GradientSessionArgs): Promise<TrainingSession> {
  return TrainingSession.open({
    modelDir: o.modelDir,
    cacheDir: o.cacheDir,
    graph: { lora: { rank: o.rank, targets: [...o.targets] }, precision: o.precision },
    threads: o.threads,
  });
}

/** An adapter's values bound to a session opened for its shape (the adapter's values are graph inputs). */
export function bindGradientModel(session: TrainingSession, adapter: AdapterWeights): GradientModel {
  const blocks = session.trainable.map((t) => ({ name: t.name, shape: [t.shape[0]!, t.shape[1]!] as const }));
  return { session, adapter, params: session.trainable.map((t) => paramOf(adapter, t.name)), blocks };
}

/** Reads an adapter's PEFT folder for gradients (its rank capped at maxRank). */
export function loadGradientAdapter(adapterDir: string, spec: ModelSpec, maxRank: number): Promise<AdapterWeights> {
  return loadAdapterWeights(readAdapterMeta(adapterDir, 'influence'), spec, { maxRank });
}

export async function openGradientModel(o: {
  modelDir: string;
  cacheDir: string;
  adapterDir: string;
  spec: ModelSpec;
  precision: WeightPrecision;
  threads: number;
  maxRank: number;
}): Promise<GradientModel> {
  const adapter = await loadGradientAdapter(o.adapterDir, o.spec, o.maxRank);
  const session = await openGradientSession({ ...o, rank: adapter.rank, targets: adapter.targets });
  return bindGradientModel(session, adapter);
}

/** Each example's projected mean-loss gradient, in order ([L][d_l] per example). */
export async function exampleGradients(
  m: GradientModel,
  examples: readonly TrainExample[],
  projection: ProjectionSpec | null,
  onRow: (i: number, blocks: Float32Array[], loss: number) => Promise<void> | void,
): Promise<void> {
  for (let i = 0; i < examples.length; i++) {
    const e = examples[i]!;
    const tokens = lossTokenCount(e);
    if (tokens === 0) throw new Error(`exampleGradients: example ${e.id} has no loss target`);
    const out = await m.session.run(padBatch([e]), m.params, {
      lossScale: 1 / tokens,
      loraScale: m.adapter.scale,
      gradients: true,
    });
    await onRow(
      i,
      out.grads.map((g, l) => projectBlock(g, m.blocks[l]!, projection)),
      out.loss,
    );
  }
}

/** Computes every example's gradient and writes them to `file` (gradientStore.ts); returns its header. */
export async function storeExampleGradients(
  m: GradientModel,
  o: {
    examples: readonly TrainExample[];
    projection: ProjectionSpec | null | 'auto';
    file: string;
    manifestHash: string;
  },
): Promise<GradientHeader> {
  const projection = resolveProjection(o.projection, m.blocks);
  const header: GradientHeader = {
    format: GRADIENT_FORMAT,
    manifestHash: o.manifestHash,
    loraScale: m.adapter.scale,
    projection,
    blocks: m.blocks.map((b) => ({ ...b, stored: projectedShape(b, projection) })),
    examples: o.examples.map((e) => ({ id: e.id, lossTokens: lossTokenCount(e) })),
  };
  const w = await GradientStoreWriter.create(o.file, header);
  try {
    await exampleGradients(m, o.examples, projection, (_, blocks) => w.append(blocks));
  } catch (err) {
    await w.abort(); // no half-written temporary left beside the adapter
    throw err;
  }
  await w.close();
  return header;
}
