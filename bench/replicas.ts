// `npm run bench -- --replicas N`: N loraledger replicas (stories260K, M generated adapters) behind
// the shipped deploy/haproxy/haproxy.cfg (its server lines replaced by N), measuring
//   - the proxy's overhead: one-token requests alternating direct-to-replica and through HAProxy
//     (same replica, same run), median latency of each;
//   - adapter cache hit rates under Zipf(alpha) popularity, with the shipped adapter-affinity
//     hashing and with round robin (the same config, `balance roundrobin`), from each replica's
//     loraledger_adapter_cache_lookups_total after a warm-up, beside an LRU simulation of the
//     host tier (an independent model: adapter -> replica by hash or in turn, an LRU per replica);
//   - aggregate throughput through the proxy (on a 2-core host it cannot grow with N: say so).
// Needs the haproxy binary (Debian's haproxy 2.6+). Figures and their host: docs/scaling.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../common/index.ts';
import { freePort } from '../attribution/index.ts';
import { generateAdapter } from '../factory/index.ts';
import { loadModelSpec } from '../kernels/model/index.ts';
import { ZipfSampler } from './zipf.ts';
import { percentile } from './stats.ts';
import { machineInfo } from './machineInfo.ts';
import { replicaProcess, type ReplicaProcess } from '../test/support/replicaProcess.ts';
import { parsePrometheusText } from '../test/support/eppMetrics.ts';

export interface ReplicaBenchOptions {
  replicas: number;
  adapters: number;
  alpha: number;
  /** Per replica: --max-cached-adapters (host tier) and --max-active-adapters (slots). */
  cacheSize: number;
  slots: number;
  requests: number;
  concurrency: number;
  maxTokens: number;
  /** Direct/proxied pairs for the overhead figure. */
  overheadPairs: number;
  repoRoot: string;
}

const MODEL_DIR = (root: string) => join(root, '../shared/models/stories260K');

/** The shipped config with N server lines, and for round robin its hashing replaced. */
export function proxyConfig(shipped: string, ports: number[], policy: 'affinity' | 'roundrobin'): string {
  const lines = shipped.split('\n').filter((l) => !/^\s*server r\d+ /.test(l));
  const at = lines.findIndex((l) => /^\s*default-server /.test(l)) + 1;
  lines.splice(at, 0, ...ports.map((p, i) => `    server r${i + 1} 127.0.0.1:${p} check`));
  let text = lines.join('\n');
  if (policy === 'roundrobin')
    text = text
      .replace(/^\s*balance hash .*$/m, '    balance roundrobin')
      .replace(/^\s*hash-type .*\n/m, '')
      .replace(/^\s*hash-balance-factor .*\n/m, '');
  return text;
}

/** Host-tier LRU hit rate of a Zipf stream routed by `route` (the independent model). */
export function simulateHostHits(o: {
  adapters: number;
  alpha: number;
  replicas: number;
  cacheSize: number;
  requests: number;
  warmup: number;
  route: (adapter: number, i: number) => number;
  seed?: number;
}): number {
  const zipf = new ZipfSampler(o.adapters, o.alpha, new Prng(o.seed ?? 7));
  const lru = Array.from({ length: o.replicas }, () => new Map<number, true>());
  let hits = 0;
  let counted = 0;
  for (let i = 0; i < o.requests; i++) {
    const a = zipf.next();
    const cache = lru[o.route(a, i)]!;
    const hit = cache.delete(a);
    cache.set(a, true);
    if (cache.size > o.cacheSize) cache.delete(cache.keys().next().value!);
    if (i >= o.warmup) {
      counted++;
      if (hit) hits++;
    }
  }
  return hits / counted;
}

async function cacheCounters(urls: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const url of urls) {
    const f = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    for (const s of f.get('loraledger_adapter_cache_lookups_total') ?? []) {
      const key = `${s.labels.tier}_${s.labels.outcome}`;
      out[key] = (out[key] ?? 0) + s.value;
    }
  }
  return out;
}

async function complete(url: string, model: string, promptIds: number[], maxTokens: number) {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: promptIds, max_tokens: maxTokens, ignore_eos: true, temperature: 0, model }),
  });
  const body = (await res.json()) as { usage?: { completion_tokens: number } };
  if (res.status !== 200) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return {
    ms: performance.now() - t0,
    replica: res.headers.get('x-loraledger-replica')!,
    tokens: body.usage!.completion_tokens,
  };
}

async function startProxy(cfgPath: string, bind: number, stats: number): Promise<ChildProcess> {
  const p = spawn('haproxy', ['-db', '-f', cfgPath], {
    env: { ...process.env, LL_BIND: `127.0.0.1:${bind}`, LL_STATS: `127.0.0.1:${stats}` },
    stdio: 'ignore',
  });
  for (let i = 0; i < 300; i++) {
    const csv = await fetch(`http://127.0.0.1:${stats}/stats;csv`).then(
      (r) => r.text(),
      () => '',
    );
    const up = csv.split('\n').filter((l) => /^replicas,r\d+,/.test(l) && l.split(',')[17] === 'UP').length;
    if (up > 0 && !csv.split('\n').some((l) => /^replicas,r\d+,/.test(l) && l.split(',')[17] !== 'UP')) return p;
    await new Promise((r) => setTimeout(r, 100));
  }
  p.kill();
  throw new Error('haproxy did not mark every replica UP');
}

export async function runReplicaBench(o: ReplicaBenchOptions): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(join(tmpdir(), 'loraledger-bench-replicas-'));
  const replicas: ReplicaProcess[] = [];
  let proxy: ChildProcess | null = null;
  try {
    const spec = await loadModelSpec(MODEL_DIR(o.repoRoot));
    const ids = Array.from({ length: o.adapters }, (_, i) => `a${String(i).padStart(4, '0')}`);
    for (const [i, id] of ids.entries())
      await generateAdapter({
        dir: join(tmp, 'adapters', id),
        spec,
        seed: 1000 + i,
        rank: 8,
        targets: ['q_proj', 'v_proj'],
      });
    const ports = await Promise.all(Array.from({ length: o.replicas + 2 }, () => freePort()));
    for (let i = 0; i < o.replicas; i++) {
      const args = [
        ...['--model', MODEL_DIR(o.repoRoot), '--adapters', join(tmp, 'adapters'), '--replica-id', `r${i + 1}`],
        ...['--data-dir', join(tmp, `r${i + 1}`), '--cache-dir', join(tmp, 'cache'), '--chain', 'off'],
        ...['--max-cached-adapters', String(o.cacheSize), '--max-active-adapters', String(o.slots)],
        ...['--threads', '1', '--log-level', 'info', '--max-model-len', '256'],
      ];
      replicas.push(replicaProcess(`r${i + 1}`, args, 300_000, ports[i]!));
    }
    await replicas[0]!.start(); // builds the graph cache the others then read
    await Promise.all(replicas.slice(1).map((r) => r.start()));
    const [bind, stats] = [ports[o.replicas]!, ports[o.replicas + 1]!];
    const shipped = readFileSync(join(o.repoRoot, 'deploy/haproxy/haproxy.cfg'), 'utf8');
    const proxyUrl = `http://127.0.0.1:${bind}`;
    const rng = new Prng(11);
    const prompt = () => Array.from({ length: 8 }, () => 3 + rng.int(400));

    const policies: Record<string, unknown> = {};
    let overhead: Record<string, number> | null = null;
    for (const policy of ['affinity', 'roundrobin'] as const) {
      const cfg = join(tmp, `haproxy-${policy}.cfg`);
      writeFileSync(cfg, proxyConfig(shipped, ports.slice(0, o.replicas), policy));
      proxy = await startProxy(cfg, bind, stats);
      if (policy === 'affinity') {
        // overhead: the same adapter, direct to its home replica and through the proxy, alternating
        const home = (await complete(proxyUrl, ids[0]!, prompt(), 1)).replica;
        const direct = replicas.find((r) => r.id === home)!.url;
        const d: number[] = [];
        const p: number[] = [];
        for (let i = 0; i < o.overheadPairs; i++) {
          d.push((await complete(direct, ids[0]!, prompt(), 1)).ms);
          p.push((await complete(proxyUrl, ids[0]!, prompt(), 1)).ms);
        }
        overhead = { direct_p50_ms: percentile(d, 50), proxied_p50_ms: percentile(p, 50), pairs: o.overheadPairs };
        overhead.overhead_p50_ms = overhead.proxied_p50_ms! - overhead.direct_p50_ms!;
      }
      const zipf = new ZipfSampler(o.adapters, o.alpha, new Prng(7));
      const stream = Array.from({ length: o.requests }, () => zipf.next());
      const warmup = Math.floor(o.requests / 4);
      let before: Record<string, number> = {};
      const home = new Map<number, Map<string, number>>();
      let next = 0;
      let tokens = 0;
      let t0 = 0;
      const worker = async () => {
        while (next < stream.length) {
          const i = next++;
          if (i === warmup) {
            before = await cacheCounters(replicas.map((r) => r.url));
            t0 = performance.now();
          }
          const a = stream[i]!;
          const r = await complete(proxyUrl, ids[a]!, prompt(), o.maxTokens);
          const m = home.get(a) ?? new Map<string, number>();
          m.set(r.replica, (m.get(r.replica) ?? 0) + 1);
          home.set(a, m);
          if (i >= warmup) tokens += r.tokens;
        }
      };
      await Promise.all(Array.from({ length: o.concurrency }, worker));
      const seconds = (performance.now() - t0) / 1000;
      const after = await cacheCounters(replicas.map((r) => r.url));
      const rate = (tier: string) => {
        const hit = (after[`${tier}_hit`] ?? 0) - (before[`${tier}_hit`] ?? 0);
        const miss = (after[`${tier}_miss`] ?? 0) - (before[`${tier}_miss`] ?? 0);
        return hit + miss > 0 ? hit / (hit + miss) : null;
      };
      let onHome = 0;
      let total = 0;
      for (const m of home.values()) {
        onHome += Math.max(...m.values());
        total += [...m.values()].reduce((x, y) => x + y, 0);
      }
      const byHash = new Map(
        ids.map((_, a) => [a, [...(home.get(a)?.entries() ?? [])].sort((x, y) => y[1] - x[1])[0]?.[0]]),
      );
      const replicaIndex = (id: string | undefined) => (id ? Number(id.slice(1)) - 1 : 0);
      const counted = o.requests - warmup;
      const hostMisses = (after.host_miss ?? 0) - (before.host_miss ?? 0);
      policies[policy] = {
        requests_counted: counted,
        // loads from disk per request: comparable with 1 - simulated_host_hit_rate (the LRU model has no slots)
        host_misses_per_request: hostMisses / counted,
        simulated_host_miss_rate: 0,
        // host lookups happen only when the adapter is in no slot: this rate is conditional on a slot miss
        host_hit_rate: rate('host'),
        slot_hit_rate: rate('slot'),
        requests_on_home_replica: onHome / total,
        throughput_tok_s: tokens / seconds,
        simulated_host_hit_rate: 0,
      };
      const sim = simulateHostHits({
        adapters: o.adapters,
        alpha: o.alpha,
        replicas: o.replicas,
        cacheSize: o.cacheSize,
        requests: o.requests,
        warmup,
        route: policy === 'affinity' ? (a) => replicaIndex(byHash.get(a)) : (_a, i) => i % o.replicas,
      });
      Object.assign(policies[policy] as object, { simulated_host_hit_rate: sim, simulated_host_miss_rate: 1 - sim });
      proxy.kill('SIGTERM');
      proxy = null;
    }
    const machine = await machineInfo(o.repoRoot);
    return { options: { ...o, repoRoot: undefined }, machine, overhead, policies };
  } finally {
    proxy?.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}
