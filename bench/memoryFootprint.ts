// Memory footprint of the engine (issue 4 (c)): resident bytes for the base model plus N cached
// adapters against the sum of their weights. Each measurement runs in a fresh child process so
// one configuration's allocations never leak into another's numbers.
//
//   npm run bench:memory -- [--work .cache/bench] [--model smollm-135m|stories260k|tiny]
//                           [--counts 8,32,64] [--max-active 8] [--rank 16] [--json FILE]
//
// Per child: RSS (VmRSS = RssAnon + RssFile, from /proc/self/status; the engine worker is a thread
// of the same process) before the engine starts, after start (graph already built), after serving
// base requests (ORT arena + KV cache at their steady size), after N adapters are in the host tier
// (prefetched, `adapter_loaded` host notices counted), and after maxActive adapters are written
// into the slot stacks by real requests. A second child runs the same steps on the tiny
// stories260K model: its RSS after serving and caching its (KB-sized) adapters is the fixed cost
// (Node, tsx, onnxruntime, the engine worker and the adapter loader thread) that any model pays,
// subtracted to get the model's own resident bytes.
//
// Glossary: L layers, S slots (= maxActive + 1), R rank, Din/Dout projection features,
// C KV capacity, Hkv kv heads, Dh head size.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkpointFiles, loadModelSpec, LORA_TARGETS, targetShape, type ModelSpec } from '../kernels/model/index.ts';
import { DecoderHarness, loraFeeds as harnessLoraFeeds } from '../test/support/decoderHarness.ts';
import { ensureDecoderGraph, startEngine, type EngineNotice, type EngineOptions } from '../kernels/index.ts';
import { ensureAdapters, ensureModel } from './assets.ts';
import type { ModelPreset } from './scenarios.ts';
import { adapterId, type AdapterPlan } from './workload.ts';

interface ChildArgs {
  modelDir: string;
  adapterRoot: string;
  ids: string[];
  counts: number[];
  maxActive: number;
  rank: number;
  cacheDir: string;
  /** Stop after the start-up sample (used with an empty cacheDir: the worker builds the graph). */
  startOnly?: boolean;
}

interface Sample {
  label: string;
  rss: number;
  anon: number;
  file: number;
  /** Main thread's V8 heap (the worker's heap is not visible from here). */
  heapUsed: number;
  cachedAdapterBytes: number;
  kvCapacity: number;
}

const MB = (n: number): string => (n / 2 ** 20).toFixed(1);

function procStatus(): { rss: number; anon: number; file: number } {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string): number => 1024 * Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Runs in the child: starts the engine, loads adapters in steps, samples memory. */
async function child(a: ChildArgs): Promise<Sample[]> {
  const samples: Sample[] = [];
  const engineOpts: EngineOptions = {
    modelDir: a.modelDir,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'grouped',
    maxLoraRank: a.rank,
    maxActiveAdapters: a.maxActive,
    maxCachedAdapters: Math.max(1, ...a.counts),
    maxCachedAdapterBytes: 2 ** 40,
    maxBatchSize: a.maxActive,
    maxBatchTokens: 256,
    maxQueue: 64,
    maxModelLen: 256,
    cacheDir: a.cacheDir,
    threads: 2,
  };
  let engine: Awaited<ReturnType<typeof startEngine>> | null = null;
  let hostBytes = 0; // sum of adapter_loaded host bytes (stats() lags one engine tick)
  const sample = (label: string): void => {
    (globalThis as { gc?: () => void }).gc?.();
    const st = engine?.stats();
    samples.push({
      label,
      ...procStatus(),
      heapUsed: process.memoryUsage().heapUsed,
      cachedAdapterBytes: hostBytes,
      kvCapacity: st?.kvCapacity ?? 0,
    });
  };
  sample('before start');
  engine = await startEngine({ ...engineOpts, adapters: a.ids.map((id) => ({ id, path: join(a.adapterRoot, id) })) });
  const loaded = new Set<string>();
  let waiters: Array<() => void> = [];
  engine.onNotice((n: EngineNotice) => {
    if (n.type === 'adapter_loaded' && n.tier === 'host' && !loaded.has(n.id)) {
      loaded.add(n.id);
      hostBytes += n.bytes;
    }
    if (n.type === 'adapter_errored') throw new Error(`adapter ${n.id} failed: ${n.error.message}`);
    for (const w of waiters) w();
    waiters = [];
  });
  const run = async (adapterId: string | null, i: number): Promise<void> => {
    const req = {
      id: `m${i}-${adapterId}`,
      promptIds: Array.from({ length: 32 }, (_, t) => 3 + ((i * 31 + t * 7) % 400)),
      adapterId,
      maxTokens: 16,
      sampling: { temperature: 0, topP: 1, topK: 0 },
      stopTokenIds: [],
      ignoreEos: true,
    };
    for await (const e of engine!.generate(req))
      if (e.type === 'error') throw new Error(`request failed: ${e.error.message}`);
  };
  sample('engine started (base only)');
  if (a.startOnly) {
    await engine.close();
    return samples;
  }
  await Promise.all(Array.from({ length: a.maxActive }, (_, i) => run(null, i)));
  sample(`served ${a.maxActive} base requests`);
  for (const n of a.counts) {
    engine.prefetch(a.ids.slice(0, n));
    while (loaded.size < n) await new Promise<void>((r) => waiters.push(r));
    sample(`${n} adapters cached`);
  }
  await Promise.all(a.ids.slice(0, a.maxActive).map((id, i) => run(id, 100 + i)));
  sample(`${a.maxActive} adapters in slots (requests served)`);
  await engine.close();
  return samples;
}

interface OrtArgs {
  onnxPath: string;
  modelDir: string;
  variant: 'default' | 'disable_prepacking';
  threads: number;
}

/**
 * Runs in a child: one onnxruntime session on the built graph, with or without weight prepacking
 * (session.disable_prepacking), its RSS after creation, and decode-step times at B = 1 and 8
 * (base rows, 64-position cache, 24 steps after a 16-token prefill; p50 in ms).
 */
async function ortChild(a: OrtArgs): Promise<OrtRow> {
  const ort = await import('onnxruntime-node');
  const spec = await loadModelSpec(a.modelDir);
  const extra: Record<string, Record<string, unknown>> = { session: { intra_op: { allow_spinning: '1' } } };
  if (a.variant === 'disable_prepacking') extra.session!.disable_prepacking = '1';
  const before = procStatus();
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(a.onnxPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    intraOpNumThreads: a.threads,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    extra,
  });
  const out: Record<string, number> = {
    createSeconds: (performance.now() - t0) / 1000,
    rssBefore: before.rss,
    ...prefixed('created', procStatus()),
  };
  for (const B of [1, 8]) {
    const h = new DecoderHarness(session, spec, B, 64);
    const base = (T: number) => harnessLoraFeeds('grouped', spec, [], new Array(B).fill(null), T, 1);
    await h.step(
      Array.from({ length: B }, (_, b) => Array.from({ length: 16 }, (_, i) => 3 + ((b * 7 + i * 13) % 400))),
      base(16),
    );
    const times: number[] = [];
    for (let i = 0; i < 24; i++) {
      const f = base(1);
      const t = performance.now();
      await h.step(
        Array.from({ length: B }, () => [5 + i]),
        f,
      );
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    out[`decodeB${B}Ms`] = times[12]!;
  }
  Object.assign(out, prefixed('served', procStatus()));
  await session.release();
  return out as OrtRow;
}

type OrtRow = Record<
  | 'createSeconds'
  | 'rssBefore'
  | 'created_rss'
  | 'created_anon'
  | 'created_file'
  | 'served_rss'
  | 'served_anon'
  | 'served_file'
  | 'decodeB1Ms'
  | 'decodeB8Ms',
  number
>;

const prefixed = (p: string, o: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}_${k}`, v]));

/** Bytes of the slot stacks and KV cache the engine allocates for this spec. */
function engineBuffers(
  spec: ModelSpec,
  slots: number,
  rank: number,
  rows: number,
  capacity: number,
): { slotBytes: number; perSlot: number; kvBytes: number } {
  let perSlot = 0;
  for (const t of LORA_TARGETS) {
    const [din, dout] = targetShape(spec, t);
    perSlot += 4 * rank * (din + dout) * spec.numLayers; // a [Din, R] + b [R, Dout] per layer
  }
  const kvBytes = 2 * 4 * spec.numLayers * rows * spec.numKvHeads * capacity * spec.headDim; // K and V [rows, Hkv, C, Dh] per layer
  return { slotBytes: perSlot * slots, perSlot, kvBytes };
}

function runChild<T>(flag: '--child' | '--ort-child', args: ChildArgs | OrtArgs): T {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, flag, JSON.stringify(args)],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`memory child failed (${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as T;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      work: { type: 'string', default: '.cache/bench' },
      model: { type: 'string', default: 'smollm-135m' },
      counts: { type: 'string', default: '8,32,64' },
      'max-active': { type: 'string', default: '8' },
      rank: { type: 'string', default: '16' },
      json: { type: 'string' },
      child: { type: 'string' },
      'ort-child': { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
    },
  });
  if (values.child) {
    console.log(JSON.stringify(await child(JSON.parse(values.child) as ChildArgs)));
    return;
  }
  if (values['ort-child']) {
    console.log(JSON.stringify(await ortChild(JSON.parse(values['ort-child']) as OrtArgs)));
    return;
  }
  const counts = values.counts.split(',').map(Number);
  const maxActive = Number(values['max-active']);
  const rank = Number(values.rank);
  const cacheDir = join(values.work, 'loraledger-cache');
  const measure = async (preset: ModelPreset, n: number[]) => {
    const { dir, spec } = await ensureModel(values.work, preset);
    const count = Math.max(maxActive, ...n);
    const plans: AdapterPlan[] = Array.from({ length: count }, (_, i) => ({
      id: adapterId(rank, i),
      rank,
      seed: 1000 + i,
      cold: false,
    }));
    const adapterRoot = await ensureAdapters(values.work, preset, spec, plans, LORA_TARGETS);
    const graph = await ensureDecoderGraph({
      modelDir: dir,
      cacheDir,
      graph: { precision: 'fp32', loraKernel: 'grouped', maxPositions: 256 },
    });
    const samples = runChild<Sample[]>('--child', {
      modelDir: dir,
      adapterRoot,
      ids: plans.map((p) => p.id),
      counts: n,
      maxActive,
      rank,
      cacheDir,
    });
    const weightBytes = (await checkpointFiles(dir)).reduce((s, f) => s + statSync(f).size, 0);
    return { preset, dir, adapterRoot, spec, samples, weightBytes, onnxPath: graph.onnxPath, plans };
  };
  process.stderr.write('measuring the fixed cost (stories260k engine, no adapters)...\n');
  const fixed = await measure('stories260k', [maxActive]);
  process.stderr.write(`measuring ${values.model} with ${counts.join('/')} cached adapters...\n`);
  const m = await measure(values.model as ModelPreset, counts);
  // Tiny engine after serving and loading its (KB-sized) adapters: Node + tsx + onnxruntime + the
  // engine worker + the adapter loader thread (started by the first load) + a tiny arena.
  const fx = fixed.samples[3]!;
  const served = m.samples[2]!;
  const { perSlot, slotBytes, kvBytes } = engineBuffers(m.spec, maxActive + 1, rank, maxActive, served.kvCapacity);
  const rows = m.samples.map((s) => {
    const weights = m.weightBytes + s.cachedAdapterBytes;
    return { ...s, resident: s.rss - fx.rss, residentAnon: s.anon - fx.anon, weights };
  });
  const out: string[] = [];
  out.push(
    `model ${m.preset} fp32: weights ${MB(m.weightBytes)} MiB; rank-${rank} adapter on all 7 projections: ${MB(perSlot)} MiB`,
  );
  out.push(
    `fixed cost (stories260k engine after serving and caching ${maxActive} of its adapters: Node + tsx + onnxruntime + engine worker + adapter loader thread): RSS ${MB(fx.rss)} MiB (anon ${MB(fx.anon)}, file ${MB(fx.file)})`,
  );
  out.push(
    `engine buffers: KV cache ${MB(kvBytes)} MiB (${maxActive} rows x capacity ${served.kvCapacity}), slot stacks ${MB(slotBytes)} MiB allocated (${maxActive + 1} slots x ${MB(perSlot)}; pages resident once written)`,
  );
  out.push('');
  out.push(
    '| step | RSS MiB | anon | file | RSS - fixed | /weights | anon - fixed | /weights | weights: base + cached adapters |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    out.push(
      `| ${r.label} | ${MB(r.rss)} | ${MB(r.anon)} | ${MB(r.file)} | ${MB(r.resident)} | ${(r.resident / r.weights).toFixed(3)} | ${MB(r.residentAnon)} | ${(r.residentAnon / r.weights).toFixed(3)} | ${MB(r.weights)} |`,
    );
  out.push('');
  for (const r of rows.slice(3, 3 + counts.length)) {
    const growth = r.rss - served.rss;
    out.push(
      `${r.label}: RSS +${MB(growth)} MiB over base-only serving for ${MB(r.cachedAdapterBytes)} MiB of adapter weights (${(growth / r.cachedAdapterBytes).toFixed(3)}x)`,
    );
  }
  const last = rows[rows.length - 1]!;
  out.push(
    `after requests on ${maxActive} adapters: RSS +${MB(last.rss - rows[rows.length - 2]!.rss)} MiB (slot stacks written: ${maxActive} x ${MB(perSlot)} = ${MB(maxActive * perSlot)} MiB)`,
  );
  let build: Sample[] | null = null;
  if (!values['skip-build']) {
    process.stderr.write('measuring a first start (the worker builds the graph)...\n');
    const fresh = mkdtempSync(join(tmpdir(), 'loraledger-memgraph-'));
    try {
      build = runChild<Sample[]>('--child', {
        modelDir: m.dir,
        adapterRoot: m.adapterRoot,
        ids: [],
        counts: [],
        maxActive,
        rank,
        cacheDir: fresh,
        startOnly: true,
      });
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
    out.push(
      `first start (graph built in the worker): RSS ${MB(build[1]!.rss)} MiB vs ${MB(rows[1]!.rss)} MiB with the graph cached`,
    );
  }
  process.stderr.write('measuring onnxruntime weight prepacking on/off...\n');
  const ortRows = (['default', 'disable_prepacking'] as const).map((variant) => ({
    variant,
    ...runChild<OrtRow>('--ort-child', { onnxPath: m.onnxPath, modelDir: m.dir, variant, threads: 2 }),
  }));
  out.push('');
  out.push(
    '| onnxruntime session (alone) | create s | RSS growth at create MiB | RSS after create | anon | file | RSS after decoding | anon | file | decode B=1 p50 ms | decode B=8 p50 ms |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of ortRows) {
    out.push(
      `| ${r.variant} | ${r.createSeconds.toFixed(2)} | ${MB(r.created_rss - r.rssBefore)} | ${MB(r.created_rss)} | ${MB(r.created_anon)} | ${MB(r.created_file)} | ${MB(r.served_rss)} | ${MB(r.served_anon)} | ${MB(r.served_file)} | ${r.decodeB1Ms.toFixed(2)} | ${r.decodeB8Ms.toFixed(2)} |`,
    );
  }
  out.push(
    '(decode times are only comparable on a quiet machine: check the load average; the memory columns do not depend on it)',
  );
  console.log(out.join('\n'));
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        { fixed: fixed.samples, rows, build, ortRows, kvBytes, slotBytes, perSlot, weightBytes: m.weightBytes },
        null,
        2,
      ),
    );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
