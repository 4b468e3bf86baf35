// Built decoder graphs cached on disk, keyed by a content hash, so a second start skips the build.
//   key = sha256(BUILDER_VERSION, the graph builder's own source files, graph options, config.json,
//                generation_config.json, each weight file's name + size + mtime)
// Hashing the builder's source means an edited builder (even an uncommitted experiment) can never
// reuse a graph an older builder wrote under the same BUILDER_VERSION.
//   cacheDir/<key>/decoder.onnx (+ decoder.onnx.data)
// A build goes to cacheDir/<key>.tmp-<pid>-<n>/ and is renamed into place, so readers never see a
// half-written graph; if another process won the race its copy is kept.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { buildDecoderGraph, type DecoderGraphOptions } from './buildDecoderGraph.ts';
import { hostInt8Range } from './int8Range.ts';
import { loadCheckpoint, loadModelSpec } from '../model/loadCheckpoint.ts';
import { checkpointFiles } from '../model/safetensors.ts';
import type { ModelSpec } from '../model/modelSpec.ts';

/** Bump when the graph layout changes, so old cached graphs are not reused. */
export const BUILDER_VERSION = 'decoder-v6';
const GRAPH_FILE = 'decoder.onnx';
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
  // An int8 graph's bytes depend on this CPU's weight range: resolve it so the key names it.
  const options = graph.precision === 'int8' ? { ...graph, int8Range: graph.int8Range ?? hostInt8Range() } : graph;
  const h = createHash('sha256');
  h.update(JSON.stringify({ BUILDER_VERSION, builder: await builderSourceDigest(), options }));
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
  const spec = await loadModelSpec(opts.modelDir);
  const key = await graphCacheKey(opts.modelDir, opts.graph);
  const dir = join(opts.cacheDir, key);
  const onnxPath = join(dir, GRAPH_FILE);
  if (existsSync(onnxPath) && existsSync(`${onnxPath}.data`)) return { onnxPath, spec, reused: true, key };
  const ckpt = await loadCheckpoint(opts.modelDir);
  const tmp = join(opts.cacheDir, `${key}.tmp-${process.pid}-${tmpCounter++}`);
  await mkdir(tmp, { recursive: true });
  try {
    buildDecoderGraph(ckpt, opts.graph, join(tmp, GRAPH_FILE));
    try {
      await rename(tmp, dir);
    } catch (err) {
      if (!existsSync(onnxPath)) throw err; // lost a race with another builder: keep theirs
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { onnxPath, spec: ckpt.spec, reused: false, key };
}
