// Built graphs (the decoder, the training graph) cached on disk, keyed by a content hash, so a
// second start skips the build.
//   key = sha256(BUILDER_VERSION, the graph builder's own source files, graph options, config.json,
//                generation_config.json, each weight file's name + size + mtime)
// Hashing the builder's source means an edited builder (even an uncommitted experiment) can never
// reuse a graph an older builder wrote under the same BUILDER_VERSION.
//   cacheDir/<key>/decoder.onnx | training.onnx (+ .data, + meta.json: what the builder returned)
// A build goes to cacheDir/<key>.tmp-<pid>-<n>/ and is renamed into place, so readers never see a
// half-written graph; if another process won the race its copy is kept.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { buildDecoderGraph, type DecoderGraphOptions } from './buildDecoderGraph.ts';
import { hostInt8Range, type Int8Range } from './int8Range.ts';
import { loadCheckpoint, loadModelSpec, type Checkpoint } from '../model/loadCheckpoint.ts';
import { buildTrainingGraph, type TrainingGraph, type TrainingGraphOptions } from './buildTrainingGraph.ts';
import { checkpointFiles } from '../model/safetensors.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

/** Bump when the graph layout changes, so old cached graphs are not reused. */
export const BUILDER_VERSION = 'decoder-v7';
const META_FILE = 'meta.json';
let tmpCounter = 0;
let builderDigest: Promise<string> | undefined;

/** The kernels/ folders whose code can decide a graph's bytes (the builder and the checkpoint reader). */
const BUILDER_ROOTS = [new URL('../graph/', import.meta.url).pathname, new URL('../model/', import.meta.url).pathname];
const VALUE_IMPORT = /^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.[^']+\.ts)'/gm;

/**
 * The source files whose code runs when a graph is built: the value imports reachable from the
 * builder and the checkpoint loader, inside BUILDER_ROOTS. Type-only imports and engine files are
 * left out, so editing an engine type or the worker never invalidates a cached graph.
 */
export async function builderSources(): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (url: URL): Promise<void> => {
    const path = url.pathname;
    if (seen.has(path) || !BUILDER_ROOTS.some((r) => path.startsWith(r))) return;
    seen.add(path);
    const text = await readFile(url, 'utf8');
    for (const m of text.matchAll(VALUE_IMPORT)) await visit(new URL(m[1]!, url));
  };
  await visit(new URL('./buildDecoderGraph.ts', import.meta.url));
  await visit(new URL('./buildTrainingGraph.ts', import.meta.url));
  await visit(new URL('../model/loadCheckpoint.ts', import.meta.url));
  return [...seen].sort();
}

/** sha256 over the builder's source files, computed once per process. */
function builderSourceDigest(): Promise<string> {
  builderDigest ??= (async () => {
    const h = createHash('sha256');
    for (const f of await builderSources()) {
      h.update(`\n${f.slice(f.lastIndexOf('/kernels/'))}\n`);
      h.update(await readFile(f));
    }
    return h.digest('hex');
  })();
  return builderDigest;
}

export interface CachedGraph {
  onnxPath: string;
  spec: ModelSpec;
  /** True when an earlier build was reused. */
  reused: boolean;
  key: string;
}

export async function graphCacheKey(modelDir: string, graph: DecoderGraphOptions): Promise<string> {
  return cacheKey(modelDir, { BUILDER_VERSION, builder: await builderSourceDigest(), options: withInt8Range(graph) });
}

/** An int8 graph's bytes depend on this CPU's weight range: resolved, so that the key names it. */
function withInt8Range<T extends { precision?: string; int8Range?: Int8Range }>(graph: T): T {
  return graph.precision === 'int8' ? { ...graph, int8Range: graph.int8Range ?? hostInt8Range() } : graph;
}

/** sha256 of `what` (JSON) and the model folder's config files and weight files' names, sizes and mtimes. */
async function cacheKey(modelDir: string, what: object): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(what));
  for (const f of ['config.json', 'generation_config.json']) {
    const p = join(modelDir, f);
    h.update(`\n${f}\n`);
    if (existsSync(p)) h.update(await readFile(p));
  }
  for (const file of await checkpointFiles(modelDir)) {
    const st = statSync(file);
    h.update(`\n${basename(file)}:${st.size}:${st.mtimeMs}`);
  }
  return h.digest('hex').slice(0, 32);
}

/** Returns the cached graph for (model, options), building it first if needed. */
export async function ensureDecoderGraph(opts: {
  modelDir: string;
  cacheDir: string;
  graph: DecoderGraphOptions;
}): Promise<CachedGraph> {
  const key = await graphCacheKey(opts.modelDir, opts.graph);
  const { meta: _, ...graph } = await ensureGraph(opts.modelDir, opts.cacheDir, key, 'decoder.onnx', (ckpt, file) => {
    buildDecoderGraph(ckpt, opts.graph, file);
    return null;
  });
  return graph;
}

export interface CachedTrainingGraph extends CachedGraph {
  trainable: TrainingGraph['trainable'];
}

/** The cached training graph for (model, options), building it first if needed. */
export async function ensureTrainingGraph(opts: {
  modelDir: string;
  cacheDir: string;
  graph: TrainingGraphOptions;
}): Promise<CachedTrainingGraph> {
  // the precision always named (fp32 by default), and the int8 range resolved: the key and the build agree
  const options = withInt8Range({ ...opts.graph, precision: opts.graph.precision ?? 'fp32' });
  const key = await cacheKey(opts.modelDir, { kind: 'training', builder: await builderSourceDigest(), options });
  const { meta, ...graph } = await ensureGraph(opts.modelDir, opts.cacheDir, key, 'training.onnx', (ckpt, file) =>
    buildTrainingGraph(ckpt, options, file),
  );
  return { ...graph, trainable: (meta as TrainingGraph).trainable };
}

/**
 * cacheDir/<key>/<fileName> (+ .data, + meta.json with what the builder returned), built into a
 * temporary folder and renamed into place.
 */
async function ensureGraph(
  modelDir: string,
  cacheDir: string,
  key: string,
  fileName: string,
  build: (ckpt: Checkpoint, file: string) => unknown,
): Promise<CachedGraph & { meta: unknown }> {
  const spec = await loadModelSpec(modelDir);
  const dir = join(cacheDir, key);
  const onnxPath = join(dir, fileName);
  const metaPath = join(dir, META_FILE);
  if (existsSync(onnxPath) && existsSync(`${onnxPath}.data`) && existsSync(metaPath)) {
    return { onnxPath, spec, reused: true, key, meta: JSON.parse(await readFile(metaPath, 'utf8')) };
  }
  const ckpt = await loadCheckpoint(modelDir);
  const tmp = join(cacheDir, `${key}.tmp-${process.pid}-${tmpCounter++}`);
  await mkdir(tmp, { recursive: true });
  let meta: unknown;
  try {
    meta = build(ckpt, join(tmp, fileName));
    await writeFile(join(tmp, META_FILE), JSON.stringify(meta));
    try {
      await rename(tmp, dir);
    } catch (err) {
      if (!existsSync(onnxPath)) throw err; // lost a race with another builder: keep theirs
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { onnxPath, spec: ckpt.spec, reused: false, key, meta };
}
