// The orchestrator: prepares inputs, runs every (scenario, system) pair in its own child process
// (bench/runOne.ts) so peak RSS and caches are per system, then checks greedy agreement, computes
// ratios to base-only runs and writes the report.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BYTES_PER_WEIGHT,
  GGUF_TYPE,
  findScenario,
  effectiveScenario,
  type ScenarioDef,
  type ScenarioOverrides,
  type SystemName,
} from './scenarios.ts';
import { buildWorkload, type Workload } from './workload.ts';
import { ensureAdapterGgufs, ensureAdapters, ensureModel, ensureModelGguf } from './assets.ts';
import { machineInfo, type MachineInfo } from './machineInfo.ts';
import { ProgressBar } from './progress.ts';
import type { RunJob, SystemRun } from './systems/systemRun.ts';
import { checkPeer, failedResult, summarizeRun, weightBytesPerToken } from './summarize.ts';
import { percentile } from './stats.ts';
import { checkTargets } from './report/targets.ts';
import { writeReport } from './report/writeReport.ts';
import type { BenchReport, ScenarioResult } from './report/reportTypes.ts';

export interface BenchOptions {
  out: string;
  work: string;
  quick: boolean;
  scenarios: string[];
  systems: SystemName[];
  overrides: ScenarioOverrides;
  threads: number;
  /** Per-run time box in seconds (null = none). */
  timeBoxS: number | null;
  checkTokens: number;
  /**
   * Rounds (default 1): every (scenario, system) runs this many times, round after round, so a
   * ratio divides runs that were minutes apart, not a whole bench apart. Each reported result is
   * the round with the median throughput, and ratio_to_base the median of the per-round ratios.
   */
  repeat?: number;
  /** Per-system knobs passed through to the runners. */
  systemOptions: Record<string, unknown>;
  repoRoot: string;
}

interface Planned {
  scenario: ScenarioDef;
  overridden: string[];
  workload: Workload;
  distinct: number;
}

/** Selected scenarios plus the baselines they are divided by, baselines first. */
export function planScenarios(
  o: Pick<BenchOptions, 'scenarios' | 'quick' | 'overrides'>,
  vocabOf: (s: ScenarioDef) => number,
): Planned[] {
  const names = [...o.scenarios];
  for (const n of o.scenarios) {
    const b = findScenario(n).baseline;
    if (b && !names.includes(b)) names.push(b);
  }
  const ordered = [
    ...names.filter((n) => findScenario(n).adapters === null),
    ...names.filter((n) => findScenario(n).adapters !== null),
  ];
  return ordered.map((n) => {
    const { scenario, overridden } = effectiveScenario(findScenario(n), o.quick, o.overrides);
    const workload = buildWorkload(scenario, vocabOf(scenario));
    return {
      scenario,
      overridden,
      workload,
      distinct: new Set(workload.requests.map((r) => r.adapter).filter((a) => a !== null)).size,
    };
  });
}

async function runChild(
  repoRoot: string,
  job: RunJob,
  logFile: string,
): Promise<{ ok: true; run: SystemRun } | { ok: false; error: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-job-'));
  try {
    await writeFile(join(dir, 'job.json'), JSON.stringify(job));
    const log = createWriteStream(logFile);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'bench/runOne.ts'), join(dir, 'job.json'), join(dir, 'result.json')],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.on('close', (c) => resolve(c ?? 1));
    });
    log.end();
    try {
      return JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    } catch {
      return { ok: false, error: `child exited with code ${code} without a result (see ${logFile})` };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  process.stderr.write('measuring memory bandwidth...\n');
  const machine: MachineInfo = await machineInfo(o.repoRoot);
  const specs = new Map<string, Awaited<ReturnType<typeof ensureModel>>>();
  const presets = [...new Set(o.scenarios.map((n) => o.overrides.model ?? findScenario(n).model))];
  for (const p of presets) {
    process.stderr.write(`preparing model ${p}...\n`);
    specs.set(p, await ensureModel(o.work, p));
  }
  const plan = planScenarios(o, (s) => specs.get(s.model)!.spec.vocabSize);
  const repeat = o.repeat ?? 1;
  const bar = new ProgressBar(plan.length * o.systems.length * repeat);
  await mkdir(join(o.out, 'logs'), { recursive: true });
  const rounds: ScenarioResult[][] = [];
  const checks = new Map<string, SystemRun['check']>();
  const stepByRun = new Map<ScenarioResult, number>();
  /** One round: every (scenario, system) of the plan once, with ratios to that round's baselines. */
  const runRound = async (round: number): Promise<ScenarioResult[]> => {
    const results: ScenarioResult[] = [];
    const tag = repeat > 1 ? ` (round ${round}/${repeat})` : '';
    for (const p of plan) {
      const { scenario: s, workload: w } = p;
      const model = specs.get(s.model)!;
      bar.label(`${s.name}: preparing ${w.adapters.length} adapters`);
      const adapterRoot = await ensureAdapters(o.work, s.model, model.spec, w.adapters, s.adapters?.targets ?? []);
      const wantsGguf = o.systems.includes('llama.cpp');
      const modelGguf = wantsGguf ? await ensureModelGguf(o.work, s.model, model.dir, GGUF_TYPE[s.precision]) : null;
      const lora = wantsGguf
        ? await ensureAdapterGgufs(o.work, s.model, model.spec, adapterRoot, w.adapters)
        : new Map();
      const first = w.requests[0]!;
      for (const system of o.systems) {
        bar.label(`${s.name} / ${system}${tag}`);
        const job: RunJob = {
          system,
          scenario: s,
          workload: w,
          threads: o.threads,
          timeBoxS: o.timeBoxS,
          options: o.systemOptions,
          assets: {
            work: o.work,
            modelDir: model.dir,
            adapterRoot,
            modelGguf,
            loraGguf: Object.fromEntries([...lora].map(([id, e]) => [id, { file: e.file, scale: e.scale }])),
          },
          check: {
            promptIds: first.promptIds,
            adapter: first.adapter,
            maxTokens: Math.min(o.checkTokens, s.maxTokens),
          },
        };
        const res = await runChild(
          o.repoRoot,
          job,
          join(o.out, 'logs', `${s.name}--${system}${repeat > 1 ? `--r${round}` : ''}.log`),
        );
        if (res.ok) {
          const r = summarizeRun(s, w, system, p.overridden, res.run);
          results.push(r);
          if (!checks.has(`${s.name}/${system}`)) checks.set(`${s.name}/${system}`, res.run.check);
          if (res.run.stepMs.length) stepByRun.set(r, percentile(res.run.stepMs, 50));
        } else {
          results.push(failedResult(s, system, p.overridden, p.distinct, res.error.split('\n')[0]!));
        }
        bar.tick(`${s.name} / ${system}${tag}`);
      }
    }
    for (const r of results) {
      if (r.status !== 'ok') continue;
      const base = results.find((b) => b.name === (r.baseline ?? r.name) && b.system === r.system && b.status === 'ok');
      r.ratio_to_base = base && base.throughput_tok_s > 0 ? r.throughput_tok_s / base.throughput_tok_s : null;
    }
    return results;
  };
  for (let round = 1; round <= repeat; round++) rounds.push(await runRound(round));
  bar.finish('all runs done');
  const results = combineRounds(rounds);
  for (const r of results) {
    if (r.status !== 'ok') continue;
    const ours = checks.get(`${r.name}/loraledger`);
    r.greedy_check =
      r.system === 'loraledger'
        ? {
            pass: null,
            detail:
              'the reference the peers are compared with (loraledger itself is checked against a plain TypeScript forward pass in kernels/ tests)',
          }
        : checkPeer(ours ?? null, checks.get(`${r.name}/${r.system}`) ?? null);
  }
  // Two independent peers that agree with each other but not with loraledger outvote it.
  for (const name of new Set(results.map((r) => r.name))) {
    const peers = results.filter((r) => r.name === name && r.system !== 'loraledger' && r.status === 'ok');
    const ours = results.find((r) => r.name === name && r.system === 'loraledger' && r.status === 'ok');
    if (!ours || peers.length < 2 || !peers.every((p) => p.greedy_check.pass === false)) continue;
    const [a, b] = peers.map((p) => checks.get(`${name}/${p.system}`) ?? null);
    const agree = checkPeer(a ?? null, b ?? null);
    if (!agree.pass) continue;
    ours.greedy_check = {
      pass: false,
      detail: `${peers.map((p) => p.system).join(' and ')} agree with each other (${agree.detail.replace('vs loraledger: ', '')}) but not with loraledger: ${peers[0]!.greedy_check.detail.replace('vs loraledger: ', '')}`,
    };
    for (const p of peers)
      p.greedy_check = {
        pass: true,
        detail: `agrees with the other peer; loraledger is the odd one out (${p.greedy_check.detail})`,
      };
  }
  for (const r of results) {
    if (r.status !== 'ok') continue;
    if (r.parameters.streams === 1 && r.parameters.adapters === null) {
      const spec = specs.get(String(r.parameters.model))!.spec;
      const bytes = weightBytesPerToken(spec, BYTES_PER_WEIGHT[r.parameters.precision as ScenarioDef['precision']]);
      const bw = Math.max(machine.bandwidthGBs.read, machine.bandwidthGBs.copy, machine.bandwidthGBs.copyParallel ?? 0);
      const roofline = (bytes / (bw * 1e9)) * 1000;
      const step = stepByRun.get(r) ?? null;
      r.step = {
        weight_bytes: bytes,
        roofline_ms: roofline,
        step_p50_ms: step,
        itl_p50_ms: r.itl_ms.p50,
        tpot_p50_ms: r.tpot_ms.p50,
        roofline_efficiency: roofline / (step ?? r.tpot_ms.p50),
        bandwidth_GBs: bw,
      };
    }
  }
  const report: BenchReport = {
    schema: 1,
    tool: 'loraledger-bench',
    mode: o.quick ? 'quick' : 'full',
    machine,
    peers: {
      'naive-merged': 'merged W + scale·B·A per adapter, one onnxruntime-node engine each (bench/peers/naiveMerged.ts)',
      'llama.cpp': 'node-llama-cpp 3.21.1 prebuilt CPU binaries on GGUF exports of the same weights (bench/gguf/)',
    },
    scenarios: results,
    targets: checkTargets(results),
    finishedAt: new Date().toISOString(),
  };
  await writeReport(o.out, report);
  return report;
}

/**
 * One result per (scenario, system) from rounds of the same plan: the round whose throughput is
 * the median of the successful ones (the lower middle for an even count), with ratio_to_base the
 * median of the per-round ratios and every round listed in its notes. One round: returned as is.
 */
export function combineRounds(rounds: ScenarioResult[][]): ScenarioResult[] {
  if (rounds.length <= 1) return rounds[0] ?? [];
  const mid = <T>(xs: T[]): T => xs[(xs.length - 1) >> 1]!;
  return rounds[0]!.map((first) => {
    const runs = rounds
      .map((rs) => rs.find((r) => r.name === first.name && r.system === first.system))
      .filter((r): r is ScenarioResult => r?.status === 'ok');
    if (runs.length === 0) return first;
    const chosen = mid([...runs].sort((a, b) => a.throughput_tok_s - b.throughput_tok_s));
    const ratios = runs
      .map((r) => r.ratio_to_base)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    const ratio = ratios.length
      ? ratios.length % 2
        ? mid(ratios)
        : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2
      : null;
    const listed = runs
      .map(
        (r) => `${r.throughput_tok_s.toFixed(1)}${r.ratio_to_base === null ? '' : ` (${r.ratio_to_base.toFixed(2)}x)`}`,
      )
      .join(' / ');
    const note = `${runs.length} of ${rounds.length} rounds ok, tok/s (ratio to base) per round: ${listed}; shown: the median-throughput round${ratio === null ? '' : `, ratio = median of the per-round ratios`}.`;
    chosen.ratio_to_base = ratio;
    chosen.notes.push(note);
    return chosen;
  });
}
