// Writes a BenchReport as DIR/report.json, DIR/report.md (tables) and SVG charts:
//   throughput.svg               tokens/s per scenario and system (grouped bars)
//   throughput-vs-adapters.svg   tokens/s against distinct adapters in the scenario, per system
//   latency-<scenario>.svg       TTFT and inter-token latency CDFs per system (log x)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport, ScenarioResult } from './reportTypes.ts';
import { barChart, colorOf, lineChart } from './svgCharts.ts';

const ms = (v: number): string =>
  Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : '–';
const mb = (b: number): string => (b > 0 ? `${(b / 2 ** 20).toFixed(0)}` : '–');
const num = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '–');

function scenarioNames(r: BenchReport): string[] {
  return [...new Set(r.scenarios.map((s) => s.name))];
}
function systemNames(r: BenchReport): string[] {
  return [...new Set(r.scenarios.map((s) => s.system))];
}

export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const L: string[] = [];
  L.push(`# loraledger bench (${r.mode})`, '');
  L.push(
    `Measured ${m.startedAt} on ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `memory bandwidth measured at start with JS loops: ${m.bandwidthGBs.read.toFixed(1)} GB/s sum / ${m.bandwidthGBs.copy.toFixed(1)} GB/s copy on one thread${m.bandwidthGBs.copyParallel ? `, ${m.bandwidthGBs.copyParallel.toFixed(1)} GB/s copy on ${m.cores} threads` : ''} (the roofline uses the best), ` +
      `Node ${m.node}, commit \`${m.commit.slice(0, 12)}\`${m.dirty ? ' (with uncommitted changes)' : ''}.`,
    '',
  );
  for (const [k, v] of Object.entries(r.peers)) L.push(`- ${k}: ${v}`);
  L.push('', '## Targets', '', '| target | wanted | measured | met |', '| --- | --- | --- | --- |');
  for (const t of r.targets)
    L.push(`| ${t.target} | ${t.wanted} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
  L.push(
    '',
    '## Results',
    '',
    "Throughput counts output tokens of all streams over the wall time of the scenario. TTFT: request sent to first token received. ITL: every gap between consecutive tokens as the client saw them (tokens that arrive in one network read give ~0 gaps). TPOT: per request, (last - first token) / (tokens - 1). × base: to the same system's base-model run of the same shape in this invocation. loraledger is measured over HTTP (SSE, JSON); the peers in-process.",
    '',
  );
  L.push(
    '| scenario | system | tok/s | req/s | TTFT p50 / p99 ms | ITL p50 / p99 ms | TPOT p50 / p99 ms | adapter load p50 / p99 ms | peak RSS MiB | × base | greedy check |',
  );
  L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of r.scenarios) {
    if (s.status !== 'ok') {
      L.push(`| ${s.name} | ${s.system} | ${s.status} | | | | | | | | ${s.error ?? ''} |`);
      continue;
    }
    const load =
      s.adapter_load_ms && s.adapter_load_ms.count > 0
        ? `${ms(s.adapter_load_ms.p50)} / ${ms(s.adapter_load_ms.p99)}`
        : '–';
    const check =
      s.greedy_check.pass === null
        ? `not checked: ${s.greedy_check.detail}`
        : `${s.greedy_check.pass ? 'pass' : '**FAIL**'}: ${s.greedy_check.detail}`;
    L.push(
      `| ${s.name} | ${s.system} | ${num(s.throughput_tok_s)} | ${num(s.requests_s, 2)} | ${ms(s.ttft_ms.p50)} / ${ms(s.ttft_ms.p99)} | ${ms(s.itl_ms.p50)} / ${ms(s.itl_ms.p99)} | ${ms(s.tpot_ms.p50)} / ${ms(s.tpot_ms.p99)} | ${load} | ${mb(s.peak_rss_bytes)} | ${s.ratio_to_base === null ? '–' : s.ratio_to_base.toFixed(2)} | ${check} |`,
    );
  }
  const steps = r.scenarios.filter((s) => s.step);
  if (steps.length > 0) {
    L.push(
      '',
      '## Single-stream decode against the memory-bandwidth roofline',
      '',
      'A decode step must stream every weight once, so the roofline = weight bytes per token / measured bandwidth. ' +
        "Breakdown per token: roofline, then the engine step's excess over it (compute, attention, kernel overheads), then what serving adds on top of the step (scheduling, IPC, HTTP/SSE for loraledger). For systems that report no engine step (the peers), step − roofline uses TPOT.",
      '',
    );
    L.push(
      '| system | weights MB/token | bandwidth GB/s | roofline ms | engine step p50 ms | TPOT p50 ms | step − roofline ms | TPOT − step ms | roofline / step |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const s of steps) {
      const b = s.step!;
      const step = b.step_p50_ms;
      L.push(
        `| ${s.system} | ${(b.weight_bytes / 1e6).toFixed(1)} | ${b.bandwidth_GBs.toFixed(1)} | ${ms(b.roofline_ms)} | ${step === null ? '–' : ms(step)} | ${ms(b.tpot_p50_ms)} | ${step === null ? ms(b.tpot_p50_ms - b.roofline_ms) : ms(step - b.roofline_ms)} | ${step === null ? '–' : ms(b.tpot_p50_ms - step)} | ${b.roofline_efficiency === null ? '–' : `${(b.roofline_efficiency * 100).toFixed(0)}%`} |`,
      );
    }
  }
  L.push('', '## How each system ran', '');
  for (const s of r.scenarios)
    L.push(`- **${s.name} / ${s.system}**: ${s.configuration}${s.notes.length ? ` ${s.notes.join(' ')}` : ''}`);
  L.push(
    '',
    '## Parameters',
    '',
    '| scenario | v | model | streams | requests | prompt | max tokens | adapters (distinct used) | ranks | popularity | overridden |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |',
  );
  const seen = new Set<string>();
  for (const s of r.scenarios) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    const p = s.parameters as Record<string, unknown>;
    const a = p.adapters as {
      count: number;
      ranks: number[];
      popularity: string;
      zipfAlpha: number;
      coldShare: number;
    } | null;
    const pop = a
      ? (a.popularity === 'zipf' ? `zipf(${a.zipfAlpha})` : a.popularity) +
        (a.coldShare ? `, ${a.coldShare * 100}% cold` : '')
      : '–';
    L.push(
      `| ${s.name} | ${s.version} | ${p.model} | ${p.streams} | ${p.requests} | ${p.promptTokens} | ${p.maxTokens} | ${a ? `${a.count} (${s.parameters.distinct_adapters})` : '0'} | ${a ? a.ranks.join('/') : '–'} | ${pop} | ${s.parameters.overridden.join(', ') || '–'} |`,
    );
  }
  L.push(
    '',
    '## Charts',
    '',
    '![throughput](throughput.svg)',
    '',
    '![throughput vs adapters](throughput-vs-adapters.svg)',
    '',
  );
  for (const n of scenarioNames(r)) L.push(`![latency ${n}](latency-${n}.svg)`, '');
  return L.join('\n');
}

const okResults = (r: BenchReport): ScenarioResult[] => r.scenarios.filter((s) => s.status === 'ok');

export function renderCharts(r: BenchReport): Map<string, string> {
  const charts = new Map<string, string>();
  const names = scenarioNames(r);
  const systems = systemNames(r);
  const ok = okResults(r);
  const get = (n: string, sys: string): ScenarioResult | undefined => ok.find((s) => s.name === n && s.system === sys);
  charts.set(
    'throughput.svg',
    barChart({
      title: 'Output tokens per second',
      subtitle: `${r.machine.cpuModel}, ${r.machine.cores} cores (${r.mode} run)`,
      yLabel: 'tokens / s',
      groups: names,
      series: systems.map((sys) => ({ name: sys, values: names.map((n) => get(n, sys)?.throughput_tok_s ?? null) })),
    }),
  );
  // Compare like with like: one line per system and workload shape (streams, prompt, output),
  // over the scenarios of that shape (its base-only run at x = 0).
  const shape = (s: ScenarioResult): string =>
    `${s.parameters.streams}/${s.parameters.promptTokens}/${s.parameters.maxTokens}`;
  const shapes = [...new Set(ok.filter((s) => s.parameters.distinct_adapters > 0).map(shape))];
  const lines = systems
    .flatMap((sys, si) =>
      shapes.map((sh, hi) => {
        const pts = ok
          .filter((s) => s.system === sys && shape(s) === sh)
          .map((s): [number, number] => [s.parameters.distinct_adapters, s.throughput_tok_s])
          .sort((a, b) => a[0] - b[0]);
        const [streams, prompt, out] = sh.split('/');
        return {
          name: `${sys} (${streams} streams${shapes.length > 1 ? `, ${prompt}+${out} tok` : ''})`,
          points: pts,
          color: colorOf(sys, si),
          dashed: hi > 0,
        };
      }),
    )
    .filter((l) => l.points.length > 0);
  charts.set(
    'throughput-vs-adapters.svg',
    lineChart({
      title: 'Throughput as the number of distinct adapters grows',
      subtitle: 'same streams and request shape per line; 0 = base model only',
      xLabel: 'distinct adapters in flight over the scenario',
      yLabel: 'tokens / s',
      series: lines,
    }),
  );
  for (const n of names) {
    const runs = ok.filter((s) => s.name === n);
    const series = runs.flatMap((s, i) => [
      { name: `${s.system} TTFT`, points: s.cdf.ttft_ms, color: colorOf(s.system, i) },
      { name: `${s.system} ITL`, points: s.cdf.itl_ms, color: colorOf(s.system, i), dashed: true },
    ]);
    charts.set(
      `latency-${n}.svg`,
      lineChart({
        title: `Latency CDFs: ${n}`,
        subtitle: 'time to first token (TTFT) and inter-token latency (ITL), log scale',
        xLabel: 'milliseconds',
        yLabel: 'share of samples <= x',
        series,
        xLog: true,
        yRange: [0, 1],
        step: true,
        yFormat: (v) => `${Math.round(v * 100)}%`,
      }),
    );
  }
  return charts;
}

/** Writes report.json, report.md and the charts into `dir` (which prepareOutputDir checked). */
export async function writeReport(dir: string, r: BenchReport): Promise<string[]> {
  const files = ['report.json', 'report.md'];
  await writeFile(join(dir, 'report.json'), JSON.stringify(r, null, 2));
  await writeFile(join(dir, 'report.md'), renderMarkdown(r));
  for (const [name, svg] of renderCharts(r)) {
    await writeFile(join(dir, name), svg);
    files.push(name);
  }
  return files;
}
