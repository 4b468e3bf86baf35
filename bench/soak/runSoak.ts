// The soak (issue 19): a loraledger server in a child process (the CLI, as `npm start` runs it, on
// the embedded default, with a local anvil so that records settle) and `clients` concurrent
// streaming clients in this process for `seconds`, each looping over a seeded mix of requests:
//
//   adapter   model = one of the served adapters                 (stream)
//   auto      model = "auto" (the router picks)                    (stream)
//   rag       model = an adapter or auto, rag over a DataNet,
//             attribution "inline" or "async"                      (stream; its record id is kept)
//
// Every second it scrapes the server's /metrics (process RSS, the event loop's p99 delay since the
// last scrape: prom-client resets it per collect) and closes a sample of the requests that ended
// in that second (latency to [DONE], time to first token). At the end it waits for every
// acknowledged record (a 200 stream that ended with [DONE] and named a record id) to be settled
// (GET /v1/attribution/records/:id says "settled") and reports the verdicts the issue asks for.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Prng } from '../../common/index.ts';
import { percentile } from '../stats.ts';

export interface SoakOptions {
  /** Concurrent streaming clients. */
  clients: number;
  /** Seconds of load (warm-up included). */
  seconds: number;
  /** Seconds at the start whose RSS does not count toward growth; default 25% of `seconds`. */
  warmupSeconds?: number;
  /** Embedded default profile: 'full' (the server's default) or 'quick' (tests). */
  profile: 'full' | 'quick';
  /** Where the child server keeps its model build and data (the full build is reused when present). */
  cacheDir: string;
  dataDir: string;
  /** Where the server's log goes. */
  logFile: string;
  /** --max-batch-size and --max-queue of the server (capacity = both). */
  maxBatchSize: number;
  maxQueue: number;
  /** New tokens per request: drawn in [min, max]. */
  maxTokens: [number, number];
  seed: number;
  /** Seconds to wait for the last records to settle; default 120. */
  settleSeconds?: number;
  /** A request that receives no byte for this long is aborted and counted as hung; default 150 s. */
  idleSeconds?: number;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
  /** Extra Node flags for the server process (e.g. --cpu-prof), before its script. */
  serverNodeArgs?: string[];
}

export interface SoakSample {
  /** Seconds since load started. */
  t: number;
  rssMB: number;
  loopLagP99Ms: number;
  /** Requests that ended in this second and their latency (to [DONE]) p50 / p99, ms. */
  done: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ttftP50Ms: number;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'progress'>;
  samples: SoakSample[];
  requests: number;
  ok: number;
  /** HTTP status -> count, for every status other than 200. */
  statuses: Record<string, number>;
  /** Streams that started (200) and ended with an error event, by code. */
  streamErrors: Record<string, number>;
  /** Requests other than 200 that were answered 5xx, and 429s. */
  fiveXX: number;
  tooMany: number;
  byKind: Record<string, number>;
  records: { acknowledged: number; settled: number; missing: string[] };
  latencyMs: { p50: number; p99: number };
  ttftMs: { p50: number; p99: number };
  rss: { warmMB: number; endMB: number; growthPct: number };
  loopLagP99Ms: { p99OfSeconds: number; max: number };
  settleSecondsTaken: number;
  verdicts: Record<string, boolean>;
}

const PROMPTS = [
  'Write a short story about a cat who finds a key.',
  'List the users who signed up last week with a SQL query.',
  'Explain why the sky is blue.',
  'Tell me a poem about the sea.',
  'What is a good name for a small bakery?',
  'Summarise the rules of chess in two sentences.',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function getJson(url: string): Promise<any> {
  const r = await fetch(url);
  return r.json();
}

/** Starts the server CLI and waits until /health says ok (the first full build takes minutes). */
async function startServer(o: SoakOptions, port: number): Promise<ChildProcess> {
  mkdirSync(o.dataDir, { recursive: true });
  const args = [
    ...(o.serverNodeArgs ?? []),
    ...['--import', 'tsx', 'server/cli.ts', '--host', '127.0.0.1', '--port', String(port)],
    ...['--cache-dir', o.cacheDir, '--data-dir', o.dataDir, '--embedded-profile', o.profile],
    ...['--chain', 'anvil', '--epoch-seconds', '2', '--log-level', 'warn'],
    ...['--max-batch-size', String(o.maxBatchSize), '--max-queue', String(o.maxQueue)],
  ];
  const child = spawn(process.execPath, args, { cwd: new URL('../..', import.meta.url).pathname, stdio: 'pipe' });
  const log = createWriteStream(o.logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (code ${child.exitCode}); see ${o.logFile}`);
    try {
      const h = await getJson(`http://127.0.0.1:${port}/health`);
      if (h.status === 'ok') return child;
      if (h.status === 'failed') throw new Error(`the server failed to start: ${h.error}`);
    } catch (err) {
      if ((err as Error).message.startsWith('the server failed')) throw err;
    }
    if (Date.now() > deadline) throw new Error('the server did not become ready in 30 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(t);
}

interface Ended {
  at: number;
  latency: number;
  ttft: number;
}

const percentileOf = (xs: Ended[], field: 'latency' | 'ttft', p: number): number =>
  percentile(
    xs.map((e) => e[field]),
    p,
  );

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const say = o.progress ?? (() => {});
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  say(`starting the server (${o.profile} embedded default) on port ${port}`);
  const child = await startServer(o, port);
  try {
    const models = (await getJson(`${base}/v1/models`)).data as Array<{ id: string; parent?: string | null }>;
    const adapters = models.filter((m) => m.parent).map((m) => m.id);
    const datanets = ((await getJson(`${base}/v1/datanets`)).data as Array<{ id: string }>).map((d) => d.id);
    if (adapters.length === 0 || datanets.length === 0)
      throw new Error(`the embedded default serves ${adapters.length} adapters and ${datanets.length} DataNets`);
    say(`adapters: ${adapters.join(', ')}; DataNets: ${datanets.join(', ')}`);

    const statuses: Record<string, number> = {};
    const streamErrors: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    const records: string[] = [];
    const ended: Ended[] = [];
    let requests = 0;
    let ok = 0;
    const t0 = Date.now();
    const stopAt = t0 + o.seconds * 1000;

    const client = async (c: number): Promise<void> => {
      const rng = new Prng(o.seed * 1000 + c);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
      while (Date.now() < stopAt) {
        const r = rng.next();
        const kind = r < 0.4 ? 'adapter' : r < 0.6 ? 'auto' : 'rag';
        const body: Record<string, unknown> = {
          model: kind === 'adapter' ? pick(adapters) : kind === 'auto' ? 'auto' : pick([...adapters, 'auto']),
          messages: [{ role: 'user', content: pick(PROMPTS) }],
          max_tokens: o.maxTokens[0] + Math.floor(rng.next() * (o.maxTokens[1] - o.maxTokens[0] + 1)),
          temperature: 0.8,
          seed: Math.floor(rng.next() * 1e9),
          stream: true,
        };
        if (kind === 'rag') {
          body.rag = { datanets: [pick(datanets)], top_k: 2 };
          body.attribution = rng.next() < 0.5 ? 'inline' : 'async';
        }
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        requests++;
        const start = Date.now();
        let ttft = Number.NaN;
        // a request that receives nothing for idleSeconds is aborted and counted as hung
        const abort = new AbortController();
        let idle: NodeJS.Timeout | undefined;
        const touch = (): void => {
          clearTimeout(idle);
          idle = setTimeout(() => abort.abort(new Error('hung')), (o.idleSeconds ?? 150) * 1000);
        };
        touch();
        try {
          const res = await fetch(`${base}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: abort.signal,
          });
          if (res.status !== 200) {
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            await res.text();
            if (res.status === 429) await new Promise((r) => setTimeout(r, 100));
            continue;
          }
          let recordId: string | null = null;
          let error: string | null = null;
          let done = false;
          let buf = '';
          const decoder = new TextDecoder();
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            touch();
            if (Number.isNaN(ttft)) ttft = Date.now() - start;
            buf += decoder.decode(chunk, { stream: true });
            let i: number;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              const frame = buf.slice(0, i);
              buf = buf.slice(i + 2);
              if (!frame.startsWith('data: ')) continue;
              const data = frame.slice(6);
              if (data === '[DONE]') {
                done = true;
                continue;
              }
              const j = JSON.parse(data);
              if (j.error) error = j.error.code ?? 'unknown';
              if (j.attribution?.record_id) recordId = j.attribution.record_id;
            }
          }
          if (error) streamErrors[error] = (streamErrors[error] ?? 0) + 1;
          else if (done) {
            ok++;
            ended.push({ at: Date.now(), latency: Date.now() - start, ttft });
            if (kind === 'rag' && recordId) records.push(recordId);
          } else streamErrors.no_done = (streamErrors.no_done ?? 0) + 1;
        } catch (err) {
          const what = abort.signal.aborted
            ? `hung:${kind}${body.attribution ? `:${body.attribution}` : ''}`
            : `client:${(err as Error).message}`;
          streamErrors[what] = (streamErrors[what] ?? 0) + 1;
        } finally {
          clearTimeout(idle);
        }
      }
    };

    const samples: SoakSample[] = [];
    let sampled = 0;
    const sample = async (): Promise<void> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const num = (name: string): number => {
        const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
        return m ? Number(m[1]) : Number.NaN;
      };
      const now = Date.now();
      const fresh = ended.slice(sampled);
      sampled = ended.length;
      samples.push({
        t: (now - t0) / 1000,
        rssMB: num('loraledger_process_resident_memory_bytes') / 2 ** 20,
        loopLagP99Ms: num('loraledger_nodejs_eventloop_lag_p99_seconds') * 1000,
        done: fresh.length,
        latencyP50Ms: percentileOf(fresh, 'latency', 50),
        latencyP99Ms: percentileOf(fresh, 'latency', 99),
        ttftP50Ms: percentileOf(fresh, 'ttft', 50),
      });
      const s = samples.at(-1)!;
      if (samples.length % 10 === 0)
        say(
          `t=${s.t.toFixed(0)}s requests=${requests} ok=${ok} rss=${s.rssMB.toFixed(0)}MB lagP99=${s.loopLagP99Ms.toFixed(1)}ms p50=${s.latencyP50Ms}ms`,
        );
    };
    await sample(); // resets the loop-delay histogram before the load
    const timer = setInterval(() => void sample().catch(() => {}), 1000);
    say(`load: ${o.clients} clients for ${o.seconds} s`);
    await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
    clearInterval(timer);
    await sample();

    // every acknowledged record must be in the outbox and settled
    say(`waiting for ${records.length} records to settle`);
    const settleStart = Date.now();
    const settleBy = settleStart + (o.settleSeconds ?? 120) * 1000;
    let pending = [...new Set(records)];
    while (pending.length > 0 && Date.now() < settleBy) {
      const still: string[] = [];
      for (let i = 0; i < pending.length; i += 32) {
        const batch = pending.slice(i, i + 32);
        const views = await Promise.all(
          batch.map(async (id) => {
            const r = await fetch(`${base}/v1/attribution/records/${id}`);
            return r.status === 200 ? ((await r.json()) as { status: string }).status : 'missing';
          }),
        );
        batch.forEach((id, k) => views[k] !== 'settled' && still.push(id));
      }
      pending = still;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    const settleSecondsTaken = (Date.now() - settleStart) / 1000;

    const warm = o.warmupSeconds ?? o.seconds * 0.25;
    const after = samples.filter((s) => s.t >= warm && Number.isFinite(s.rssMB));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const head = after.slice(0, Math.max(1, Math.ceil(after.length * 0.1)));
    const tail = after.slice(-Math.max(1, Math.ceil(after.length * 0.1)));
    const warmMB = mean(head.map((s) => s.rssMB));
    const endMB = mean(tail.map((s) => s.rssMB));
    const lags = samples
      .slice(1)
      .map((s) => s.loopLagP99Ms)
      .filter(Number.isFinite);
    const fiveXX = Object.entries(statuses).reduce((n, [k, v]) => n + (Number(k) >= 500 ? v : 0), 0);
    const tooMany = statuses['429'] ?? 0;
    const result: SoakResult = {
      options: { ...o, progress: undefined } as Omit<SoakOptions, 'progress'>,
      samples,
      requests,
      ok,
      statuses,
      streamErrors,
      fiveXX,
      tooMany,
      byKind,
      records: {
        acknowledged: new Set(records).size,
        settled: new Set(records).size - pending.length,
        missing: pending,
      },
      latencyMs: { p50: percentileOf(ended, 'latency', 50), p99: percentileOf(ended, 'latency', 99) },
      ttftMs: { p50: percentileOf(ended, 'ttft', 50), p99: percentileOf(ended, 'ttft', 99) },
      rss: { warmMB, endMB, growthPct: ((endMB - warmMB) / warmMB) * 100 },
      loopLagP99Ms: { p99OfSeconds: percentile(lags, 99), max: Math.max(...lags) },
      settleSecondsTaken,
      verdicts: {},
    };
    const hung = Object.entries(streamErrors).reduce((n, [k, v]) => n + (k.startsWith('hung:') ? v : 0), 0);
    result.verdicts = {
      'no 5xx': fiveXX === 0 && Object.keys(streamErrors).every((k) => k.startsWith('hung:')),
      'no request hung': hung === 0,
      '429 only beyond the queue': tooMany === 0 || o.clients > o.maxBatchSize + o.maxQueue,
      'RSS growth after warm-up < 5%': result.rss.growthPct < 5,
      'event-loop lag p99 < 50 ms': result.loopLagP99Ms.p99OfSeconds < 50,
      'every acknowledged record settled': pending.length === 0 && records.length > 0,
    };
    return result;
  } finally {
    await stopServer(child);
  }
}
