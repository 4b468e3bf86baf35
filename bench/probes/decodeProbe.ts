// Single-stream (B=1) decode probe: ms per decode step of the decoder graph driven directly
// (no engine, no HTTP), per precision, LoRA variant and thread count, plus an optional ORT
// profile summarised by op type. Used for the "Single-stream decode" section of bench/README.md.
//
//   npx tsx bench/decodeProbe.ts [--precision fp32,int8] [--lora none,grouped,grouped-ungated] [--threads 2,1]
//        [--steps 64] [--profile] [--rebuild] [--adapter] [--work .cache/bench]
//   npx tsx bench/decodeProbe.ts --llama F32,Q8_0 [--threads 2,1] [--steps 64]   (llama.cpp peer, same weights)
//   npx tsx bench/decodeProbe.ts --engine [--precision fp32,int8]   (the engine worker, base request, grouped LoRA graph)
//
// Glossary: B=1 row, T=1 new token per step, C=128 cache capacity, P=16 prompt tokens.
// Each config: prefill P tokens, then `steps` greedy-free decode steps (token ids fixed), timed
// around session.run + the JS KV write-back (DecoderHarness.step). Reports median and mean.
import { mkdirSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildDecoderGraph, startEngine, type LoraKernel } from '../../kernels/index.ts';
import { loadCheckpoint, LORA_TARGETS, type WeightPrecision } from '../../kernels/model/index.ts';
import { randomAdapter } from '../../test/support/randomAdapter.ts';
import { DecoderHarness, loraFeeds } from '../../test/support/decoderHarness.ts';
import { ensureModel, ensureModelGguf } from '../assets.ts';
import { LlamaCppPeer } from '../peers/llamaCpp.ts';
import { probeFlags } from './probeFlags.ts';

const args = probeFlags(process.argv.slice(2));
const list = (k: string, d: string): string[] => (args.get(k) ?? d).split(',');
const work = args.get('work') ?? '.cache/bench';
const steps = Math.min(Number(args.get('steps') ?? 64), 96); // P + warm-up + steps must fit C
const C = 128;
const P = 16;

const { dir: modelDir, spec } = await ensureModel(work, 'smollm-135m');
let ckpt: Awaited<ReturnType<typeof loadCheckpoint>> | null = null;

async function graphFor(precision: WeightPrecision, lora: LoraKernel | null, ungated: boolean): Promise<string> {
  const dir = join('.cache', 'decodeProbe', `${precision}-${lora ?? 'none'}${ungated ? '-ungated' : ''}`);
  const file = join(dir, 'model.onnx');
  if (args.has('rebuild') || !existsSync(file)) {
    ckpt ??= await loadCheckpoint(modelDir);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    buildDecoderGraph(ckpt, { precision, loraKernel: lora, loraGate: !ungated, maxPositions: 256 }, file);
  }
  return file;
}

function summariseProfile(file: string): void {
  const events = JSON.parse(readFileSync(file, 'utf8')) as Array<{
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }>;
  const byOp = new Map<string, number>();
  let runs = 0;
  let runTotal = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') (runs++, (runTotal += e.dur));
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  profile: ${runs} runs, model_run ${(runTotal / runs / 1000).toFixed(3)} ms/run, kernels ${(total / runs / 1000).toFixed(3)} ms/run`,
  );
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 14)) {
    console.log(`    ${op.padEnd(28)} ${(us / runs / 1000).toFixed(3)} ms  ${((100 * us) / total).toFixed(1)}%`);
  }
}

if (args.has('llama')) {
  for (const type of list('llama', 'F32,Q8_0') as Array<'F32' | 'Q8_0'>) {
    const peer = await LlamaCppPeer.open({
      modelGguf: await ensureModelGguf(work, 'smollm-135m', modelDir, type),
      threads: 2,
    });
    const prompt = Array.from({ length: P }, (_, i) => 3 + i);
    for (const threads of list('threads', '2,1').map(Number)) {
      const ctx = await peer.createContext({ contextSize: C, sequences: 1, batchSize: 512, threads });
      const per: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        const t = await LlamaCppPeer.generate(ctx, prompt, steps);
        const gaps = t.tokenMs
          .slice(1)
          .map((x, i) => x - t.tokenMs[i]!)
          .sort((a, b) => a - b);
        per.push(gaps[gaps.length >> 1]!);
      }
      console.log(
        `llama.cpp ${type} threads=${threads}: median ms/token per rep ${per.map((x) => x.toFixed(2)).join(', ')} (${steps} tokens after ${P} prompt)`,
      );
      await ctx.dispose();
    }
    await peer.close();
  }
  process.exit(0);
}

if (args.has('engine')) {
  // Inter-token gaps of one greedy base-model request through the engine worker (scheduler,
  // feeds, KV writes, sampling, worker messages on top of the graph step).
  for (const precision of list('precision', 'fp32,int8') as WeightPrecision[]) {
    const engine = await startEngine({
      modelDir,
      precision,
      provider: 'cpu',
      loraKernel: 'grouped',
      maxLoraRank: 16,
      maxActiveAdapters: 4,
      maxCachedAdapters: 8,
      maxCachedAdapterBytes: 2 ** 30,
      maxBatchSize: 8,
      maxBatchTokens: 256,
      maxQueue: 8,
      maxModelLen: C,
      cacheDir: join('.cache', 'decodeProbe', 'engine'),
      threads: 2,
    });
    for (let rep = 0; rep < 3; rep++) {
      const at: number[] = [];
      const req = {
        id: `probe-${precision}-${rep}`,
        promptIds: Array.from({ length: P }, (_, i) => 3 + i),
        adapterId: null,
        maxTokens: steps,
        sampling: { temperature: 0, topP: 1, topK: 0 },
        stopTokenIds: [],
        ignoreEos: true,
      };
      for await (const ev of engine.generate(req)) if (ev.type === 'token') at.push(performance.now());
      const gaps = at
        .slice(1)
        .map((t, i) => t - at[i]!)
        .sort((a, b) => a - b);
      console.log(
        `engine ${precision} rep ${rep}: median ${gaps[gaps.length >> 1]!.toFixed(2)} ms/token, p25 ${gaps[gaps.length >> 2]!.toFixed(2)} (${at.length} tokens)`,
      );
    }
    await engine.close();
  }
  process.exit(0);
}

// Variants of one precision run interleaved (8 steps each, round robin) so that load from other
// processes on the shared machine lands on all of them alike.
for (const precision of list('precision', 'fp32,int8') as WeightPrecision[]) {
  const profile = args.has('profile');
  const runs: Array<{
    label: string;
    loraName: string;
    threads: number;
    session: ort.InferenceSession;
    h: DecoderHarness;
    extra: Record<string, ort.Tensor>;
    ms: number[];
  }> = [];
  for (const loraName of list('lora', 'none,grouped')) {
    // 'grouped-ungated' / 'gather-ungated': the LoRA ops run on every call (no If gate).
    // 'file:<path>' / 'file-grouped:<path>': a graph built earlier, without / with grouped LoRA
    // inputs ({precision} in the path is replaced), for before/after comparisons.
    const file = /^file(-grouped)?:(.*)$/.exec(loraName);
    const lora = file
      ? file[1]
        ? 'grouped'
        : null
      : loraName === 'none'
        ? null
        : (loraName.replace('-ungated', '') as LoraKernel);
    const onnx = file
      ? file[2]!.replace('{precision}', precision)
      : await graphFor(precision, lora, loraName.endsWith('-ungated'));
    for (const threads of list('threads', '2,1').map(Number)) {
      const rss0 = process.memoryUsage().rss;
      const session = await ort.InferenceSession.create(onnx, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        interOpNumThreads: 1,
        intraOpNumThreads: threads,
        executionMode: 'sequential',
        enableCpuMemArena: true,
        enableMemPattern: true,
        // --spin 0|1 (default 1, as the engine), --dbb N: session.dynamic_block_base
        extra: {
          session: {
            intra_op: { allow_spinning: args.get('spin') ?? '1' },
            ...(args.has('dbb') ? { dynamic_block_base: args.get('dbb') } : {}),
          },
        },
        ...(profile
          ? {
              enableProfiling: true,
              profileFilePrefix: join(
                '.cache',
                'decodeProbe',
                `prof-${precision}-${loraName.replace(/\W/g, '_')}-t${threads}`,
              ),
            }
          : {}),
      });
      const h = new DecoderHarness(session, spec, 1, C);
      // --adapter: the row uses a rank-16 adapter on all seven targets (else base-only: K=1, R=1 zeros).
      const ad = args.has('adapter')
        ? [randomAdapter(spec, { id: 'probe', seed: 7, rank: 16, targets: [...LORA_TARGETS] })]
        : [];
      const feedsFor = (T: number) =>
        lora ? loraFeeds(lora, spec, ad, [ad.length ? 0 : null], T, ad.length ? 16 : 1) : {};
      const extra = feedsFor(1);
      await h.step([Array.from({ length: P }, (_, i) => 3 + i)], feedsFor(P));
      for (let i = 0; i < 4; i++) await h.step([[5 + i]], extra); // warm-up
      const rssMB = Math.round((process.memoryUsage().rss - rss0) / 2 ** 20);
      runs.push({
        label: `${precision} lora=${loraName} threads=${threads} (+${rssMB} MiB RSS)`,
        loraName,
        threads,
        session,
        h,
        extra,
        ms: [],
      });
    }
  }
  for (let done = 0; done < steps; done += 8) {
    for (const r of runs) {
      for (let i = 0; i < 8; i++) {
        const t0 = performance.now();
        await r.h.step([[7 + ((done + i) % 100)]], r.extra);
        r.ms.push(performance.now() - t0);
      }
    }
  }
  for (const r of runs) {
    const ms = [...r.ms].sort((a, b) => a - b);
    const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
    console.log(
      `${r.label}: median ${ms[ms.length >> 1]!.toFixed(2)} ms/step, p25 ${ms[ms.length >> 2]!.toFixed(2)}, mean ${mean.toFixed(2)}, min ${ms[0]!.toFixed(2)} (${ms.length} steps, past ${P + 4}..${P + 4 + ms.length})`,
    );
    if (profile) {
      r.session.endProfiling(); // onnxruntime-node returns nothing: find the newest file with our prefix
      const prefix = `prof-${precision}-${r.loraName.replace(/\W/g, '_')}-t${r.threads}_`;
      const files = readdirSync(join('.cache', 'decodeProbe'))
        .filter((f) => f.startsWith(prefix))
        .sort();
      summariseProfile(join('.cache', 'decodeProbe', files[files.length - 1]!));
    }
    await r.session.release();
  }
}
