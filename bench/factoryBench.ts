// ModelFactory's two serving-side figures, on a real server (buildApp, one process):
//   1. time from POST /v1/fine_tuning/jobs to the first completion served by the new adapter, for a
//      DataNet of N examples (phases: validating + queued, training, deploy + first answer);
//   2. serving throughput (closed-loop streamed completions) idle, then while a job trains.
//
//   npm run bench:factory -- [--model stories260K|embedded|DIR] [--examples 200] [--epochs 2]
//                            [--streams 4] [--seconds 20] [--training-threads 1]
// Prints a JSON report (host, commit, figures). Same machine, one run: the ratio is what counts.
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp, engineStarted, loadConfig } from '../server/index.ts';
import { runClosedLoop, streamCompletion } from './httpLoad.ts';
import { STORIES260K_DIR } from './assets.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'stories260K' },
    examples: { type: 'string', default: '200' },
    epochs: { type: 'string', default: '2' },
    streams: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    'training-threads': { type: 'string', default: '1' },
  },
});
const N = Number(values.examples);
const KEY = 'bench-factory-key';
const tmp = mkdtempSync(join(tmpdir(), 'bench-factory-'));
const modelArgs =
  values.model === 'embedded' ? [] : ['--model', values.model === 'stories260K' ? STORIES260K_DIR : values.model!];
const app = await buildApp(
  loadConfig({
    argv: [
      ...modelArgs,
      ...['--cache-dir', join(tmp, 'cache'), '--data-dir', join(tmp, 'data'), '--admin-key', KEY],
      ...['--chain', 'off', '--log-level', 'warn', '--training-threads', values['training-threads']!],
    ],
    env: {},
  }),
);
await app.listen({ port: 0, host: '127.0.0.1' });
await engineStarted(app);
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const baseModel = app.loraledger.baseModelId;
const bracketTokens = values.model === 'stories260K'; // stories260K's tokenizer spells token i as [i]

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers:
      body === undefined
        ? { authorization: `Bearer ${KEY}` }
        : { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** A DataNet of N prompt/completion documents from 20 contributors. */
async function makeDatanet(id: string): Promise<void> {
  await api('POST', '/v1/datanets', { id, title: 'bench' });
  for (let i = 0; i < N; i++) {
    const [prompt, completion] = bracketTokens
      ? [`[${40 + (i % 300)}] [${100 + ((i * 7) % 300)}]`, '[411] [300] [389]']
      : [`Question ${i}: what does a rash on the arm ${i % 17} mean?`, ' It is most often a mild skin irritation.'];
    const contributor = `0x${(i % 20).toString(16).padStart(40, '0')}`;
    await api('POST', `/v1/datanets/${id}/documents`, {
      text: `${prompt}${completion}`,
      contributor,
      metadata: { prompt, completion },
    });
  }
}

/** Polls a job until its status is one of `until` (a failed or cancelled job throws unless asked for). */
async function poll(
  id: string,
  until: string[],
  onStatus: (status: string) => void = () => {},
): Promise<Record<string, unknown>> {
  for (;;) {
    const job = await api('GET', `/v1/fine_tuning/jobs/${id}`);
    onStatus(job.status as string);
    if (until.includes(job.status as string)) return job;
    if (job.status === 'failed' || job.status === 'cancelled')
      throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job.error)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobBody = (datanet: string, epochs: number, batchSize = 8) => ({
  model: baseModel,
  training_data: { datanets: [datanet] },
  method: {
    type: 'supervised',
    supervised: { hyperparameters: { n_epochs: epochs, batch_size: batchSize, lora_r: 8 } },
  },
});

/** Streamed completions from `streams` closed-loop clients for `seconds`: generated tokens per second. */
async function servingThroughput(seconds: number): Promise<number> {
  const prompt = [1, 45, 210, 33];
  const requests = Array.from({ length: 100_000 }, () => ({
    model: baseModel,
    adapterId: null,
    promptIds: prompt,
    maxTokens: 32,
  }));
  const { records, wallMs } = await runClosedLoop(
    requests,
    Number(values.streams),
    (r, _i, signal) => streamCompletion(base, r, {}, signal),
    seconds,
  );
  return records.reduce((n, r) => n + r.tokens.length, 0) / (wallMs / 1000);
}

try {
  await makeDatanet('bench-data');
  // 1. time from job to served adapter
  const t0 = performance.now();
  const created = await api('POST', '/v1/fine_tuning/jobs', jobBody('bench-data', Number(values.epochs)));
  let runningAt: number | null = null;
  const done = await poll(created.id as string, ['succeeded'], (status) => {
    if (status === 'running') runningAt ??= performance.now();
  });
  const trainedAt = performance.now();
  await api('POST', '/v1/completions', {
    model: done.fine_tuned_model,
    prompt: bracketTokens ? '[45] [210]' : 'Question',
    max_tokens: 4,
  });
  const servedAt = performance.now();
  // 2. serving idle vs while a (longer) job trains
  const idle = await servingThroughput(Number(values.seconds));
  const long = await api('POST', '/v1/fine_tuning/jobs', jobBody('bench-data', 50, 1));
  await poll(long.id as string, ['running']);
  const during = await servingThroughput(Number(values.seconds));
  const longStatus = (await api('GET', `/v1/fine_tuning/jobs/${long.id}`)).status;
  const events = (await api('GET', `/v1/fine_tuning/jobs/${long.id}/events?limit=100`)).data as Array<{
    data: { tokens_per_second?: number } | null;
  }>;
  const trainingTps = events.map((e) => e.data?.tokens_per_second).filter((x): x is number => typeof x === 'number');
  if (longStatus === 'running') await api('POST', `/v1/fine_tuning/jobs/${long.id}/cancel`);
  const report = {
    host: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    commit: execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim(),
    model: baseModel,
    examples: N,
    epochs: Number(values.epochs),
    trainingThreads: Number(values['training-threads']),
    jobToServedSeconds: +((servedAt - t0) / 1000).toFixed(2),
    phasesSeconds: {
      validatingAndQueued: +(((runningAt ?? t0) - t0) / 1000).toFixed(2),
      training: +((trainedAt - (runningAt ?? t0)) / 1000).toFixed(2),
      firstAnswer: +((servedAt - trainedAt) / 1000).toFixed(2),
    },
    trainedTokens: done.trained_tokens,
    jobStillRunningAfterMeasurement: longStatus === 'running',
    servingTokensPerSecond: {
      idle: +idle.toFixed(1),
      duringJob: +during.toFixed(1),
      ratio: +(during / idle).toFixed(3),
    },
    trainingTokensPerSecondWhileServing: trainingTps.length
      ? +(trainingTps.reduce((a, b) => a + b, 0) / trainingTps.length).toFixed(1)
      : null,
  };
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
} finally {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
}
