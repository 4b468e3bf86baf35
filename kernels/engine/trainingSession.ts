// The training graph as a session (the only place training touches onnxruntime): feeds one
// right-padded micro-batch and the trainable values, returns the loss and the gradients.
//
//   open(model, options)  -> the cached training graph (kernels/graph/graphCache.ts) in a session
//   run(batch, values, {lossScale, loraScale, gradients}) -> { loss, grads[i] for trainable[i] }
//
// Glossary: B rows, T padded length, P_i elements of trainable input i.
import * as ort from 'onnxruntime-node';
import { ensureTrainingGraph } from '../graph/graphCache.ts';
import { createSession } from '../graph/createSession.ts';
import { TRAIN_INPUTS, TRAIN_OUTPUTS, type TrainingGraphOptions } from '../graph/buildTrainingGraph.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

/** One micro-batch, as the training graph's inputs. */
export interface TrainingBatch {
  rows: number; // B
  width: number; // T
  inputIds: BigInt64Array; // [B, T]
  labels: BigInt64Array; // [B, T]
  lossMask: Float32Array; // [B, T]
  seqLen: BigInt64Array; // [B]
}

export class TrainingSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: ModelSpec,
    /** The inputs with gradients, in the order run() takes and returns them. */
    readonly trainable: ReadonlyArray<{ name: string; shape: number[] }>,
  ) {}

  static async open(o: {
    modelDir: string;
    cacheDir: string;
    graph: TrainingGraphOptions;
    /** Intra-op threads; 0 = onnxruntime's default. */
    threads: number;
    /** Profile every run into <prefix>_<date>.json (written by endProfiling). */
    profileFilePrefix?: string;
  }): Promise<TrainingSession> {
    const graph = await ensureTrainingGraph(o);
    const session = await createSession(graph.onnxPath, {
      provider: 'cpu',
      threads: o.threads,
      allowSpinning: false,
      profileFilePrefix: o.profileFilePrefix,
    });
    return new TrainingSession(session, graph.spec, graph.trainable);
  }

  /**
   * loss = lossScale · Σ loss_mask · nll over the batch; grads (when asked) are d loss / d values[i],
   * fresh arrays shaped like values[i].
   */
  async run(
    b: TrainingBatch,
    values: readonly Float32Array[], // [n][P_i]
    o: { lossScale: number; loraScale: number; gradients: boolean },
  ): Promise<{ loss: number; grads: Float32Array[] }> {
    const feeds: Record<string, ort.Tensor> = {
      [TRAIN_INPUTS.inputIds]: new ort.Tensor('int64', b.inputIds, [b.rows, b.width]),
      [TRAIN_INPUTS.labels]: new ort.Tensor('int64', b.labels, [b.rows, b.width]),
      [TRAIN_INPUTS.lossMask]: new ort.Tensor('float32', b.lossMask, [b.rows, b.width]),
      [TRAIN_INPUTS.seqLen]: new ort.Tensor('int64', b.seqLen, [b.rows]),
      [TRAIN_INPUTS.lossScale]: new ort.Tensor('float32', Float32Array.of(o.lossScale), []),
    };
    if (this.session.inputNames.includes(TRAIN_INPUTS.loraScale)) {
      feeds[TRAIN_INPUTS.loraScale] = new ort.Tensor('float32', Float32Array.of(o.loraScale), []);
    }
    this.trainable.forEach((t, i) => (feeds[t.name] = new ort.Tensor('float32', values[i]!, t.shape)));
    const fetches = [TRAIN_OUTPUTS.loss, ...(o.gradients ? this.trainable.map((t) => TRAIN_OUTPUTS.grad(t.name)) : [])];
    const out = await this.session.run(feeds, fetches);
    const loss = (out[TRAIN_OUTPUTS.loss]!.data as Float32Array)[0]!;
    const grads = o.gradients ? this.trainable.map((t) => out[TRAIN_OUTPUTS.grad(t.name)]!.data as Float32Array) : [];
    return { loss, grads };
  }

  /** Writes the profile of the runs so far (sessions opened with profileFilePrefix). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
