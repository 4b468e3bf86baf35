// loraledger as an operator runs it: the Fastify server built by buildApp(config) (same config
// flags as `npm start`), listening on a local port, driven over HTTP by streaming clients, then by
// autocannon (non-streaming) for requests/s. Adapter load times and decode step times come from
// the engine's own notices.
import autocannon from 'autocannon';
import { buildApp, engineStarted } from '../../server/index.ts';
import { loadConfig } from '../../server/index.ts';
import type { EngineNotice } from '../../kernels/index.ts';
import { basename, join } from 'node:path';
import { statSync } from 'node:fs';
import { runClosedLoop, streamCompletion, type HttpRequestSpec } from '../httpLoad.ts';
import type { RunJob, SystemRun } from './systemRun.ts';

/**
 * Server flags for a scenario: every stream can be in one batch and every row of it in a slot of
 * its own (slots = streams, up to the host cache), so the rows of a popular adapter can spread over
 * copies instead of padding every bucket of the grouped kernel to its row count.
 */
export function loraledgerArgv(job: RunJob): string[] {
  const s = job.scenario;
  const maxRank = Math.max(1, ...job.workload.adapters.map((a) => a.rank));
  const registered = s.cacheSize ?? job.workload.adapters.length;
  const active = Math.max(1, Math.min(s.streams, registered));
  const cached = Math.max(active, registered);
  // Host-cache bytes to hold `cached` of the largest adapters (fp32 on disk = fp32 in memory).
  const sizes = job.workload.adapters.map(
    (a) => statSync(join(job.assets.adapterRoot, a.id, 'adapter_model.safetensors')).size,
  );
  const cacheBytes = Math.max(1 << 20, Math.ceil(1.1 * cached * Math.max(0, ...sizes)));
  const modelLen = Math.ceil((s.promptTokens + s.maxTokens + 8) / 64) * 64;
  return [
    '--model',
    job.assets.modelDir,
    '--adapters',
    job.assets.adapterRoot,
    '--port',
    '0',
    '--chain',
    'off',
    '--log-level',
    'warn',
    '--precision',
    s.precision,
    '--threads',
    String(job.threads),
    '--max-batch-size',
    String(s.streams),
    '--max-batch-tokens',
    String(Math.max(s.streams, Math.min(2048, s.streams * s.promptTokens))),
    '--max-active-adapters',
    String(active),
    '--max-cached-adapters',
    String(cached),
    '--max-cached-adapter-bytes',
    String(cacheBytes),
    '--max-lora-rank',
    String(maxRank),
    '--max-queue',
    String(s.requests),
    '--max-model-len',
    String(modelLen),
    '--cache-dir',
    join(job.assets.work, 'loraledger-cache'),
    '--data-dir',
    join(job.assets.work, 'loraledger-data'),
    ...((job.options.loraledgerArgs as string[] | undefined) ?? []),
  ];
}

export async function runLoraledger(job: RunJob): Promise<SystemRun> {
  const argv = loraledgerArgv(job);
  const config = loadConfig({ argv, env: {} });
  const app = await buildApp(config, { logger: false });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    await engineStarted(app);
    const engine = app.loraledger.engine.peek();
    if (!engine)
      throw new Error(`loraledger engine failed to start: ${app.loraledger.engine.failure?.message ?? 'unknown'}`);
    const adapterLoadMs: number[] = [];
    const stepMs: number[] = [];
    let recording = false;
    engine.onNotice((n: EngineNotice) => {
      if (!recording) return;
      if (n.type === 'adapter_loaded' && n.tier === 'host') adapterLoadMs.push(n.seconds * 1000);
      if (n.type === 'step' && n.prefillTokens === 0 && n.decodeTokens > 0) stepMs.push(n.seconds * 1000);
    });
    const addr = app.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const baseId = basename(job.assets.modelDir);
    const specOf = (i: number): HttpRequestSpec => {
      const r = job.workload.requests[i]!;
      const adapterId = r.adapter === null ? null : job.workload.adapters[r.adapter]!.id;
      return { model: adapterId ?? baseId, adapterId, promptIds: r.promptIds, maxTokens: r.maxTokens };
    };
    // Greedy probe first (also warms the graph); not timed.
    const c = job.check;
    const checkAdapter = c.adapter === null ? null : job.workload.adapters[c.adapter]!.id;
    const probe = await streamCompletion(
      url,
      { model: checkAdapter ?? baseId, adapterId: checkAdapter, promptIds: c.promptIds, maxTokens: c.maxTokens },
      { logprobs: 5 },
    );
    if (probe.error) throw new Error(`loraledger greedy probe failed: ${probe.error}`);
    const topLogprobs = probe.logprobs.map((top) =>
      Object.fromEntries(Object.entries(top).map(([text, lp]) => [/\[(\d+)\]/.exec(text)?.[1] ?? text, lp])),
    );
    recording = true;
    const { records, wallMs, boxed } = await runClosedLoop(
      job.workload.requests.map((_, i) => i),
      job.scenario.streams,
      (i, _index, signal) => streamCompletion(url, specOf(i), {}, signal),
      job.timeBoxS,
    );
    recording = false;
    const bodies = job.workload.requests.map((_, i) => {
      const r = specOf(i);
      return JSON.stringify({
        model: r.model,
        prompt: r.promptIds,
        max_tokens: r.maxTokens,
        temperature: 0,
        ignore_eos: true,
      });
    });
    let k = 0;
    // The autocannon pass replays the whole workload, so only when the streaming pass fit its box.
    const ac = boxed
      ? null
      : await autocannon({
          url,
          connections: job.scenario.streams,
          amount: job.workload.requests.length,
          timeout: 600,
          requests: [
            {
              method: 'POST',
              path: '/v1/completions',
              headers: { 'content-type': 'application/json' },
              setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[k++ % bodies.length] }),
            },
          ],
        });
    return {
      records,
      wallMs,
      adapterLoadMs,
      stepMs,
      check: { tokens: probe.tokens, topLogprobs },
      configuration: `buildApp(config) + HTTP on 127.0.0.1 (streaming clients, then autocannon), server flags: ${argv.map((a, i) => (argv[i - 1]?.match(/^--(model|adapters|cache-dir|data-dir)$/) ? '<dir>' : a)).join(' ')}. One batch holds every stream; the adapters of different streams share each forward pass.`,
      notes: boxed ? ['autocannon pass skipped: the streaming pass hit the time box.'] : [],
      autocannon: ac
        ? {
            requests_s: ac.requests.average,
            latency_p50_ms: ac.latency.p50,
            latency_p99_ms: ac.latency.p99,
            non2xx: ac.non2xx,
            errors: ac.errors,
          }
        : undefined,
    };
  } finally {
    await app.close();
  }
}
