// One loraledger replica as its own process (`node --import tsx server/cli.ts`), as an operator
// runs several behind a proxy: start() spawns it and waits for /health, kill() sends SIGKILL,
// stop() SIGTERM; start() again restarts it on the same data dir (a new port).
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface ReplicaProcess {
  readonly id: string;
  /** `http://127.0.0.1:<port>` of the running process (changes on restart). */
  url: string;
  /** False between kill()/stop() and the next start() resolving. */
  up: boolean;
  /** stdout + stderr of every run (for failure messages). */
  log: string;
  /** How the last run ended: its exit code, or the signal that killed it (null while it runs). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  start(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** `args` are the server flags (--port `port` is added, default 0 = any); `timeoutMs` bounds each start (default 120 s). */
export function replicaProcess(id: string, args: string[], timeoutMs = 120_000, port = 0): ReplicaProcess {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const r: ReplicaProcess = {
    id,
    url: '',
    up: false,
    log: '',
    exit: null,
    async start() {
      const c = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args, '--port', String(port)], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      r.exit = null;
      exited = new Promise((resolve) =>
        c.once('exit', (code, signal) => {
          r.exit = { code, signal };
          resolve();
        }),
      );
      const listening = new Promise<string>((resolve, reject) => {
        const onData = (d: Buffer) => {
          r.log += String(d);
          const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(r.log.slice(-4000));
          if (m) resolve(m[1]!);
        };
        c.stdout!.on('data', onData);
        c.stderr!.on('data', (d: Buffer) => (r.log += String(d)));
        c.once('exit', (code) =>
          reject(new Error(`replica ${id} exited ${code} before listening:\n${r.log.slice(-3000)}`)),
        );
      });
      const deadline = Date.now() + timeoutMs;
      const timer = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`replica ${id} did not listen in ${timeoutMs} ms`)), timeoutMs).unref(),
      );
      r.log += `--- start ${new Date().toISOString()}\n`;
      const url = await Promise.race([listening, timer]);
      let health = '(no answer)';
      while (Date.now() < deadline) {
        const ok = await fetch(`${url}/health`).then(
          async (res) => ((health = `${res.status} ${await res.text()}`), res.status === 200),
          () => false,
        );
        if (ok) {
          r.url = url;
          r.up = true;
          return;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      // the warnings and errors it logged say why (request lines would only repeat the polling)
      const problems = r.log.split('\n').filter((l) => !l.startsWith('{"level":30') && l.trim() !== '');
      throw new Error(
        `replica ${id} never became healthy in ${timeoutMs} ms; last /health: ${health}\n${problems.slice(-40).join('\n')}`,
      );
    },
    async kill() {
      r.up = false;
      child?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      r.up = false;
      child?.kill('SIGTERM');
      await exited;
    },
  };
  return r;
}
