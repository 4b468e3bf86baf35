// Where a single stream's time goes between tokens: the real server (buildApp, the flags of
// `npm start`) on the SmolLM-135M-shaped bench model, N sequential streamed requests over HTTP.
// Prints the client's inter-token gaps (p50 / p99 / max, gaps over 100 ms), the engine's decode
// step p50 (its own notices) and the main thread's event-loop delay, so a gap can be placed on the
// worker (slow steps) or on the main thread (delay) side.
//
//   npx tsx bench/probes/streamProbe.ts [--requests 8] [--max-tokens 128] [--threads 2] [--batch 1]
//   --concurrent N: N clients at once, one request each (prefill: TTFT and how the prefills were split)
//   --profile FILE: a CPU profile of the main thread over the timed requests only
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, engineStarted, loadConfig } from '../../server/index.ts';
import type { EngineNotice } from '../../kernels/index.ts';
import { ensureModel } from '../assets.ts';
import { streamCompletion } from '../httpLoad.ts';
import { percentile } from '../stats.ts';
import { probeFlags } from './probeFlags.ts';

const args = probeFlags(process.argv.slice(2));
const requests = Number(args.get('requests') ?? 8);
const maxTokens = Number(args.get('max-tokens') ?? 128);
const work = '.cache/bench';
const { dir: modelDir } = await ensureModel(work, 'smollm-135m');
const argv = [
  ...['--model', modelDir, '--port', '0', '--chain', 'off', '--log-level', 'warn'],
  ...['--threads', args.get('threads') ?? '2', '--max-batch-size', args.get('batch') ?? '1'],
  ...['--max-model-len', '256', '--cache-dir', join(work, 'loraledger-cache')],
  ...['--data-dir', join(work, 'loraledger-data')],
];
const app = await buildApp(loadConfig({ argv, env: {} }), { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
await engineStarted(app);
const engine = app.loraledger.engine.peek()!;
const steps: number[] = [];
engine.onNotice((n: EngineNotice) => {
  if (n.type === 'step' && n.prefillTokens === 0) steps.push(n.seconds * 1000);
});
const addr = app.server.address();
const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
const spec = { model: 'smollm-135m', adapterId: null, promptIds: Array.from({ length: 16 }, (_, i) => 100 + i) };
await streamCompletion(url, { ...spec, maxTokens: 8 }); // warm-up
steps.length = 0;
const concurrent = Number(args.get('concurrent') ?? 0);
if (concurrent > 0) {
  // Prefill: `concurrent` clients send a 16-token prompt at once; TTFT and how the prefills were split.
  const prefills: string[] = [];
  engine.onNotice((n: EngineNotice) => {
    if (n.type === 'step' && n.prefillTokens > 0)
      prefills.push(`${n.prefillTokens}t/${(n.seconds * 1000).toFixed(0)}ms`);
  });
  const res = await Promise.all(
    Array.from({ length: concurrent }, (_, c) =>
      streamCompletion(url, { ...spec, promptIds: spec.promptIds.map((t) => t + 16 * c), maxTokens }),
    ),
  );
  const ttft = res.map((r) => r.tokenMs[0]! - r.startMs);
  console.log(
    `TTFT p50 ${percentile(ttft, 50).toFixed(0)} max ${Math.max(...ttft).toFixed(0)} ms; prefill steps: ${prefills.join(' ')}`,
  );
  await app.close();
  process.exit(0);
}
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const gaps: number[] = [];
const profileFile = args.get('profile');
const inspector = new Session();
if (profileFile) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
const elu0 = perf.eventLoopUtilization();
const t0 = performance.now();
let tokens = 0;
for (let r = 0; r < requests; r++) {
  const res = await streamCompletion(url, { ...spec, maxTokens });
  if (res.error) throw new Error(res.error);
  const g = res.tokenMs.slice(1).map((t, i) => t - res.tokenMs[i]!);
  gaps.push(...g);
  tokens += res.tokenMs.length;
  console.log(
    `request ${r}: max gap ${Math.max(...g).toFixed(1)} ms, gaps > 100 ms: ${g.filter((x) => x > 100).length}`,
  );
}
const wall = (performance.now() - t0) / 1000;
const elu = perf.eventLoopUtilization(elu0);
if (profileFile) writeFileSync(profileFile, JSON.stringify((await inspector.post('Profiler.stop')).profile));
loop.disable();
const f = (x: number) => x.toFixed(1);
console.log(
  `ITL p50 ${f(percentile(gaps, 50))} p99 ${f(percentile(gaps, 99))} max ${f(Math.max(...gaps))} ms; ` +
    `gaps > 100 ms: ${gaps.filter((x) => x > 100).length}; decode step p50 ${f(percentile(steps, 50))} p99 ${f(percentile(steps, 99))} ms; ` +
    `${f(tokens / wall)} tok/s; main-thread loop delay p50 ${f(loop.percentile(50) / 1e6)} p99 ${f(loop.percentile(99) / 1e6)} max ${f(loop.max / 1e6)} ms; main thread busy ${f(elu.active / tokens)} ms per token`,
);
await app.close();
