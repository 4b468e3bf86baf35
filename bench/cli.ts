// `npm run bench -- [--quick] --out DIR [flags]`: runs the benchmark scenarios against loraledger
// and its peers and writes DIR/report.json, DIR/report.md and SVG charts. See bench/README.md.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  SCENARIOS,
  SYSTEMS,
  MODEL_PRESETS,
  ScenarioError,
  findScenario,
  type ModelPreset,
  type ScenarioOverrides,
  type SystemName,
} from './scenarios.ts';

class UsageError extends Error {}
import { prepareOutputDir, OutputDirError } from './outputDir.ts';
import { runBench } from './runBench.ts';
import { runReplicaBench } from './replicas.ts';
import { writeFileSync } from 'node:fs';

const HELP = `loraledger bench: throughput and latency of loraledger vs naive-merged vs llama.cpp.

usage: npm run bench -- --out DIR [--quick] [--force] [flags]

  --out DIR              results directory (refused if non-empty unless --force)
  --force                write into a non-empty --out (replaces the report files)
  --quick                the quick set (${SCENARIOS.filter((s) => s.quick)
    .map((s) => s.name)
    .join(', ')}), smaller runs
  --scenarios a,b        scenarios to run (default: all, or the quick set); their baselines are added
  --systems a,b          systems (default: ${SYSTEMS.join(',')})
  --work DIR             where generated models/adapters/GGUFs are cached (default .cache/bench)
  --threads N            CPU threads per system (default 2)
  --check-tokens N       greedy tokens compared between systems (default 16)
  --time-box S           no request starts after S seconds of a run (default: 150 with --quick, 300 otherwise)
  --repeat N             run every (scenario, system) N times, round after round; report the median-throughput
                         round and the median of the per-round ratios to base (default 1)
  overrides (apply to every selected scenario, recorded in the report):
  --model P (${MODEL_PRESETS.join('|')})  --precision fp32|int8|int4  --streams N  --requests N  --prompt-tokens N  --max-tokens N
  --adapters M  --ranks 8,16,64  --alpha A  --cold-share S  --cache-size N
  --replicas N           instead: N replicas behind deploy/haproxy/haproxy.cfg (proxy overhead, adapter-affinity
                         vs round-robin cache hit rates; needs haproxy); with --adapters M --alpha A --cache-size C
                         --slots S --requests R --concurrency K --max-tokens T (defaults 64, 1, 8, 4, 400, 8, 8)
  peer knobs: --naive-max-resident N  --llamacpp-max-contexts N  --llamacpp-threads N (default: tuned, see README)

scenarios:
${SCENARIOS.map((s) => `  ${s.name} (v${s.version})${s.quick ? ' [quick]' : ''}: ${s.description}`).join('\n')}
`;

const num = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${v}"`);
  return n;
};
const list = (v: string | undefined): string[] | undefined =>
  v
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: {
      out: { type: 'string' },
      force: { type: 'boolean' },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      scenarios: { type: 'string' },
      systems: { type: 'string' },
      work: { type: 'string' },
      threads: { type: 'string' },
      'check-tokens': { type: 'string' },
      'time-box': { type: 'string' },
      repeat: { type: 'string' },
      model: { type: 'string' },
      precision: { type: 'string' },
      streams: { type: 'string' },
      requests: { type: 'string' },
      'prompt-tokens': { type: 'string' },
      'max-tokens': { type: 'string' },
      adapters: { type: 'string' },
      ranks: { type: 'string' },
      alpha: { type: 'string' },
      'cold-share': { type: 'string' },
      'cache-size': { type: 'string' },
      'naive-max-resident': { type: 'string' },
      'llamacpp-max-contexts': { type: 'string' },
      'llamacpp-threads': { type: 'string' },
      replicas: { type: 'string' },
      concurrency: { type: 'string' },
      slots: { type: 'string' },
    },
    strict: true,
  });
  if (a.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (a.replicas !== undefined) return replicaBench(a);
  if (!a.out) throw new UsageError('--out DIR is required (see --help)');
  const scenarios = list(a.scenarios) ?? SCENARIOS.filter((s) => !a.quick || s.quick).map((s) => s.name);
  scenarios.forEach(findScenario);
  const systems = (list(a.systems) ?? [...SYSTEMS]) as SystemName[];
  for (const s of systems)
    if (!SYSTEMS.includes(s)) throw new UsageError(`unknown system "${s}"; known: ${SYSTEMS.join(', ')}`);
  if (a.model !== undefined && !MODEL_PRESETS.includes(a.model as ModelPreset))
    throw new UsageError(`--model must be one of ${MODEL_PRESETS.join(', ')}`);
  const overrides: ScenarioOverrides = {
    model: a.model as ModelPreset | undefined,
    precision: a.precision as ScenarioOverrides['precision'],
    streams: num(a.streams, 'streams'),
    requests: num(a.requests, 'requests'),
    promptTokens: num(a['prompt-tokens'], 'prompt-tokens'),
    maxTokens: num(a['max-tokens'], 'max-tokens'),
    adapterCount: num(a.adapters, 'adapters'),
    ranks: list(a.ranks)?.map((r) => num(r, 'ranks')!),
    zipfAlpha: num(a.alpha, 'alpha'),
    coldShare: num(a['cold-share'], 'cold-share'),
    cacheSize: num(a['cache-size'], 'cache-size'),
  };
  const repeat = num(a.repeat, 'repeat') ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new UsageError(`--repeat expects a positive integer, got "${a.repeat}"`);
  const out = await prepareOutputDir(a.out, a.force ?? false);
  const repoRoot = resolve(new URL('..', import.meta.url).pathname);
  const report = await runBench({
    out,
    work: resolve(a.work ?? `${repoRoot}/.cache/bench`),
    quick: a.quick ?? false,
    scenarios,
    systems,
    overrides,
    threads: num(a.threads, 'threads') ?? 2,
    timeBoxS: num(a['time-box'], 'time-box') ?? (a.quick ? 150 : 300),
    checkTokens: num(a['check-tokens'], 'check-tokens') ?? 16,
    repeat,
    repoRoot,
    systemOptions: {
      naiveMaxResident: num(a['naive-max-resident'], 'naive-max-resident'),
      llamaCppMaxContexts: num(a['llamacpp-max-contexts'], 'llamacpp-max-contexts'),
      llamaCppThreads: num(a['llamacpp-threads'], 'llamacpp-threads'),
    },
  });
  const rows = report.scenarios.map(
    (s) =>
      `${s.name.padEnd(20)} ${s.system.padEnd(13)} ${s.status === 'ok' ? `${s.throughput_tok_s.toFixed(1).padStart(8)} tok/s  TTFT p50 ${s.ttft_ms.p50.toFixed(0)} ms  ITL p50 ${s.itl_ms.p50.toFixed(1)} ms  check ${s.greedy_check.pass ?? '-'}` : `${s.status}: ${s.error}`}`,
  );
  process.stdout.write(
    `${rows.join('\n')}\n\n${report.targets.map((t) => `${t.target}: ${t.measured} (wanted ${t.wanted}) -> ${t.met === null ? 'n/a' : t.met ? 'met' : 'NOT met'}`).join('\n')}\n\nreport: ${out}/report.md\n`,
  );
  return 0;
}

/** --replicas N: N replicas behind the shipped HAProxy config (bench/replicas.ts); prints JSON. */
async function replicaBench(a: Record<string, string | boolean | undefined>): Promise<number> {
  const n = (flag: string, def: number) => num(a[flag] as string | undefined, flag) ?? def;
  const report = await runReplicaBench({
    replicas: n('replicas', 3),
    adapters: n('adapters', 64),
    alpha: n('alpha', 1),
    cacheSize: n('cache-size', 8),
    slots: n('slots', 4),
    requests: n('requests', 400),
    concurrency: n('concurrency', 8),
    maxTokens: n('max-tokens', 8),
    overheadPairs: 40,
    repoRoot: resolve(new URL('..', import.meta.url).pathname),
  });
  const json = JSON.stringify(report, null, 2);
  if (typeof a.out === 'string') {
    const out = await prepareOutputDir(a.out, a.force === true);
    writeFileSync(`${out}/replicas.json`, json);
  }
  process.stdout.write(`${json}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage =
      err instanceof OutputDirError ||
      err instanceof ScenarioError ||
      err instanceof UsageError ||
      (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`bench: ${usage ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`);
    process.exit(2);
  },
);
