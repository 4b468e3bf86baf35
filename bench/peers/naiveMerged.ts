// The `naive-merged` peer: what a user without loraledger does with onnxruntime-node. Each adapter
// becomes its own model: W' = W + scale · B·A merged into a copy of the base weights, written as a
// Hugging Face folder and served by its own engine (same ONNX graph builder and KV cache as
// loraledger, no LoRA path). A request for an adapter whose merged model is not resident waits
// while the least recently used idle one is closed and the needed one is merged and started;
// at most `maxResident` merged models are held (memory). Requests for a resident adapter batch.
// Glossary: Din/Dout in/out features, R rank.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import {
  loadCheckpoint,
  writeSafetensors,
  projectionWeightName,
  type Checkpoint,
  type LoraTarget,
} from '../../kernels/model/index.ts';
import { type EngineClient, startEngine } from '../../kernels/index.ts';
import { readAdapterMeta, loadAdapterWeights } from '../../adapters/index.ts';
import { type AdapterWeights } from '../../kernels/model/index.ts';
import { runClosedLoop, type StreamResult } from '../httpLoad.ts';
import type { RunJob, SystemRun } from '../systems/systemRun.ts';

/** W [Dout, Din] (HF layout) + scale · (a·b)^T, with a [Din, R], b [R, Dout]. Returns a new array. */
export function mergeLora(
  w: Float32Array,
  a: Float32Array,
  b: Float32Array,
  rank: number,
  scale: number,
): Float32Array {
  const dIn = a.length / rank;
  const dOut = b.length / rank;
  const out = Float32Array.from(w); // [Dout, Din]
  const aT = new Float32Array(rank * dIn); // [R, Din]
  for (let i = 0; i < dIn; i++) for (let r = 0; r < rank; r++) aT[r * dIn + i] = a[i * rank + r]!;
  for (let o = 0; o < dOut; o++) {
    const row = out.subarray(o * dIn, (o + 1) * dIn);
    for (let r = 0; r < rank; r++) {
      const coef = scale * b[r * dOut + o]!;
      const ar = aT.subarray(r * dIn, (r + 1) * dIn);
      for (let i = 0; i < dIn; i++) row[i]! += coef * ar[i]!;
    }
  }
  return out;
}

/** Writes base + adapter merged into `dir` as a Hugging Face folder. */
export async function writeMergedModel(base: Checkpoint, adapter: AdapterWeights, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors = [...base.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  const index = new Map(tensors.map((t, i) => [t.name, i]));
  adapter.layers.forEach((pairs, l) => {
    for (const [target, pair] of pairs as Map<LoraTarget, { a: Float32Array; b: Float32Array }>) {
      const i = index.get(projectionWeightName(l, target))!;
      tensors[i] = { ...tensors[i]!, data: mergeLora(tensors[i]!.data, pair.a, pair.b, adapter.rank, adapter.scale) };
    }
  });
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    if (existsSync(join(base.dir, f))) await copyFile(join(base.dir, f), join(dir, f));
  }
}

interface Resident {
  id: string;
  engine: Promise<EngineClient>;
  users: number;
  lastUsed: number;
  dir: string;
}

export async function runNaiveMerged(job: RunJob): Promise<SystemRun> {
  const s = job.scenario;
  const base = await loadCheckpoint(job.assets.modelDir);
  const modelBytes = [...base.tensors.values()].reduce((n, t) => n + t.data.byteLength, 0);
  // Each resident merged model costs its weights in ORT plus transient copies while starting.
  const maxResident = Number(
    job.options.naiveMaxResident ?? Math.max(1, Math.min(4, Math.floor((0.4 * freemem()) / (3 * modelBytes)))),
  );
  const scratch = join(job.assets.work, `naive-merged-${process.pid}`);
  const modelLen = Math.ceil((s.promptTokens + s.maxTokens + 8) / 64) * 64;
  // Each resident model builds its own graph into its own cache folder, deleted with it on eviction.
  const engineOptions = (dir: string, cacheDir: string) => ({
    modelDir: dir,
    precision: s.precision,
    provider: 'cpu' as const,
    loraKernel: 'grouped' as const,
    maxLoraRank: 1,
    maxActiveAdapters: 1,
    maxCachedAdapters: 1,
    maxCachedAdapterBytes: 1 << 20,
    maxBatchSize: s.streams,
    maxBatchTokens: Math.max(s.streams, Math.min(2048, s.streams * s.promptTokens)),
    maxQueue: s.requests,
    maxModelLen: modelLen,
    cacheDir,
    threads: job.threads,
    adapters: [],
  });
  // The base model's graph is kept across runs (like loraledger's); merged models' are not.
  const graphDir = (id: string): string =>
    id ? join(scratch, `graphs-${id}`) : join(job.assets.work, 'naive-base-graphs');
  const adapterLoadMs: number[] = [];
  const resident = new Map<string, Resident>();
  const key = (a: number | null): string => (a === null ? '' : job.workload.adapters[a]!.id);
  const start = (adapter: number | null): Resident => {
    const id = key(adapter);
    const dir = adapter === null ? job.assets.modelDir : join(scratch, id);
    const t0 = performance.now();
    const engine = (async () => {
      if (adapter !== null) {
        const meta = readAdapterMeta(join(job.assets.adapterRoot, id), id);
        await writeMergedModel(base, await loadAdapterWeights(meta, base.spec), dir);
      }
      const e = await startEngine(engineOptions(dir, graphDir(id)));
      if (adapter !== null) adapterLoadMs.push(performance.now() - t0);
      return e;
    })();
    const r: Resident = { id, engine, users: 0, lastUsed: performance.now(), dir };
    resident.set(id, r);
    return r;
  };
  const evict = async (r: Resident): Promise<void> => {
    resident.delete(r.id);
    await (await r.engine).close();
    if (r.dir !== job.assets.modelDir) await rm(r.dir, { recursive: true, force: true });
    if (r.id) await rm(graphDir(r.id), { recursive: true, force: true });
  };
  const acquire = async (adapter: number | null, signal?: AbortSignal): Promise<Resident | null> => {
    for (;;) {
      if (signal?.aborted) return null;
      const have = resident.get(key(adapter));
      if (have) {
        have.users++;
        return have;
      }
      if (resident.size < maxResident) {
        const r = start(adapter);
        r.users++;
        return r;
      }
      const idle = [...resident.values()].filter((r) => r.users === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (idle) await evict(idle);
      else await new Promise((res) => setTimeout(res, 5));
    }
  };
  let requestSeq = 0;
  const generate = async (
    engine: EngineClient,
    id: string,
    promptIds: number[],
    maxTokens: number,
    startMs: number,
    signal?: AbortSignal,
  ): Promise<StreamResult> => {
    const rec: StreamResult = { startMs, tokenMs: [], tokens: [], adapterId: id || null };
    if (signal?.aborted) return { ...rec, cut: true };
    // Leaving the loop early cancels the request in the engine.
    for await (const ev of engine.generate({
      id: `naive-${requestSeq++}`,
      promptIds,
      adapterId: null,
      maxTokens,
      sampling: { temperature: 0, topP: 1, topK: 0 },
      stopTokenIds: [],
      ignoreEos: true,
    })) {
      if (ev.type === 'token') {
        rec.tokenMs.push(performance.now());
        rec.tokens.push(ev.tokenId);
      }
      if (ev.type === 'error') rec.error = ev.error.message;
      if (signal?.aborted && rec.tokens.length < maxTokens) {
        rec.cut = true;
        break;
      }
    }
    return rec;
  };
  try {
    await mkdir(scratch, { recursive: true });
    // Greedy probe on the check adapter's merged model, then closed again (not timed).
    const probe = start(job.check.adapter);
    const checkRec = await generate(
      await probe.engine,
      probe.id,
      job.check.promptIds,
      job.check.maxTokens,
      performance.now(),
    );
    await evict(probe);
    adapterLoadMs.length = 0;
    if (checkRec.error) throw new Error(`naive-merged greedy probe failed: ${checkRec.error}`);
    // The base model's engine runs before timing starts (as loraledger's server does).
    if (job.workload.requests.some((r) => r.adapter === null)) {
      const b = (await acquire(null))!;
      await b.engine;
      b.users--;
    }
    const send = async (i: number, _index: number, signal: AbortSignal): Promise<StreamResult> => {
      const r = job.workload.requests[i]!;
      const startMs = performance.now();
      const res = await acquire(r.adapter, signal);
      if (!res) return { startMs, tokenMs: [], tokens: [], adapterId: key(r.adapter) || null, cut: true };
      try {
        return await generate(await res.engine, res.id, r.promptIds, r.maxTokens, startMs, signal);
      } catch (err) {
        return { startMs, tokenMs: [], tokens: [], adapterId: res.id || null, error: (err as Error).message };
      } finally {
        res.users--;
        res.lastUsed = performance.now();
      }
    };
    const { records, wallMs } = await runClosedLoop(
      job.workload.requests.map((_, i) => i),
      s.streams,
      send,
      job.timeBoxS,
    );
    return {
      records,
      wallMs,
      adapterLoadMs,
      stepMs: [],
      check: { tokens: checkRec.tokens },
      configuration: s.adapters
        ? `one merged model (W + scale·B·A) per adapter, each served by its own onnxruntime-node engine (same graph builder, batch ${s.streams}, threads ${job.threads}); at most ${maxResident} resident (memory), LRU swap: merge + write + build + session start on a miss. Requests on a resident adapter batch together.`
        : `the base model served by one onnxruntime-node engine without LoRA (batch ${s.streams}, threads ${job.threads}).`,
      notes: [],
    };
  } finally {
    for (const r of [...resident.values()]) await evict(r).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
}
