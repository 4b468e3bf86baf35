// Adapter scale (issue 4 (b)): 1,000 registered adapters, a host cache of 64, 8 active slots,
// through the real server (buildApp + HTTP, as `npm start` runs it). Every output is checked
// against the plain TypeScript reference forward with that request's adapter, and the engine's
// own `adapter_loaded` notices give the disk -> host and host -> slot load times.
//
//   npm run bench:scale -- [--work .cache/bench] [--adapters 1000] [--cached 64] [--active 8]
//                          [--rank 8] [--requests 400] [--streams 16] [--max-tokens 8] [--json FILE]
//
// Model: the real trained stories260K (5 layers, hidden 64): 1,000 rank-8 adapters on all seven
// projections are 181 KiB each (181 MiB on disk), generated once (seeded) and reused.
// Traffic: closed-loop clients; each request picks its adapter by Zipf(1.0) over all adapters
// (a popular head that the 64-slot host cache holds, and a long tail of cold loads from disk),
// 10% on the base model; 16-token random prompts, greedy, ignore_eos.
// Start-up (time from buildApp to a ready engine, RSS after) is measured in fresh child processes
// with the same flags and N registered adapters vs an empty adapter root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAdapterWeights, readAdapterMeta } from '../adapters/index.ts';
import { type AdapterWeights } from '../kernels/model/index.ts';
import { loadCheckpoint, LORA_TARGETS } from '../kernels/model/index.ts';
import { Prng } from '../common/index.ts';
import { referenceGreedy, type EngineNotice } from '../kernels/index.ts';
import { buildApp, engineStarted } from '../server/index.ts';
import { loadConfig } from '../server/index.ts';
import { ensureAdapters, STORIES260K_DIR } from './assets.ts';
import { runClosedLoop, streamCompletion } from './httpLoad.ts';
import { percentile } from './stats.ts';
import { adapterId, type AdapterPlan } from './workload.ts';
import { ZipfSampler } from './zipf.ts';

interface Flags {
  adapterRoot: string;
  adapterBytes: number;
  cached: number;
  active: number;
  rank: number;
  streams: number;
  maxTokens: number;
  work: string;
}

const rssBytes = (): number =>
  1024 * Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
const ms = (x: number): string => x.toFixed(2);

function serverArgv(f: Flags): string[] {
  return [
    '--model',
    STORIES260K_DIR,
    '--adapters',
    f.adapterRoot,
    '--port',
    '0',
    '--chain',
    'off',
    '--log-level',
    'warn',
    '--threads',
    '2',
    '--max-batch-size',
    String(f.streams),
    '--max-batch-tokens',
    String(f.streams * 16),
    '--max-active-adapters',
    String(f.active),
    '--max-cached-adapters',
    String(f.cached),
    '--max-cached-adapter-bytes',
    String(Math.ceil(1.1 * f.cached * f.adapterBytes)),
    '--max-lora-rank',
    String(f.rank),
    '--max-queue',
    '4096',
    '--max-model-len',
    '64',
    '--cache-dir',
    join(f.work, 'loraledger-cache'),
    '--data-dir',
    join(f.work, 'scale', 'data'),
  ];
}

/** Child: build the app, wait for the engine, report seconds + RSS. */
async function startupChild(
  f: Flags,
): Promise<{ seconds: number; rss: number; rssBefore: number; registered: number }> {
  const rssBefore = rssBytes();
  const t0 = performance.now();
  const app = await buildApp(loadConfig({ argv: serverArgv(f), env: {} }), { logger: false });
  await engineStarted(app);
  const seconds = (performance.now() - t0) / 1000;
  const rss = rssBytes();
  if (!app.loraledger.engine.peek()) throw new Error('engine failed to start');
  const res = await app.inject({ method: 'GET', url: '/v1/models' });
  const registered = (JSON.parse(res.body) as { data: unknown[] }).data.length - 2; // minus the base and "auto"
  await app.close();
  return { seconds, rss, rssBefore, registered };
}

function runStartupChild(f: Flags): { seconds: number; rss: number; rssBefore: number; registered: number } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--startup-child', JSON.stringify(f)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`start-up child failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      work: { type: 'string', default: '.cache/bench' },
      adapters: { type: 'string', default: '1000' },
      cached: { type: 'string', default: '64' },
      active: { type: 'string', default: '8' },
      rank: { type: 'string', default: '8' },
      requests: { type: 'string', default: '400' },
      streams: { type: 'string', default: '16' },
      'max-tokens': { type: 'string', default: '8' },
      json: { type: 'string' },
      'startup-child': { type: 'string' },
    },
  });
  if (values['startup-child']) {
    console.log(JSON.stringify(await startupChild(JSON.parse(values['startup-child']) as Flags)));
    return;
  }
  const count = Number(values.adapters);
  const rank = Number(values.rank);
  const work = values.work;
  const model = await loadCheckpoint(STORIES260K_DIR);
  const plans: AdapterPlan[] = Array.from({ length: count }, (_, i) => ({
    id: adapterId(rank, i),
    rank,
    seed: 5000 + i,
    cold: false,
  }));
  const tGen = performance.now();
  const adapterRoot = await ensureAdapters(join(work, 'scale'), 'stories260k', model.spec, plans, LORA_TARGETS);
  const genSeconds = (performance.now() - tGen) / 1000;
  const emptyRoot = join(work, 'scale', 'empty');
  mkdirSync(emptyRoot, { recursive: true });
  const adapterBytes = statSync(join(adapterRoot, plans[0]!.id, 'adapter_model.safetensors')).size;
  const flags: Flags = {
    adapterRoot,
    adapterBytes,
    cached: Number(values.cached),
    active: Number(values.active),
    rank,
    streams: Number(values.streams),
    maxTokens: Number(values['max-tokens']),
    work,
  };
  process.stderr.write(
    `adapters ready in ${genSeconds.toFixed(1)} s (${count} under ${adapterRoot}); measuring start-up...\n`,
  );
  // Alternating fresh processes, 3 each; the medians are reported.
  const empties: Array<ReturnType<typeof runStartupChild>> = [];
  const fulls: Array<ReturnType<typeof runStartupChild>> = [];
  for (let i = 0; i < 3; i++) {
    empties.push(runStartupChild({ ...flags, adapterRoot: emptyRoot }));
    fulls.push(runStartupChild(flags));
  }
  const median = (xs: Array<ReturnType<typeof runStartupChild>>) => ({
    seconds: percentile(
      xs.map((x) => x.seconds),
      50,
    ),
    rss: percentile(
      xs.map((x) => x.rss),
      50,
    ),
    registered: xs[0]!.registered,
  });
  const startEmpty = median(empties);
  const startFull = median(fulls);

  process.stderr.write('serving...\n');
  const app = await buildApp(loadConfig({ argv: serverArgv(flags), env: {} }), { logger: false });
  const out: string[] = [];
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    await engineStarted(app);
    const engine = app.loraledger.engine.peek()!;
    const loads = { host: [] as number[], slot: [] as number[] };
    const lookups: Record<string, number> = {};
    let evictions = 0;
    let errored = 0;
    engine.onNotice((n: EngineNotice) => {
      if (n.type === 'adapter_loaded') loads[n.tier].push(n.seconds * 1000);
      if (n.type === 'adapter_cache') lookups[`${n.tier} ${n.outcome}`] = (lookups[`${n.tier} ${n.outcome}`] ?? 0) + 1;
      if (n.type === 'adapter_evicted' && n.tier === 'host') evictions++;
      if (n.type === 'adapter_errored') errored++;
    });
    const addr = app.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const baseId = basename(STORIES260K_DIR);
    const rng = new Prng(99);
    const zipf = new ZipfSampler(count, 1, rng);
    const jobs = Array.from({ length: Number(values.requests) }, () => {
      const adapter = rng.next() < 0.1 ? null : plans[zipf.next()]!.id;
      return { adapter, promptIds: [1, ...Array.from({ length: 15 }, () => 3 + rng.int(509))] };
    });
    const { records, wallMs } = await runClosedLoop(jobs, flags.streams, (j, _i, signal) =>
      streamCompletion(
        url,
        { model: j.adapter ?? baseId, adapterId: j.adapter, promptIds: j.promptIds, maxTokens: flags.maxTokens },
        {},
        signal,
      ),
    );
    // The same loads on an idle engine (no forward pass holding the worker's event loop): one
    // never-used adapter at a time, disk -> host by prefetch, then host -> slot by a 1-token request.
    const serving = { host: [...loads.host], slot: [...loads.slot] };
    const used = new Set(jobs.map((j) => j.adapter));
    const idle = plans.filter((p) => !used.has(p.id)).slice(0, 32);
    const idleLoads = { host: [] as number[], slot: [] as number[] };
    for (const p of idle) {
      const nHost = loads.host.length;
      const nSlot = loads.slot.length;
      engine.prefetch([p.id]);
      while (loads.host.length === nHost) await new Promise((r) => setTimeout(r, 1));
      idleLoads.host.push(loads.host[nHost]!);
      const r = await streamCompletion(url, { model: p.id, adapterId: p.id, promptIds: [1, 5], maxTokens: 1 });
      if (r.error) throw new Error(`idle request on ${p.id}: ${r.error}`);
      if (loads.slot.length > nSlot) idleLoads.slot.push(loads.slot[nSlot]!);
    }
    const metricsText = (await (await fetch(`${url}/metrics`)).text())
      .split('\n')
      .filter((l) =>
        /^loraledger_adapter_(load_seconds_(count|sum)|cache_lookups_total|cache_evictions_total)/.test(l),
      );
    // Correctness: every request against the reference with its adapter.
    const weights = new Map<string, AdapterWeights>();
    let exact = 0;
    const failures: string[] = [];
    for (const [i, j] of jobs.entries()) {
      const rec = records[i]!;
      if (rec.error) {
        failures.push(`request ${i} (${j.adapter ?? 'base'}): ${rec.error}`);
        continue;
      }
      if (j.adapter && !weights.has(j.adapter))
        weights.set(
          j.adapter,
          await loadAdapterWeights(readAdapterMeta(join(adapterRoot, j.adapter), j.adapter), model.spec),
        );
      const ref = referenceGreedy(model, j.promptIds, flags.maxTokens, j.adapter ? weights.get(j.adapter) : undefined);
      if (ref.join() === rec.tokens.join()) exact++;
      else failures.push(`request ${i} (${j.adapter ?? 'base'}): got ${rec.tokens} want ${ref}`);
    }
    const tokens = records.reduce((s, r) => s + r.tokens.length, 0);
    const e2e = records
      .map((r) => (r.tokenMs.length ? r.tokenMs[r.tokenMs.length - 1]! - r.startMs : NaN))
      .filter(Number.isFinite);
    const distinct = new Set(jobs.map((j) => j.adapter).filter(Boolean)).size;
    out.push(
      `${count} registered rank-${rank} adapters (stories260K, all 7 projections, ${(adapterBytes / 1024).toFixed(0)} KiB each), host cache ${flags.cached}, ${flags.active} active slots, ${flags.streams} streams`,
    );
    out.push(
      `start-up (buildApp -> engine ready, graph cached; median of 3 fresh processes each): ${startFull.seconds.toFixed(2)} s with ${startFull.registered} registered vs ${startEmpty.seconds.toFixed(2)} s with ${startEmpty.registered}; RSS ${(startFull.rss / 2 ** 20).toFixed(1)} MiB vs ${(startEmpty.rss / 2 ** 20).toFixed(1)} MiB (+${((startFull.rss - startEmpty.rss) / 2 ** 20).toFixed(1)} MiB)`,
    );
    out.push(
      `requests: ${jobs.length} (${distinct} distinct adapters, ${jobs.filter((j) => !j.adapter).length} base), ${tokens} tokens in ${(wallMs / 1000).toFixed(2)} s = ${(tokens / (wallMs / 1000)).toFixed(0)} tok/s; request latency p50 ${ms(percentile(e2e, 50))} ms, p99 ${ms(percentile(e2e, 99))} ms`,
    );
    out.push(
      `exact vs reference: ${exact}/${jobs.length}${failures.length ? `; FAILURES:\n  ${failures.slice(0, 10).join('\n  ')}` : ''}`,
    );
    // Under load, a disk -> host load's time includes waiting for the worker's event loop between
    // forward steps (the read is async: each file operation's callback waits for the current step).
    out.push(
      `while serving: disk -> host loads ${serving.host.length}, p50 ${ms(percentile(serving.host, 50))} ms, p99 ${ms(percentile(serving.host, 99))} ms, max ${ms(Math.max(...serving.host))} ms`,
    );
    out.push(
      `while serving: host -> slot loads ${serving.slot.length}, p50 ${ms(percentile(serving.slot, 50))} ms, p99 ${ms(percentile(serving.slot, 99))} ms, max ${ms(Math.max(...serving.slot))} ms`,
    );
    out.push(
      `idle engine, ${idle.length} cold adapters one at a time: disk -> host p50 ${ms(percentile(idleLoads.host, 50))} ms, p99 ${ms(percentile(idleLoads.host, 99))} ms; host -> slot p50 ${ms(percentile(idleLoads.slot, 50))} ms, p99 ${ms(percentile(idleLoads.slot, 99))} ms`,
    );
    out.push(
      `cache lookups (serving + idle phase): ${Object.entries(lookups)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; host evictions ${evictions}; adapter errors ${errored}`,
    );
    out.push('/metrics:', ...metricsText.map((l) => `  ${l}`));
    console.log(out.join('\n'));
    if (values.json)
      writeFileSync(
        values.json,
        JSON.stringify(
          {
            flags,
            genSeconds,
            startEmpty,
            startFull,
            exact,
            requests: jobs.length,
            distinct,
            tokens,
            wallMs,
            serving,
            idleLoads,
            lookups,
            evictions,
            errored,
            failures,
            metricsText,
          },
          null,
          2,
        ),
      );
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
