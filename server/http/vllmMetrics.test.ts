// The vLLM-named gauges read back by an independent reader that applies the Endpoint Picker's rules
// (test/support/eppMetrics.ts). Under load on the real engine: test/vllmMetrics.e2e.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerVllmGauges } from './vllmMetrics.ts';
import { Metrics } from './metrics.ts';
import { readAsEpp } from '../../test/support/eppMetrics.ts';
import type { EngineStats } from '../../kernels/index.ts';

const stats = (o: Partial<EngineStats> = {}): EngineStats => ({
  running: 2,
  waiting: 1,
  batchSize: 2,
  kvCapacity: 64,
  adapters: { cached: 3, cachedBytes: 100, active: 2 },
  lora: { running: ['law', 'med'], waiting: ['code'] },
  kv: { usedPositions: 30, maxPositions: 120 },
  ...o,
});

test('vLLM gauges: the EPP reads queue, running, KV usage, the adapter lists, max_lora and the cache layout', async () => {
  const m = new Metrics({ topAdapters: 4 });
  let s: EngineStats | null = stats();
  m.useStats(() => s);
  registerVllmGauges(m.registry, { stats: () => s, maxLora: 8, modelName: 'base', now: () => 1_765_000_000.25 });
  const text = await m.registry.metrics();
  assert.ok(text.includes('loraledger_requests_running 2'), 'the loraledger_* families stay as they are');
  assert.ok(text.includes('vllm:num_requests_waiting{model_name="base"} 1'));
  assert.match(
    text,
    /vllm:lora_requests_info\{max_lora="8",running_lora_adapters="law,med",waiting_lora_adapters="code"\} 1765000000\.25/,
  );
  const v = readAsEpp(text);
  assert.equal(v.waitingQueueSize, 1);
  assert.equal(v.runningRequestsSize, 2);
  assert.equal(v.kvCacheUsagePercent, 0.25); // 30 / 120
  assert.deepEqual([...v.activeModels], ['law', 'med']);
  assert.deepEqual([...v.waitingModels], ['code']);
  assert.equal(v.maxActiveModels, 8);
  assert.equal(v.loraUpdated, 1_765_000_000.25);
  assert.equal(v.cacheBlockSize, 1);
  assert.equal(v.cacheNumBlocks, 120);

  // One series per scrape: the state changed, the old label set is gone, the new one carries the time.
  s = stats({ running: 1, waiting: 0, lora: { running: ['code'], waiting: [] } });
  const next = await m.registry.metrics();
  assert.equal(next.match(/^vllm:lora_requests_info\{/gm)?.length, 1);
  assert.deepEqual([...readAsEpp(next).activeModels], ['code']);
  assert.equal(readAsEpp(next).waitingModels.size, 0);

  // Engine not started: zeros, and no lora / cache series.
  s = null;
  const idle = await m.registry.metrics();
  const w = readAsEpp(idle);
  assert.equal(w.waitingQueueSize, 0);
  assert.equal(w.runningRequestsSize, 0);
  assert.equal(w.activeModels.size, 0);
  assert.ok(!/^vllm:lora_requests_info\{/m.test(idle));
  assert.ok(!/^vllm:cache_config_info\{/m.test(idle));
});

test('vLLM gauges: an idle engine writes empty adapter lists (the EPP skips that series) and usage 0', async () => {
  const r = new Registry();
  registerVllmGauges(r, {
    stats: () =>
      stats({ running: 0, waiting: 0, lora: { running: [], waiting: [] }, kv: { usedPositions: 0, maxPositions: 64 } }),
    maxLora: 2,
    modelName: 'm',
  });
  const text = await r.metrics();
  assert.match(text, /vllm:lora_requests_info\{max_lora="2",running_lora_adapters="",waiting_lora_adapters=""\} \d+/);
  const v = readAsEpp(text);
  assert.equal(v.kvCacheUsagePercent, 0);
  assert.equal(v.activeModels.size + v.waitingModels.size, 0);
});

test('the EPP reader: largest value wins, lists split on commas and trimmed, max_lora must be an integer', () => {
  const text = [
    '# TYPE vllm:lora_requests_info gauge',
    'vllm:lora_requests_info{max_lora="4",running_lora_adapters="old",waiting_lora_adapters=""} 100',
    'vllm:lora_requests_info{max_lora="4",running_lora_adapters="a, b ,,c",waiting_lora_adapters=" d"} 300',
    'vllm:lora_requests_info{max_lora="4",running_lora_adapters="",waiting_lora_adapters=""} 900',
    'vllm:lora_requests_info{max_lora="4",running_lora_adapters="mid",waiting_lora_adapters=""} 200',
    'vllm:num_requests_waiting 3',
    'vllm:num_requests_running 1',
    'vllm:kv_cache_usage_perc 0.5',
  ].join('\n');
  const v = readAsEpp(text);
  assert.deepEqual([...v.activeModels], ['a', 'b', 'c']);
  assert.deepEqual([...v.waitingModels], ['d']);
  assert.equal(v.loraUpdated, 300); // the empty series at 900 is skipped
  assert.equal(v.maxActiveModels, 4);
  assert.throws(() => readAsEpp(text.replace(/max_lora="4"/g, 'max_lora="4.0"')), /Atoi/);
});
