// npm run bench:slow-clients [-- --sockets 1000 --seconds 40 --baseline 15]: do slow sockets
// starve real clients? The server runs as its own process (the CLI on the embedded default's quick
// profile, default timeouts); this process is the clients.
//
//   phase 1 (baseline): one real client sends completions back to back for --baseline seconds
//   phase 2: --sockets slow sockets open (a quarter each: silent; headers dripped 1 byte/s; a body
//            announced and dripped 1 byte/s; an SSE stream never read), and the same real client
//            runs for --seconds
//   reports: real-client latency p50/p99 and errors per phase (ratio phase 2 / phase 1, measured
//            in the same run), how many slow sockets the server closed and after how long, and the
//            server's own count of the sockets its watchdog cut off (its "slow clients cut off" log lines).
//
// A silent socket reads (and drops) what the server sends, though it sends nothing: Node's
// headersTimeout closes it with a 408 response, and a socket that never reads never sees a close
// that comes after data (it sits in CLOSE-WAIT with the bytes unread). Before it read, up to 75 of
// 250 silent sockets looked open that the server had closed (docs/reliability.md#slow-clients).
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replicaProcess } from '../test/support/replicaProcess.ts';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '40' },
    baseline: { type: 'string', default: '15' },
  },
});
const SOCKETS = Number(values.sockets);
const SECONDS = Number(values.seconds);
const BASELINE = Number(values.baseline);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function realClient(url: string, model: string, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, prompt: 'Once upon a time', max_tokens: 8 }),
        signal: AbortSignal.timeout(30_000),
      });
      await res.text();
      if (res.status !== 200) errors++;
      else latencies.push(performance.now() - t0);
    } catch {
      errors++;
    }
  }
  return { requests: latencies.length + errors, errors, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

type Kind = 'silent' | 'header-drip' | 'body-drip' | 'sse-unread';
interface Slow {
  kind: Kind;
  socket: Socket;
  openedAt: number;
  /** When the TCP handshake completed, ms after openedAt (null: never, e.g. the listen backlog dropped the SYN). */
  connectedAfterMs: number | null;
  closedAfterMs: number | null;
  /** The server answered before closing (a 408 from Node's header or request timeout). */
  answered: boolean;
}

function openSlow(port: number, kind: Kind, model: string): Slow {
  const socket = connect(port, '127.0.0.1');
  const s: Slow = { kind, socket, openedAt: Date.now(), connectedAfterMs: null, closedAfterMs: null, answered: false };
  socket.on('error', () => {});
  socket.on('close', () => (s.closedAfterMs = Date.now() - s.openedAt));
  const body = JSON.stringify({ model, prompt: 'Once upon a time', max_tokens: 100000, stream: true });
  const drip = (text: string) => {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= text.length) return clearInterval(timer);
      socket.write(text[i++]!);
    }, 1000);
    timer.unref();
  };
  socket.once('connect', () => {
    s.connectedAfterMs = Date.now() - s.openedAt;
    if (kind !== 'sse-unread') socket.on('data', () => (s.answered = true)); // reads, so it sees the close
    if (kind === 'header-drip') drip(`POST /v1/completions HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(200)}\r\n\r\n`);
    if (kind === 'body-drip') {
      socket.write(
        `POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      drip(body);
    }
    if (kind === 'sse-unread') {
      socket.write(
        `POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      socket.pause(); // never reads
      // a paused socket never sees the server's FIN: poll for the server's RST via write errors
      const probe = setInterval(() => {
        if (socket.destroyed) return clearInterval(probe);
        socket.write('', (err) => err && socket.destroy());
      }, 500);
      probe.unref();
    }
  });
  return s;
}

const dir = mkdtempSync(join(tmpdir(), 'loraledger-slow-'));
const server = replicaProcess('slow', [
  ...['--cache-dir', join(dir, 'cache'), '--data-dir', join(dir, 'data'), '--embedded-profile', 'quick'],
  ...['--chain', 'off', '--threads', '1', '--log-level', 'info'],
]);
try {
  await server.start();
  const port = Number(new URL(server.url).port);
  const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
  const model = models.data[0]!.id;
  await realClient(server.url, model, 2); // warm-up
  const baseline = await realClient(server.url, model, BASELINE);
  const kinds: Kind[] = ['silent', 'header-drip', 'body-drip', 'sse-unread'];
  const slow: Slow[] = [];
  for (let i = 0; i < SOCKETS; i++) slow.push(openSlow(port, kinds[i % kinds.length]!, model));
  const loaded = await realClient(server.url, model, SECONDS);
  const byKind = Object.fromEntries(
    kinds.map((k) => {
      const mine = slow.filter((s) => s.kind === k);
      const closed = mine.filter((s) => s.closedAfterMs !== null).map((s) => s.closedAfterMs!);
      const open = mine.filter((s) => s.closedAfterMs === null);
      return [
        k,
        {
          opened: mine.length,
          connectedAfterMsMax: Math.max(0, ...mine.map((s) => s.connectedAfterMs ?? 0)),
          closedByServer: closed.length,
          stillOpen: open.length,
          stillOpenNeverConnected: open.filter((s) => s.connectedAfterMs === null).length,
          answeredBeforeClose: mine.filter((s) => s.answered).length,
          closedAfterMsP50: quantile(closed, 0.5),
          closedAfterMsMax: closed.length ? Math.max(...closed) : null,
        },
      ];
    }),
  );
  for (const s of slow) s.socket.destroy();
  const health = await fetch(`${server.url}/health`);
  // the server's own count: its watchdog logs each sweep that cut sockets off (installSecurity.ts)
  const watchdog = { silent: 0, stalled: 0 };
  for (const line of server.log.split('\n')) {
    if (!line.includes('"slow clients cut off"')) continue;
    try {
      const j = JSON.parse(line) as { silent: number; stalled: number };
      watchdog.silent += j.silent;
      watchdog.stalled += j.stalled;
    } catch {
      /* a line cut at the end of the log */
    }
  }
  const report = {
    sockets: SOCKETS,
    baseline,
    withSlowSockets: loaded,
    p50Ratio: +(loaded.p50 / baseline.p50).toFixed(2),
    p99Ratio: +(loaded.p99 / baseline.p99).toFixed(2),
    slowSockets: byKind,
    serverWatchdogCutOff: watchdog,
    healthAfter: health.status,
  };
  console.log(JSON.stringify(report, null, 1));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
