// The TrainingInfluence scorer (./trainingInfluence.ts): DataInf over the factory's stored
// per-example LoRA gradients. The gradients themselves come from the factory's training thread
// through `InfluenceGradients`, so this file loads no onnxruntime.
//
//   score(req):
//     manifest  = readTrainingManifest(adapter)          none -> null
//     store     = gradients.bin for manifest.hash        absent/stale -> recomputed from examples.json
//                                                        (gone -> training_examples_missing)
//                 beside the adapter, or under cacheDir when its folder cannot be written (a
//                 read-only volume), named by the manifest and the adapter's weights
//     v         = gradients.answerGradients(rows)        answers batched per adapter while a call is out
//     scores    = dataInfScores(store, v), summed per example id (a document may give several rows)
//                 on `scoring` (influenceScoring.ts: the server's runs on a thread of its own)
//     -> topK by score, named by the manifest (DataNet rows: the example id is the doc id)
//
// Glossary: n stored rows, L blocks.
import { AttributionError, RequestError } from '../../../common/errors.ts';
import { nextTurn } from '../../../common/nextTurn.ts';
import { inlineInfluenceScoring, type InfluenceMethod, type InfluenceScoring } from './influenceScoring.ts';
import {
  ADAPTER_WEIGHTS_FILE,
  INFLUENCE_DIR,
  influenceFiles,
  tempPathBeside,
  readExampleRows,
  readGradientHeader,
  writeExampleRows,
  type ExampleRow,
  type GradientHeader,
  type ProjectionSpec,
} from '../../../adapters/index.ts';
import { readTrainingManifest, type TrainingManifest } from './influenceFiles.ts';
import type { TrainingExampleScore, TrainingInfluence } from './trainingInfluence.ts';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The gradient computations the factory's training thread runs (server wiring supplies them). */
export interface InfluenceGradients {
  /** Every example's gradient, written to `file`. */
  storeGradients(a: {
    adapterDir: string;
    precision: TrainingManifest['precision'];
    examples: ExampleRow[];
    /** 'auto': projected when large (projection.ts resolveProjection). */
    projection: ProjectionSpec | null | 'auto';
    file: string;
    manifestHash: string;
  }): Promise<{ header: GradientHeader; seconds: number }>;
  /** Gradients of answer rows (loss on the completion), projected as the store. blocks[row][l]. */
  answerGradients(a: {
    adapterDir: string;
    precision: TrainingManifest['precision'];
    rows: ExampleRow[];
    projection: ProjectionSpec | null;
  }): Promise<{ blocks: Float32Array[][]; losses: number[] }>;
  /**
   * An older adapter's example rows when examples.json is gone (the factory rebuilds them from the
   * job that trained it); null: they cannot be recovered. Recovered rows are written back.
   */
  recoverRows?(manifest: TrainingManifest): Promise<ExampleRow[] | null>;
}

export interface InfluenceScorerOptions {
  /** The adapter's folder, or null when no such adapter is registered. */
  adapterDir: (id: string) => string | null;
  gradients: InfluenceGradients;
  /** Longest row the training graph takes (prompt + completion), tokens. */
  contextLength: number;
  /** Projection for gradients computed on demand; default 'auto' (as the factory's). */
  projection?: ProjectionSpec | null | 'auto';
  /** Scoring rule: DataInf (default) or the plain gradient dot product (a baseline). */
  method?: InfluenceMethod;
  /** Where the stores are loaded and scored; default inline, on this thread (influenceScoring.ts). */
  scoring?: InfluenceScoring;
  /**
   * Where gradients go when an adapter's folder cannot be written (a read-only volume):
   * <cacheDir>/<hash of manifest and weights>/gradients.bin. Without it such an adapter's
   * gradients cannot be stored.
   */
  cacheDir?: string;
}

export interface InfluenceRequest {
  adapterId: string;
  promptIds: number[];
  completionIds: number[];
  topK?: number;
}

/** An adapter's store, fresh on disk for its manifest: the header only (the scoring side loads the rows). */
interface Loaded {
  manifest: TrainingManifest;
  file: string;
  header: GradientHeader;
}

/** Headers kept (a few kilobytes each). */
const MAX_HEADERS = 256;

const loadKey = (id: string, dir: string, manifest: TrainingManifest): string => `${id}\n${dir}\n${manifest.hash}`;

export class InfluenceScorer implements TrainingInfluence {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly scoring: InfluenceScoring;
  /** Per adapter (and precision, projection): answers waiting, and whether a call is out. */
  private readonly pending = new Map<
    string,
    {
      waiting: Array<{ row: ExampleRow; resolve: (v: Float32Array[]) => void; reject: (e: unknown) => void }>;
      busy: boolean;
    }
  >();

  constructor(private readonly o: InfluenceScorerOptions) {
    this.scoring = o.scoring ?? inlineInfluenceScoring();
  }

  async score(req: InfluenceRequest): Promise<TrainingExampleScore[] | null> {
    const dir = this.o.adapterDir(req.adapterId);
    if (dir === null)
      throw new RequestError('model_not_found', `no adapter ${req.adapterId} is registered`, { param: 'model' });
    const manifest = await readTrainingManifest(dir);
    if (manifest === null) return null;
    const total = req.promptIds.length + req.completionIds.length;
    if (req.completionIds.length === 0)
      throw new RequestError('invalid_request', 'the completion is empty: nothing to attribute', {
        param: 'completion',
      });
    if (total > this.o.contextLength)
      throw new RequestError(
        'context_length_exceeded',
        `prompt (${req.promptIds.length}) plus completion (${req.completionIds.length}) tokens exceed the training context of ${this.o.contextLength}`,
        { param: 'completion', details: { tokens: total, contextLength: this.o.contextLength } },
      );
    const { file, header } = await this.load(req.adapterId, dir, manifest);
    const v = await this.answerGradient(dir, manifest.precision, header.projection, {
      id: 'answer',
      tokens: [...req.promptIds, ...req.completionIds],
      weights: [...req.promptIds.map(() => 0), ...req.completionIds.map(() => 1)],
    });
    // A call's answers all resolve in one tick: each goes on its own turn of the event loop, which
    // serves I/O between them (and scores inline ones one at a time).
    await nextTurn();
    const [raw] = await this.scoring
      .scoreAnswers({
        file,
        manifestHash: manifest.hash,
        projection: header.projection,
        method: this.o.method ?? 'datainf',
        answers: [v],
      })
      .catch((err: unknown) => {
        // the file went or was rewritten since its header was read: the next request loads it again
        this.loaded.delete(loadKey(req.adapterId, dir, manifest));
        throw err;
      });
    const byId = new Map<string, number>();
    header.examples.forEach((e, i) => byId.set(e.id, (byId.get(e.id) ?? 0) + raw![i]!));
    const named = new Map(manifest.examples.map((e) => [e.id, e]));
    const scores: TrainingExampleScore[] = [...byId].map(([id, score]) => {
      const m = named.get(id);
      return {
        exampleId: id,
        datanet: m?.datanet ?? null,
        docId: m?.datanet ? id : null,
        contributor: m?.contributor ?? null,
        score,
      };
    });
    scores.sort((a, b) => b.score - a.score || (a.exampleId < b.exampleId ? -1 : 1));
    return req.topK === undefined ? scores : scores.slice(0, req.topK);
  }

  /** Gradients for the adapter's manifest: the stored file, or computed now from its example rows. */
  private load(id: string, dir: string, manifest: TrainingManifest): Promise<Loaded> {
    const key = loadKey(id, dir, manifest);
    let p = this.loaded.get(key);
    if (p)
      this.loaded.delete(key); // re-inserted below: the map's order is least recently used first
    else {
      p = this.loadNow(dir, manifest);
      p.catch(() => {
        if (this.loaded.get(key) === p) this.loaded.delete(key);
      });
      while (this.loaded.size >= MAX_HEADERS) this.loaded.delete(this.loaded.keys().next().value!);
    }
    this.loaded.set(key, p);
    return p;
  }

  /** Stops the scoring side (its thread, when it has one). */
  close(): Promise<void> {
    return this.scoring.close();
  }

  private async loadNow(dir: string, manifest: TrainingManifest): Promise<Loaded> {
    const beside = influenceFiles(dir).gradients;
    if (await freshFor(beside, manifest)) return this.readStore(beside, manifest);
    const cached = this.o.cacheDir ? join(this.o.cacheDir, await storeName(dir, manifest), 'gradients.bin') : null;
    if (cached !== null && (await freshFor(cached, manifest))) return this.readStore(cached, manifest);
    const besideWritable = await writable(join(dir, INFLUENCE_DIR));
    let rows = await readExampleRows(dir, manifest.hash);
    if (rows === null && this.o.gradients.recoverRows) {
      rows = await this.o.gradients.recoverRows(manifest);
      // kept beside the adapter when its folder can be written (else recovered again after a restart)
      if (rows !== null && besideWritable) await writeExampleRows(dir, manifest.hash, rows);
    }
    if (rows === null)
      throw new AttributionError(
        'training_examples_missing',
        `the adapter's training manifest ${manifest.hash} lists ${manifest.examples.length} examples, but their token rows are gone from ${influenceFiles(dir).examples} (or belong to another manifest): their influence cannot be computed`,
        { param: 'model', details: { manifestHash: manifest.hash } },
      );
    const file = besideWritable || cached === null ? beside : cached;
    await mkdir(dirname(file), { recursive: true });
    await this.o.gradients.storeGradients({
      adapterDir: dir,
      precision: manifest.precision,
      examples: rows,
      projection: this.o.projection ?? 'auto',
      file,
      manifestHash: manifest.hash,
    });
    return this.readStore(file, manifest);
  }

  private async readStore(file: string, manifest: TrainingManifest): Promise<Loaded> {
    const header = await readGradientHeader(file);
    if (header.manifestHash !== manifest.hash)
      throw new Error(`${file} was rewritten for manifest ${header.manifestHash} while loading ${manifest.hash}`);
    return { manifest, file, header };
  }

  /**
   * One answer's gradient. Answers for one adapter batch up: while a call is out, the answers that
   * arrive wait and go together in the next call (and those of one tick go in one call).
   */
  private answerGradient(
    dir: string,
    precision: TrainingManifest['precision'],
    projection: ProjectionSpec | null,
    row: ExampleRow,
  ): Promise<Float32Array[]> {
    const key = `${dir}\n${precision}\n${JSON.stringify(projection)}`;
    let lane = this.pending.get(key);
    if (!lane) {
      lane = { waiting: [], busy: false };
      this.pending.set(key, lane);
    }
    const l = lane;
    const flush = (): void => {
      if (l.busy || l.waiting.length === 0) {
        if (!l.busy) this.pending.delete(key);
        return;
      }
      const batch = l.waiting.splice(0);
      l.busy = true;
      this.o.gradients
        .answerGradients({ adapterDir: dir, precision, rows: batch.map((b) => b.row), projection })
        .then(
          (out) => batch.forEach((b, i) => b.resolve(out.blocks[i]!)),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          l.busy = false;
          flush();
        });
    };
    return new Promise((resolve, reject) => {
      l.waiting.push({ row, resolve, reject });
      if (!l.busy && l.waiting.length === 1) setImmediate(flush);
    });
  }
}

const freshFor = async (file: string, manifest: TrainingManifest): Promise<boolean> =>
  existsSync(file) && (await readGradientHeader(file)).manifestHash === manifest.hash;

/** A cached store's folder name: the manifest and the adapter's weights (the gradients depend on both). */
async function storeName(dir: string, manifest: TrainingManifest): Promise<string> {
  const weights = await readFile(join(dir, ADAPTER_WEIGHTS_FILE));
  return createHash('sha256').update(manifest.hash).update(weights).digest('hex').slice(0, 32);
}

/** Whether files can be created in `dir` (made if missing): false on a read-only volume or without permission. */
async function writable(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = tempPathBeside(join(dir, '.write-probe'));
    await writeFile(probe, '');
    await rm(probe);
    return true;
  } catch (err) {
    if (/^(EROFS|EACCES|EPERM)$/.test((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}
