// Training throughput: loraledger's LoRA training step (the training graph in onnxruntime-node via
// TrainingSession, then AdamW) against PyTorch's (bench/peers/torchLora.py `bench`: forward,
// backward, torch.optim.AdamW) on the same checkpoint folder, thread count, batch shape and tokens.
//
//   npm run bench:train -- [--preset smollm|tiny|stories260k | --model DIR] [--threads N] [--steps 5]
//       [--warmup 2] [--batch-size 8] [--seq 128] [--rank 16] [--seed 0] [--top 12] [--no-profile]
//       [--json FILE] [--work .cache/bench] [--omp-wait-policy PASSIVE] [--quantized int8,int4|none]
//
// Workload: fp32 base, a fresh rank-R LoRA (PEFT init: A uniform, B = 0; scale 1) on all seven
// projections, lr 1e-4, AdamW defaults; each step a fresh random B x (T+1) token block (inputs the
// first T, labels the last T, every position a target, mean loss), drawn outside the timing.
// loraledger also runs the same workload over an int8 and an int4 frozen base (--quantized; QLoRA
// through the serving decoder's quantized linears), each in a child of its own; the peer has no
// quantized base, so those rows have no PyTorch counterpart, and their GFLOP/s use the same
// nominal FLOP count.
// Two warm-up steps by default: onnxruntime plans its memory pattern on the first run of a shape
// and allocates that block on the second, whose ~2.7 GB of fresh pages (SmolLM, 8 x 128) cost
// seconds of page faults; from the third run on the block is reused.
// Threads wait the same way on both sides: TrainingSession turns onnxruntime's spinning off, and the
// peer runs with OMP_WAIT_POLICY=PASSIVE (--omp-wait-policy; torch and OpenBLAS use GNU OpenMP,
// whose spinning workers stall several-fold when other jobs share the cores: tiny model, 2 threads,
// load ~4: 0.42-0.59 s/step spinning vs 0.065 passive).
// Same tokens on both sides: torch.randint(0, V, (B, T+1), generator=manual_seed(seed + 1)) is
// MT19937 output % V, element by element, which Mt19937 below reproduces.
// Each system runs in its own child process (the graph is built in a third one first), so its
// peak RSS (maxRSS, loading included) and warm caches are its own. A last child runs one step
// with onnxruntime's profiler on and sums kernel time by phase (in execution order: forward
// through the lm_head matmul; loss = log-softmax, nll and its gradient, up to the next matmul;
// backward = the rest) and by op class (opClass).
//
// Glossary: B rows, T tokens per row, N = B*T, D hidden, I intermediate, H/Hkv heads, Dh head
// size, V vocab, L layers, R rank, P_lin matmul weights a token passes through.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { AdamW, initLora } from '../factory/index.ts';
import { ensureTrainingGraph, TrainingSession, type TrainingBatch } from '../kernels/index.ts';
import {
  loadModelSpec,
  LORA_TARGETS,
  targetShape,
  type ModelSpec,
  type WeightPrecision,
} from '../kernels/model/index.ts';
import { ensureModel } from './assets.ts';
import { Mt19937, randomBatch, trainFlops, type Workload } from './trainWorkload.ts';
import { MATMULS, opClass, profileLines, type ProfileRow, type StepProfile } from './trainProfile.ts';
import { machineInfo } from './machineInfo.ts';

const PYTHON = '/usr/bin/python3';
const PEER = new URL('./peers/torchLora.py', import.meta.url).pathname;
const INSTALL_HINT = 'apt-get install -y python3-torch libopenblas0-openmp';
const LR = 1e-4;
/** The profiled step is the third run: the first two plan and fault in onnxruntime's memory pattern (see above). */
const PROFILED_RUN = 3;

// ---------------------------------------------------------------- children

interface StepTimes {
  seconds: number[]; // per timed step: session run + AdamW
  optimizerSeconds: number[];
  /** Kernel CPU time and minor page faults of the process during each timed step. */
  systemSeconds: number[];
  minorFaults: number[];
  losses: number[]; // every step, warm-up included
  loadSeconds: number;
  trainableParams: number;
  /** maxRSS once the session is open (graph loaded, weights prepacked), and at the end. */
  openRssMib?: number;
  peakRssMib?: number;
}

/** The adapter's arrays in the order of the graph's trainable inputs (lora_{a|b}.{l}.{target}). */
function trainableArrays(w: Workload, spec: ModelSpec, trainable: ReadonlyArray<{ name: string }>): Float32Array[] {
  const adapter = initLora({ spec, rank: w.rank, targets: LORA_TARGETS, seed: w.seed, alpha: w.rank });
  return trainable.map(({ name }) => {
    const m = /^lora_([ab])\.(\d+)\.(\w+)$/.exec(name);
    const pair = m && adapter.layers[Number(m[2])]!.get(m[3] as (typeof LORA_TARGETS)[number]);
    if (!m || !pair) throw new Error(`trainBench: no LoRA value for graph input ${name}`);
    return m[1] === 'a' ? pair.a : pair.b;
  });
}

/** The training graph of a workload: LoRA on all seven projections over the workload's frozen base. */
const trainingGraph = (w: Workload) => ({ lora: { rank: w.rank, targets: LORA_TARGETS }, precision: w.precision });

async function buildChild(w: Workload): Promise<object> {
  await ensureTrainingGraph({ ...w, graph: trainingGraph(w) });
  return {};
}

async function trainChild(w: Workload): Promise<StepTimes> {
  const t0 = performance.now();
  const session = await TrainingSession.open({ ...w, graph: trainingGraph(w) });
  const params = trainableArrays(w, session.spec, session.trainable);
  const opt = new AdamW(params, { lr: LR });
  const loadSeconds = (performance.now() - t0) / 1000;
  const rng = new Mt19937(w.seed + 1);
  const out: StepTimes = {
    seconds: [],
    optimizerSeconds: [],
    systemSeconds: [],
    minorFaults: [],
    losses: [],
    loadSeconds,
    trainableParams: 0,
  };
  out.openRssMib = process.resourceUsage().maxRSS / 1024;
  for (let s = 0; s < w.warmup + w.steps; s++) {
    const batch = randomBatch(rng, session.spec.vocabSize, w.batch, w.seq);
    const usage = process.resourceUsage();
    const start = performance.now();
    const r = await session.run(batch, params, { lossScale: 1 / (w.batch * w.seq), loraScale: 1, gradients: true });
    const mid = performance.now();
    opt.step(r.grads);
    const end = performance.now();
    out.losses.push(r.loss);
    if (s >= w.warmup) {
      out.seconds.push((end - start) / 1000);
      out.optimizerSeconds.push((end - mid) / 1000);
      const after = process.resourceUsage();
      out.systemSeconds.push((after.systemCPUTime - usage.systemCPUTime) / 1e6);
      out.minorFaults.push(after.minorPageFault - usage.minorPageFault);
    }
    const step = `${s + 1}/${w.warmup + w.steps}`;
    console.error(`  loraledger (${w.precision} base) step ${step}: ${((end - start) / 1000).toFixed(2)} s`);
  }
  await session.release();
  out.trainableParams = params.reduce((n, p) => n + p.length, 0);
  out.peakRssMib = process.resourceUsage().maxRSS / 1024;
  return out;
}

async function profileChild(w: Workload): Promise<StepProfile> {
  const prefix = join(tmpdir(), `trainBench-profile-${process.pid}`);
  const session = await TrainingSession.open({ ...w, graph: trainingGraph(w), profileFilePrefix: prefix });
  const params = trainableArrays(w, session.spec, session.trainable);
  const rng = new Mt19937(w.seed + 1);
  let wallMs = 0;
  for (let s = 0; s < PROFILED_RUN; s++) {
    const b = randomBatch(rng, session.spec.vocabSize, w.batch, w.seq);
    const start = performance.now();
    await session.run(b, params, { lossScale: 1 / (b.rows * b.width), loraScale: 1, gradients: true });
    wallMs = performance.now() - start; // the last run is the one summarised
  }
  session.endProfiling(); // onnxruntime-node returns no file name: find it by its prefix
  await session.release();
  const name = readdirSync(tmpdir()).find((n) => n.startsWith(basename(prefix)));
  if (!name) throw new Error(`trainBench: onnxruntime wrote no profile ${prefix}*`);
  const file = join(tmpdir(), name);
  type Ev = { cat: string; name: string; ts: number; dur: number; args?: Record<string, unknown> };
  const events = JSON.parse(readFileSync(file, 'utf8')) as Ev[];
  rmSync(file, { force: true });
  const run = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => b.ts - a.ts)[0]!;
  const kernels = events
    .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= run.ts && e.ts <= run.ts + run.dur)
    .sort((a, b) => a.ts - b.ts);
  const dims = (v: unknown): number[][] =>
    Array.isArray(v) ? v.map((o) => (Object.values(o as object)[0] as number[]) ?? []) : [];
  const V = session.spec.vocabSize;
  let phase: ProfileRow['phase'] = 'forward';
  const rows = new Map<string, ProfileRow>();
  for (const e of kernels) {
    const op = String(e.args?.op_name ?? '?');
    const ins = dims(e.args?.input_type_shape);
    const outs = dims(e.args?.output_type_shape);
    const cls = opClass(op, [...ins, ...outs], session.spec, w.rank);
    const fmt = (xs: number[][]) => xs.map((x) => x.join('x') || 'scalar').join(', ');
    const shape = `${fmt(ins)} -> ${fmt(outs)}`;
    if (phase === 'loss' && MATMULS.has(op)) phase = 'backward'; // the first matmul after the lm_head's
    const key = `${phase} ${op} ${shape}`;
    const row = rows.get(key) ?? { phase, cls, op, shape, ms: 0, count: 0 };
    row.ms += e.dur / 1000;
    row.count++;
    rows.set(key, row);
    if (phase === 'forward' && MATMULS.has(op) && outs[0]?.at(-1) === V) phase = 'loss'; // after the lm_head
  }
  const list = [...rows.values()].sort((a, b) => b.ms - a.ms);
  return { wallMs, kernelMs: list.reduce((s, r) => s + r.ms, 0), rows: list };
}

function runChild<T>(task: 'build' | 'train' | 'profile', w: Workload): T {
  const argv = ['--import', 'tsx', new URL(import.meta.url).pathname, `--${task}-child`, JSON.stringify(w)];
  const r = spawnSync(process.execPath, argv, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`trainBench: the ${task} child failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

// ---------------------------------------------------------------- PyTorch peer

/** The fields of the peer's JSON line that the report reads (torchLora.md, `bench`). */
type TorchResult = { torch_version: string } & Record<
  'seconds_per_step' | 'seconds_per_step_min' | 'gflop_per_step' | 'loss_first' | 'loss_last' | 'load_seconds',
  number
> &
  Record<'peak_rss_mib' | 'trainable_params', number>;

function blasLibrary(): string {
  const r = spawnSync('readlink', ['-f', '/usr/lib/x86_64-linux-gnu/libblas.so.3'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** Exits (2) with the install command when the peer cannot run or would run on the reference BLAS. */
function requireTorch(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  const blas = blasLibrary();
  if (probe.status !== 0 || !blas.includes('openblas')) {
    console.error(
      probe.status !== 0
        ? `PyTorch is not importable by ${PYTHON} (${(probe.stderr || String(probe.error)).trim().split('\n').pop()}).`
        : `libblas.so.3 is ${blas}, not OpenBLAS: torch's matmuls would run on the reference BLAS (~10x slow).`,
    );
    console.error(`Install the peer (Debian 12, see bench/peers/torchLora.md):\n  ${INSTALL_HINT}`);
    process.exit(2);
  }
}

function runTorch(w: Workload): TorchResult {
  const flags = { model: w.modelDir, threads: w.threads, 'batch-size': w.batch, seq: w.seq, rank: w.rank };
  const more = { targets: 'all', warmup: w.warmup, steps: w.steps, seed: w.seed, lr: LR };
  const args = ['bench', ...Object.entries({ ...flags, ...more }).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const env = { ...process.env, ...(w.ompWaitPolicy ? { OMP_WAIT_POLICY: w.ompWaitPolicy } : {}) };
  const r = spawnSync(PYTHON, [PEER, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
  if (r.status !== 0) throw new Error(`trainBench: torchLora.py bench failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

// ---------------------------------------------------------------- report

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number, d = 1) => x.toFixed(d);

interface Results {
  w: Workload;
  spec: ModelSpec;
  ours: StepTimes;
  /** The same workload over quantized frozen bases (--quantized). */
  quantized: Array<{ precision: WeightPrecision; times: StepTimes }>;
  torch: TorchResult;
  profile: StepProfile | null;
  top: number;
  /** 1-minute load average at the start and at the end (other jobs share the cores). */
  load: number[];
}

/** The report; `ok` is false when the FLOP counts or the first losses disagree. */
async function report({
  w,
  spec,
  ours,
  quantized,
  torch,
  profile,
  top,
  load,
}: Results): Promise<{ lines: string[]; ok: boolean }> {
  const host = await machineInfo(new URL('..', import.meta.url).pathname);
  const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? [];
  const isa = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx_vnni'].filter((x) => flags.includes(x)).join(' ');
  const flops = trainFlops(spec, w);
  const N = w.batch * w.seq;
  const step = mean(ours.seconds);
  const lossRel = Math.abs(ours.losses[w.warmup]! - torch.loss_first) / Math.abs(torch.loss_first);
  const flopMatch = Math.abs(torch.gflop_per_step * 1e9 - flops.total) <= 1e-9 * flops.total;
  const row = (name: string, s: number, min: number, rss: number) =>
    `| ${name} | ${f(N / s, 0)} | ${f(s, 2)} / ${f(min, 2)} | ${f(flops.total / s / 1e9)} | ${f(rss, 0)} |`;
  const G = (x: number, d = 1) => f(x / 1e9, d);
  const torchStep = torch.seconds_per_step;
  const lines = [
    `## bench:train — ${new Date().toISOString()}`,
    '',
    `host: ${host.cpuModel}, ${host.cores} cores (${isa}), ${f(host.memoryBytes / 2 ** 30, 0)} GiB, ${host.node}; commit ${host.commit}${host.dirty ? ' (dirty tree)' : ''}; 1-min load average ${load.map((x) => f(x, 2)).join(' at start, ')} at the end`,
    `command: npm run bench:train -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `workload: ${w.modelDir} (D ${spec.hiddenSize}, L ${spec.numLayers}, H ${spec.numHeads}/${spec.numKvHeads}, I ${spec.intermediateSize}, V ${spec.vocabSize}, tied ${spec.tieWordEmbeddings}), fp32 base, LoRA r ${w.rank} on all 7 projections (${ours.trainableParams} trainable; PyTorch ${torch.trainable_params}), B ${w.batch} x T ${w.seq} = ${N} tokens/step, ${w.threads} threads each (onnxruntime spinning off; PyTorch OMP_WAIT_POLICY=${w.ompWaitPolicy || 'default'}), ${w.warmup} warm-up + ${w.steps} timed steps, AdamW lr ${LR}`,
    `FLOP/step: ${G(flops.total, 2)} G (base 4·P_lin·N ${G(flops.parts.base)}, LoRA ${G(flops.parts.lora)}, attention ${G(flops.parts.attention)}; P_lin ${flops.pLin}); the peer's count: ${f(torch.gflop_per_step, 2)} G ${flopMatch ? '(same)' : '(DIFFERENT)'}`,
    '',
    '| system | tokens/s | s/step (mean / min) | GFLOP/s | peak RSS (MiB) |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(`loraledger (onnxruntime-node ${ort.env.versions.node})`, step, Math.min(...ours.seconds), ours.peakRssMib!),
    ...quantized.map(({ precision, times: q }) =>
      row(`loraledger, ${precision} frozen base`, mean(q.seconds), Math.min(...q.seconds), q.peakRssMib!),
    ),
    row(
      `PyTorch ${torch.torch_version} (${blasLibrary().split('/').at(-2)})`,
      torchStep,
      torch.seconds_per_step_min,
      torch.peak_rss_mib,
    ),
    `| loraledger (fp32 base) / PyTorch | ${f(torchStep / step, 2)}x | ${f(step / torchStep, 2)}x | ${f(torchStep / step, 2)}x | ${f(ours.peakRssMib! / torch.peak_rss_mib, 2)}x |`,
    '',
    `loraledger: AdamW in JS ${f(mean(ours.optimizerSeconds) * 1000, 0)} ms of each step; kernel (sys) CPU ${f(mean(ours.systemSeconds), 2)} s and ${f(mean(ours.minorFaults), 0)} minor page faults per step; session open ${f(ours.loadSeconds, 1)} s (PyTorch load ${f(torch.load_seconds, 1)} s). Peak RSS is each process's maxRSS, loading included; loraledger's was ${f(ours.openRssMib!, 0)} MiB once its session was open, before the first step.`,
    `check: loss at the first timed step (same tokens, same base; the LoRA inits differ, B = 0 at start): loraledger ${f(ours.losses[w.warmup]!, 5)}, PyTorch ${f(torch.loss_first, 5)} (rel. diff ${lossRel.toExponential(1)}${lossRel < 1e-3 ? ', ok' : ', MISMATCH'}); last: ${f(ours.losses.at(-1)!, 5)} vs ${f(torch.loss_last, 5)}`,
    ...quantizedLines(w, ours, quantized),
    '',
    ...(profile ? profileLines(profile, top) : []),
  ];
  return { lines, ok: flopMatch && lossRel < 1e-3 };
}

/** What the quantized rows add: their first losses against fp32's (same tokens, B = 0), their loading. */
function quantizedLines(w: Workload, ours: StepTimes, quantized: Results['quantized']): string[] {
  if (quantized.length === 0) return [];
  const first = ours.losses[w.warmup]!;
  const parts = quantized.map(({ precision, times: q }) => {
    const rel = ((q.losses[w.warmup]! - first) / first) * 100;
    const loss = `loss at the first timed step ${f(q.losses[w.warmup]!, 5)} (${rel >= 0 ? '+' : ''}${f(rel, 2)}% against fp32's)`;
    return `${precision}: ${loss}, session open ${f(q.loadSeconds, 1)} s, ${f(q.openRssMib!, 0)} MiB once open`;
  });
  return [`quantized frozen bases (loraledger only, same nominal FLOP count): ${parts.join('; ')}.`];
}

const PRESETS = {
  smollm: 'smollm-135m',
  'smollm-135m': 'smollm-135m',
  tiny: 'tiny',
  stories260k: 'stories260k',
} as const;

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      preset: { type: 'string', default: 'smollm' },
      model: { type: 'string' },
      threads: { type: 'string', default: String(availableParallelism()) },
      steps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      'batch-size': { type: 'string', default: '8' },
      seq: { type: 'string', default: '128' },
      rank: { type: 'string', default: '16' },
      seed: { type: 'string', default: '0' },
      top: { type: 'string', default: '12' },
      'no-profile': { type: 'boolean', default: false },
      json: { type: 'string' },
      'omp-wait-policy': { type: 'string', default: 'PASSIVE' },
      quantized: { type: 'string', default: 'int8,int4' },
      work: { type: 'string', default: '.cache/bench' },
      'build-child': { type: 'string' },
      'train-child': { type: 'string' },
      'profile-child': { type: 'string' },
    },
  });
  const child = v['build-child'] ?? v['train-child'] ?? v['profile-child'];
  if (child) {
    const w = JSON.parse(child) as Workload;
    const run = v['train-child'] ? trainChild : v['profile-child'] ? profileChild : buildChild;
    console.log(JSON.stringify(await run(w)));
    return;
  }
  const int = (name: keyof typeof v, min: number): number => {
    const x = Number(v[name]);
    if (!Number.isInteger(x) || x < min) throw new Error(`--${name} must be an integer >= ${min} (got ${v[name]})`);
    return x;
  };
  const preset = PRESETS[v.preset as keyof typeof PRESETS];
  if (!v.model && !preset) throw new Error(`--preset must be smollm, tiny or stories260k (got ${v.preset})`);
  const modelDir = v.model ?? (await ensureModel(v.work, preset)).dir;
  const w: Workload = {
    modelDir,
    cacheDir: join(v.work, 'loraledger-cache'),
    threads: int('threads', 1),
    batch: int('batch-size', 1),
    seq: int('seq', 2),
    rank: int('rank', 1),
    warmup: int('warmup', 0),
    steps: int('steps', 1),
    seed: int('seed', 0),
    ompWaitPolicy: v['omp-wait-policy'],
    precision: 'fp32',
  };
  const precisions = v.quantized === 'none' ? [] : v.quantized.split(',');
  if (precisions.some((p) => p !== 'int8' && p !== 'int4'))
    throw new Error(`--quantized must list int8 and/or int4, or be none (got ${v.quantized})`);
  requireTorch(); // before anything slow
  const loadBefore = loadavg()[0]!;
  console.error(`building (or reusing) the training graph in ${w.cacheDir}`);
  runChild('build', w);
  console.error(
    `loraledger: ${w.warmup} warm-up + ${w.steps} timed steps of ${w.batch} x ${w.seq}, ${w.threads} threads`,
  );
  const ours = runChild<StepTimes>('train', w);
  const quantized = (precisions as WeightPrecision[]).map((precision) => {
    const wq = { ...w, precision };
    console.error(`loraledger over an ${precision} frozen base: its graph, then the same steps`);
    runChild('build', wq);
    return { precision, times: runChild<StepTimes>('train', wq) };
  });
  console.error('PyTorch: the same workload through bench/peers/torchLora.py bench');
  const torch = runTorch(w);
  if (!v['no-profile']) console.error('profiling one step');
  const profile = v['no-profile'] ? null : runChild<StepProfile>('profile', w);
  const load = [loadBefore, loadavg()[0]!];
  const spec = await loadModelSpec(modelDir);
  const results = { w, spec, ours, quantized, torch, profile, top: int('top', 0), load };
  const { lines, ok } = await report(results);
  console.log(lines.join('\n'));
  if (v.json) writeFileSync(v.json, JSON.stringify(results, null, 1));
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
