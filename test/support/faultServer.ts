// A listening server on stories260K with seeded PEFT adapters, built for fault tests (issue 19):
// the real worker engine with fault injection enabled (BuildOptions.faultInjection, tests only),
// plus small helpers to read an SSE stream frame by frame and to wait for /health.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted, loadConfig, type BuildOptions } from '../../server/index.ts';
import { generateAdapter } from '../../factory/index.ts';
import { loadModelSpec } from '../../kernels/model/index.ts';

export const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;

export interface FaultServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  base: string;
  tmp: string;
  /** The adapters root (one folder per adapter id). */
  adapters: string;
  close(): Promise<void>;
}

export interface FaultServerOptions {
  /** Names the temporary folder. */
  name: string;
  /** Rank-4 adapters to generate (seeded), by id. */
  adapters: string[];
  /** Extra CLI flags, appended. */
  args?: string[];
  build?: BuildOptions;
  /** --data-dir; default <tmp>/data. */
  dataDir?: string;
}

/** stories260K with the adapters, chain off, one thread, silent, fault injection on. */
export async function startFaultServer(opts: FaultServerOptions): Promise<FaultServer> {
  const { name, adapters: ids, args: extraArgs = [], build = {} } = opts;
  const tmp = mkdtempSync(join(tmpdir(), `loraledger-${name}-`));
  const adapters = join(tmp, 'adapters');
  mkdirSync(adapters);
  const spec = await loadModelSpec(STORIES);
  for (const [i, id] of ids.entries())
    await generateAdapter({ dir: join(adapters, id), spec, seed: 40 + i, rank: 4, bStd: 0.4, description: id });
  const config = loadConfig({
    argv: [
      ...['--model', STORIES, '--adapters', adapters, '--cache-dir', join(tmp, 'cache')],
      ...['--data-dir', opts.dataDir ?? join(tmp, 'data'), '--chain', 'off', '--threads', '1', '--log-level', 'silent'],
      ...['--max-batch-size', '8', '--max-lora-rank', '8', ...extraArgs],
    ],
    env: {},
  });
  const app = await buildApp(config, { logger: false, faultInjection: true, ...build });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await engineStarted(app);
  assert.equal(app.loraledger.engine.state, 'ready', app.loraledger.engine.failure?.message);
  return {
    app,
    base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    tmp,
    adapters,
    close: async () => {
      await app.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON; returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, any>; headers: Headers }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : {}, headers: r.headers };
}

/** An open SSE response read frame by frame (`data: ...` payloads, `[DONE]` included). */
export class SseReader {
  private buf = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
  }

  /** The next frame's payload, or null at the end of the body. */
  async next(): Promise<string | null> {
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end >= 0) {
        const frame = this.buf.slice(0, end);
        this.buf = this.buf.slice(end + 2);
        if (frame.startsWith('data: ')) return frame.slice(6);
        continue;
      }
      const { done, value } = await this.reader.read();
      if (done) return null;
      this.buf += this.decoder.decode(value, { stream: true });
    }
  }

  /** Every remaining frame. */
  async rest(): Promise<string[]> {
    const out: string[] = [];
    for (let f = await this.next(); f !== null; f = await this.next()) out.push(f);
    return out;
  }
}

/** Opens a streaming completion and returns its reader (the status is checked by the caller). */
export async function openStream(base: string, body: Record<string, unknown>): Promise<SseReader> {
  const r = await fetch(`${base}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  return new SseReader(r);
}

/** Polls GET /health until its status is `want` (default 'ok'); returns the milliseconds waited. */
export async function waitForHealth(base: string, want = 'ok', timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const h = (await (await fetch(`${base}/health`)).json()) as { status: string };
    if (h.status === want) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`/health stayed ${h.status}, not ${want}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
