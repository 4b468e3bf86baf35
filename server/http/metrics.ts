// Prometheus metrics on the app's own prom-client Registry (served at GET /metrics).
// Sources: the onResponse hook (request counts), runCompletion's ChoiceObserver (latencies,
// tokens, per-adapter traffic), engine.stats() at scrape time (running/waiting/batch) and
// EngineNotice (adapter cache hits/misses/evictions/load time, forward steps).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineNotice, EngineStats } from '../../kernels/index.ts';
import type { ChoiceObserver } from '../generation/runCompletion.ts';

const LATENCY = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384];

/** Keeps label cardinality bounded: the top-N adapters by requests keep their id, the rest are `other`. */
export class AdapterLabeler {
  private readonly counts = new Map<string, number>();
  private readonly named = new Set<string>();
  constructor(
    private readonly topN: number,
    private readonly onDrop: (label: string) => void = () => {},
  ) {}

  /** Counts one request for `id` and returns its label. */
  hit(id: string | null): string {
    const key = id ?? 'base';
    const c = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, c);
    if (this.named.has(key)) return key;
    if (this.named.size < this.topN) {
      this.named.add(key);
      return key;
    }
    let weakest: string | undefined;
    for (const n of this.named)
      if (weakest === undefined || this.counts.get(n)! < this.counts.get(weakest)!) weakest = n;
    if (weakest !== undefined && c > this.counts.get(weakest)!) {
      this.named.delete(weakest);
      this.onDrop(weakest);
      this.named.add(key);
      return key;
    }
    return 'other';
  }
  label(id: string | null): string {
    const key = id ?? 'base';
    return this.named.has(key) ? key : 'other';
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly reg = [this.registry];
  private statsSource: () => EngineStats | null = () => null;

  readonly requests = new Counter({
    name: 'loraledger_http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: this.reg,
  });
  readonly ttft = new Histogram({
    name: 'loraledger_time_to_first_token_seconds',
    help: 'Request start to first generated token.',
    buckets: LATENCY,
    registers: this.reg,
  });
  readonly itl = new Histogram({
    name: 'loraledger_inter_token_latency_seconds',
    help: 'Time between consecutive tokens of one choice.',
    buckets: LATENCY,
    registers: this.reg,
  });
  readonly e2e = new Histogram({
    name: 'loraledger_e2e_request_latency_seconds',
    help: 'Request start to last token of a choice.',
    buckets: LATENCY,
    registers: this.reg,
  });
  readonly promptTokens = new Histogram({
    name: 'loraledger_prompt_tokens',
    help: 'Prompt tokens per choice.',
    buckets: TOKENS,
    registers: this.reg,
  });
  readonly generationTokens = new Histogram({
    name: 'loraledger_generation_tokens',
    help: 'Generated tokens per choice.',
    buckets: TOKENS,
    registers: this.reg,
  });
  readonly finished = new Counter({
    name: 'loraledger_request_finished_total',
    help: 'Finished choices by finish reason.',
    labelNames: ['finish_reason'],
    registers: this.reg,
  });
  readonly adapterRequests = new Counter({
    name: 'loraledger_adapter_requests_total',
    help: 'Choices per adapter (top-N adapters by traffic, the rest "other"; "base" = no adapter).',
    labelNames: ['adapter'],
    registers: this.reg,
  });
  readonly adapterTokens = new Counter({
    name: 'loraledger_adapter_tokens_total',
    help: 'Tokens per adapter and kind (prompt | generation).',
    labelNames: ['adapter', 'kind'],
    registers: this.reg,
  });
  readonly cacheLookups = new Counter({
    name: 'loraledger_adapter_cache_lookups_total',
    help: 'Adapter cache lookups by tier (host | slot) and outcome (hit | miss).',
    labelNames: ['tier', 'outcome'],
    registers: this.reg,
  });
  readonly evictions = new Counter({
    name: 'loraledger_adapter_cache_evictions_total',
    help: 'Adapters evicted from a tier.',
    labelNames: ['tier'],
    registers: this.reg,
  });
  readonly loadSeconds = new Histogram({
    name: 'loraledger_adapter_load_seconds',
    help: 'Time to bring an adapter into a tier.',
    labelNames: ['tier'],
    buckets: LATENCY,
    registers: this.reg,
  });
  readonly adapterErrors = new Counter({
    name: 'loraledger_adapter_errors_total',
    help: 'Adapters that failed to load.',
    registers: this.reg,
  });
  readonly engineRestarts = new Counter({
    name: 'loraledger_engine_restarts_total',
    help: 'Engine worker restarts begun after the worker crashed or exited (retries of a failed restart count too).',
    registers: this.reg,
  });
  readonly stepSeconds = new Histogram({
    name: 'loraledger_engine_step_seconds',
    help: 'Duration of one engine forward step.',
    buckets: LATENCY,
    registers: this.reg,
  });
  readonly stepTokens = new Counter({
    name: 'loraledger_engine_step_tokens_total',
    help: 'Tokens processed by forward steps, by kind (prefill | decode).',
    labelNames: ['kind'],
    registers: this.reg,
  });
  readonly labeler: AdapterLabeler;

  constructor(opts: { topAdapters: number }) {
    this.labeler = new AdapterLabeler(opts.topAdapters, (label) => {
      this.adapterRequests.remove(label);
      this.adapterTokens.remove(label, 'prompt');
      this.adapterTokens.remove(label, 'generation');
    });
    const stat = (name: string, help: string, pick: (s: EngineStats) => number) => {
      const source = () => this.statsSource();
      new Gauge({
        name,
        help,
        registers: this.reg,
        collect() {
          const s = source();
          if (s) this.set(pick(s));
        },
      });
    };
    stat('loraledger_requests_running', 'Sequences in the running batch.', (s) => s.running);
    stat('loraledger_requests_waiting', 'Requests waiting for a batch slot.', (s) => s.waiting);
    stat('loraledger_batch_size', 'Rows in the last forward step.', (s) => s.batchSize);
    stat('loraledger_adapters_cached', 'Adapters in host memory.', (s) => s.adapters.cached);
    stat('loraledger_adapters_cached_bytes', 'Bytes of adapters in host memory.', (s) => s.adapters.cachedBytes);
    stat('loraledger_adapters_active', 'Adapters resident in forward-pass slots.', (s) => s.adapters.active);
    const mask = (s: EngineStats) => s.constraintMask ?? { tokens: 0, p50Ms: 0, p99Ms: 0 };
    stat('loraledger_constraint_mask_tokens', 'Grammar masks computed for constrained rows.', (s) => mask(s).tokens);
    stat('loraledger_constraint_mask_p50_seconds', 'p50 grammar mask time (last 8192).', (s) => mask(s).p50Ms / 1000);
    stat('loraledger_constraint_mask_p99_seconds', 'p99 grammar mask time (last 8192).', (s) => mask(s).p99Ms / 1000);
    const score = (s: EngineStats) => s.score ?? { fedTokens: 0, reusedTokens: 0, reuseMisses: 0, calls: 0 };
    stat(
      'loraledger_score_fed_tokens',
      'Tokens fed by attribution scoring since the engine started.',
      (s) => score(s).fedTokens,
    );
    stat(
      'loraledger_score_reused_tokens',
      "Attribution scoring tokens read from the answer's retained keys/values instead of fed, since the engine started.",
      (s) => score(s).reusedTokens,
    );
    stat(
      'loraledger_score_reuse_misses',
      "Attribution scorings whose answer's keys/values were no longer retained, since the engine started.",
      (s) => score(s).reuseMisses,
    );
    collectDefaultMetrics({ register: this.registry, prefix: 'loraledger_' });
  }

  /** Scrape-time engine stats (null while the engine starts). */
  useStats(source: () => EngineStats | null): void {
    this.statsSource = source;
  }

  notice(n: EngineNotice): void {
    switch (n.type) {
      case 'adapter_cache':
        this.cacheLookups.inc({ tier: n.tier, outcome: n.outcome });
        break;
      case 'adapter_evicted':
        this.evictions.inc({ tier: n.tier });
        break;
      case 'adapter_loaded':
        this.loadSeconds.observe({ tier: n.tier }, n.seconds);
        break;
      case 'adapter_errored':
        this.adapterErrors.inc();
        break;
      case 'step':
        this.stepSeconds.observe(n.seconds);
        this.stepTokens.inc({ kind: 'prefill' }, n.prefillTokens);
        this.stepTokens.inc({ kind: 'decode' }, n.decodeTokens);
        break;
    }
  }

  /** A ChoiceObserver for one choice, timed from now. */
  observe(adapterId: string | null): ChoiceObserver {
    const start = performance.now();
    let last = 0;
    const adapter = this.labeler.hit(adapterId);
    this.adapterRequests.inc({ adapter });
    return {
      token: () => {
        const now = performance.now();
        if (last === 0) this.ttft.observe((now - start) / 1000);
        else this.itl.observe((now - last) / 1000);
        last = now;
      },
      done: ({ promptTokens, completionTokens, finishReason }) => {
        this.e2e.observe((performance.now() - start) / 1000);
        this.promptTokens.observe(promptTokens);
        this.generationTokens.observe(completionTokens);
        this.finished.inc({ finish_reason: finishReason });
        const label = this.labeler.label(adapterId);
        this.adapterTokens.inc({ adapter: label, kind: 'prompt' }, promptTokens);
        this.adapterTokens.inc({ adapter: label, kind: 'generation' }, completionTokens);
      },
    };
  }
}
