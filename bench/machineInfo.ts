// Facts about the machine a report was measured on: CPU model, cores, memory, measured memory
// bandwidth, Node version and the git commit (with a dirty flag).
import { cpus, totalmem, arch, platform } from 'node:os';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  /** Measured at start: best of a few passes of a 256 MB read (sum) and a copy, GB/s (1e9 B/s). */
  bandwidthGBs: { read: number; copy: number; copyParallel?: number };
  node: string;
  platform: string;
  commit: string;
  dirty: boolean;
  startedAt: string;
}

/**
 * Single-thread JS streaming bandwidth: sums a 256 MB Float64Array (read) and copies one half into
 * the other (copyWithin: 2 bytes moved per byte copied). A lower bound on what native code gets, but
 * the number the roofline uses is stated with it.
 */
export function measureBandwidth(bytes = 256 << 20, passes = 5): { read: number; copy: number } {
  const a = new Float64Array(bytes / 8); // [bytes/8]
  for (let i = 0; i < a.length; i += 512) a[i] = i;
  let bestRead = 0;
  let bestCopy = 0;
  let sink = 0;
  for (let p = 0; p < passes; p++) {
    let t = performance.now();
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let i = 0; i < a.length; i += 4) {
      s0 += a[i]!;
      s1 += a[i + 1]!;
      s2 += a[i + 2]!;
      s3 += a[i + 3]!;
    }
    sink += s0 + s1 + s2 + s3;
    bestRead = Math.max(bestRead, bytes / ((performance.now() - t) / 1000) / 1e9);
    t = performance.now();
    a.copyWithin(0, a.length / 2);
    bestCopy = Math.max(bestCopy, bytes / ((performance.now() - t) / 1000) / 1e9); // read half + write half
  }
  if (sink === Number.MIN_VALUE) console.error(sink); // keeps the sum alive
  return { read: bestRead, copy: bestCopy };
}

/**
 * The same copy loop in `workers` threads at once (one buffer each); aggregate GB/s = total bytes
 * moved / slowest thread's time. Closer to what multi-threaded native kernels can stream.
 */
export async function measureBandwidthParallel(workers: number, bytes = 128 << 20, passes = 4): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const a = new Float64Array(workerData.bytes / 8);
    for (let i = 0; i < a.length; i += 512) a[i] = i;
    let best = Infinity;
    for (let p = 0; p < workerData.passes; p++) {
      const t = performance.now();
      a.copyWithin(0, a.length / 2);
      best = Math.min(best, performance.now() - t);
    }
    parentPort.postMessage(best);`;
  const times = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { bytes, passes } });
          w.once('message', (ms: number) => {
            resolve(ms);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return (workers * bytes) / (Math.max(...times) / 1000) / 1e9;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(repoRoot: string): Promise<MachineInfo> {
  const bandwidth = { ...measureBandwidth(), copyParallel: await measureBandwidthParallel(Math.max(1, cpus().length)) };
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryBytes: totalmem(),
    bandwidthGBs: bandwidth,
    node: process.version,
    platform: `${platform()}-${arch()}`,
    commit: git(['rev-parse', 'HEAD'], repoRoot),
    dirty: git(['status', '--porcelain', '--untracked-files=no'], repoRoot) !== '',
    startedAt: new Date().toISOString(),
  };
}
