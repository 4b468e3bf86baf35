// Where DataInf runs: the training gradients of an adapter (megabytes, widened to fp32) and the
// scores against them (onnxruntime's kernels through a DataInfGraph per store shape, about 2.4 ms
// per answer on the embedded default; the JavaScript rule took about 20 ms) are kept off the event
// loop by threadInfluenceScoring, a worker thread of its own; inlineInfluenceScoring does the same
// on the caller's thread (tests, benches, one-off tools). Both keep the loaded stores in a
// least-recently-used cache under a byte budget (StoreCache).
//
// Under the soak (256 streaming clients), scoring on the event loop was 9-10% of its time and, with
// the gradient stores it widened, the largest source of its lag.
import { statSync } from 'node:fs';
import { spawnWorker, type Logger, type WorkerChannel } from '../../../common/index.ts';
import { readGradientStore, type ProjectionSpec, type StoredGradients } from '../../../adapters/index.ts';
import { gradientDotScores } from './dataInf.ts';
import type { GradientBlocks } from './dataInf.ts';

export type InfluenceMethod = 'datainf' | 'gradient_dot';

export interface ScoreAnswersArgs {
  /** The adapter's gradients.bin. */
  file: string;
  /** The manifest the store must belong to (a rewritten, other store is refused). */
  manifestHash: string;
  /** The projection the answers were computed under (must be the store's). */
  projection: ProjectionSpec | null;
  method: InfluenceMethod;
  /** Answer gradients, [answer][L][d_l]. */
  answers: Float32Array[][];
}

export interface InfluenceScoring {
  /** Helpfulness of every stored row for each answer: Float64Array [n] per answer. */
  scoreAnswers(a: ScoreAnswersArgs): Promise<Float64Array[]>;
  close(): Promise<void>;
}

/** Bytes of widened training gradients kept in memory across adapters; the most recent always stays. */
export const DEFAULT_MAX_LOADED_BYTES = 512 * 2 ** 20;

/** Loaded gradient stores, least recently used dropped first once over the byte budget. */
export class StoreCache {
  private readonly loaded = new Map<string, Promise<StoredGradients>>();
  /** Sizes of the loads that finished (a load in flight is never evicted: its callers await it). */
  private readonly sizes = new Map<string, number>();

  constructor(private readonly budget = DEFAULT_MAX_LOADED_BYTES) {}

  /** The store in `file` as it is on disk now (its size and time are part of the key). */
  get(file: string): Promise<StoredGradients> {
    const st = statSync(file);
    const key = `${file}\n${st.size}\n${st.mtimeMs}`;
    let p = this.loaded.get(key);
    if (p)
      this.loaded.delete(key); // re-inserted below: the map's order is least recently used first
    else {
      p = readGradientStore(file);
      p.then(
        (s) => {
          if (this.loaded.get(key) !== p) return;
          this.sizes.set(
            key,
            s.train.blocks.reduce((n, b) => n + b.byteLength, 0),
          );
          this.evict(key);
        },
        () => {
          if (this.loaded.get(key) === p) this.loaded.delete(key);
        },
      );
    }
    this.loaded.set(key, p);
    return p;
  }

  private evict(keep: string): void {
    let total = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    for (const key of [...this.loaded.keys()]) {
      if (total <= this.budget) return;
      const size = this.sizes.get(key);
      if (key === keep || size === undefined) continue;
      this.loaded.delete(key);
      this.sizes.delete(key);
      total -= size;
    }
  }
}

/** DataInf's scores of every stored row for one answer gradient (dataInfGraph.ts DataInfGraphs). */
export interface DataInfScorer {
  scores(train: GradientBlocks, v: readonly Float32Array[]): Promise<Float64Array>;
  close(): Promise<void>;
}

/** DataInfGraphs with its module, and so onnxruntime, loaded on first use: this file's door loads none. */
export function lazyDataInfGraphs(): DataInfScorer {
  let graphs: Promise<DataInfScorer> | undefined;
  const get = () => (graphs ??= import('./dataInfGraph.ts').then((m) => new m.DataInfGraphs()));
  return {
    scores: async (train, v) => (await get()).scores(train, v),
    close: async () => {
      if (graphs) await (await graphs).close();
    },
  };
}

/** Scores `a.answers` against the store from `cache`, checking that it is the store they were made for. */
export async function scoreAnswersWith(
  cache: StoreCache,
  graphs: DataInfScorer,
  a: ScoreAnswersArgs,
): Promise<Float64Array[]> {
  const store = await cache.get(a.file);
  if (store.header.manifestHash !== a.manifestHash)
    throw new Error(`${a.file} belongs to manifest ${store.header.manifestHash}, not ${a.manifestHash}`);
  if (JSON.stringify(store.header.projection) !== JSON.stringify(a.projection))
    throw new Error(`${a.file} was projected as ${JSON.stringify(store.header.projection)}, the answers otherwise`);
  if (a.method === 'gradient_dot') return a.answers.map((v) => gradientDotScores(store.train, v));
  const out: Float64Array[] = [];
  for (const v of a.answers) out.push(await graphs.scores(store.train, v));
  return out;
}

/** Scoring on the caller's thread. */
export function inlineInfluenceScoring(maxLoadedBytes?: number): InfluenceScoring {
  const cache = new StoreCache(maxLoadedBytes);
  const graphs = lazyDataInfGraphs();
  return { scoreAnswers: (a) => scoreAnswersWith(cache, graphs, a), close: () => graphs.close() };
}

export interface InfluenceScoringCalls {
  scoreAnswers: { args: ScoreAnswersArgs; result: Float64Array[] };
}
/** Tests only: the thread exits at once (as a crash would); injectExit resolves once the exit is seen. */
export type InfluenceScoringCommand = { t: 'fault-exit' };

/** Scoring on a worker thread of its own (./influenceScoringWorker.ts), started on first use. */
export function threadInfluenceScoring(
  o: { log?: Logger; maxLoadedBytes?: number; faultInjection?: boolean } = {},
): InfluenceScoring & { injectExit(): Promise<void> } {
  let channel: WorkerChannel<InfluenceScoringCalls, never, InfluenceScoringCommand> | null = null;
  let closed = false;
  return {
    scoreAnswers(a) {
      if (closed) return Promise.reject(new Error('the influence scoring thread is closed'));
      if (!channel) {
        const c = spawnWorker<InfluenceScoringCalls, never, InfluenceScoringCommand>(
          new URL('./influenceScoringWorker.ts', import.meta.url),
          {
            name: 'influence scoring thread',
            log: o.log,
            workerData: { maxLoadedBytes: o.maxLoadedBytes ?? DEFAULT_MAX_LOADED_BYTES },
          },
        );
        // a thread that died fails its calls in flight; the next call starts a fresh one
        c.onExit(() => {
          if (channel === c) channel = null;
        });
        channel = c;
      }
      return channel.call('scoreAnswers', a);
    },
    injectExit() {
      const c = channel;
      if (!o.faultInjection || !c) return Promise.resolve();
      const seen = new Promise<void>((resolve) => c.onExit(() => resolve())); // after the reset above
      c.post({ t: 'fault-exit' });
      return seen;
    },
    async close() {
      closed = true;
      await channel?.close();
      channel = null;
    },
  };
}
