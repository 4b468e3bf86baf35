// Starts and stops a local anvil (the OP-stack flavoured dev L2) from @foundry-rs/anvil.
//
//   start: pick a free port, spawn `anvil --optimism --silent --port P --chain-id C` under a tiny
//          /bin/sh watchdog, poll eth_chainId until it answers (or it exits / the deadline passes)
//   stop:  close the watchdog's stdin (it kills anvil), then SIGKILL after a grace period
// The watchdog holds a pipe from this process: when this process dies, even by kill -9, the
// pipe closes and anvil is killed, so no orphaned chains are left behind.
//
// anvil's well-known dev accounts come from the default mnemonic; DEV_KEYS[0] is funded with
// 10,000 ETH and is the local default deployer/poster. These keys are public: dev chains only.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { AttributionError } from '../../common/index.ts';
import type { Hex } from '../records/recordTypes.ts';

/** anvil's default-mnemonic dev keys #0..#9 (public, funded on every fresh anvil). */
export const ANVIL_DEV_KEYS: readonly Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
];

export interface AnvilOptions {
  /** Chain id, default 31337. */
  chainId?: number;
  /** Port, default: a free one picked at start. */
  port?: number;
  /** Milliseconds to wait for the RPC to answer, default 15000. */
  startTimeoutMs?: number;
}

export interface AnvilNode {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly pid: number;
  /** Stops the process (idempotent). */
  stop(): Promise<void>;
}

/** Absolute path of the anvil binary shipped in @foundry-rs/anvil-<platform>-<arch>. */
export function anvilBinaryPath(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch (cause) {
    throw new AttributionError('chain_unavailable', `anvil binary package ${pkg} is not installed`, { cause });
  }
  const bin = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(bin)) throw new AttributionError('chain_unavailable', `anvil binary missing at ${bin}`);
  return bin;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Starts anvil; with no fixed port, retries twice on a fresh port if the picked one was taken meanwhile. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilNode> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(opts, opts.port ?? (await freePort()));
    } catch (err) {
      if (opts.port !== undefined || attempt >= 2) throw err;
    }
  }
}

async function startOnce(opts: AnvilOptions, port: number): Promise<AnvilNode> {
  const chainId = opts.chainId ?? 31337;
  const args = ['--optimism', '--silent', '--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId)];
  // $0 = anvil binary, $@ = its args. sh exits when anvil exits; the subshell kills anvil at stdin EOF.
  // (Background jobs get /dev/null as stdin, so the pipe is kept on fd 3 and read explicitly.)
  const watchdog = 'exec 3<&0; "$0" "$@" </dev/null & pid=$!; (read _ <&3; kill $pid 2>/dev/null) & wait $pid';
  const child = spawn('/bin/sh', ['-c', watchdog, anvilBinaryPath(), ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.stdin?.on('error', () => undefined); // EPIPE when the watchdog is already gone
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  let stopped: Promise<void> | null = null;
  const node: AnvilNode = {
    rpcUrl,
    chainId,
    pid: child.pid ?? -1,
    stop() {
      stopped ??= (async () => {
        child.stdin?.end();
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (!(await waitExit(child, 3000))) {
          child.kill('SIGKILL');
          await waitExit(child, 3000);
        }
      })();
      return stopped;
    },
  };
  for (;;) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    const err = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 0))]);
    if (err !== null || exited) {
      child.stdin?.end(); // releases the watchdog's subshell
      throw new AttributionError(
        'chain_unavailable',
        `anvil did not start on port ${port}: ${err?.message ?? stderr.trim() ?? 'exited'}`,
      );
    }
    if (await rpcAnswers(rpcUrl)) return node;
    if (Date.now() > deadline) {
      await node.stop();
      throw new AttributionError('chain_unavailable', `anvil did not answer on ${rpcUrl} within the start timeout`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
