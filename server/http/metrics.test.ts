import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterLabeler, Metrics } from './metrics.ts';

test('AdapterLabeler keeps the top-N adapters by traffic and folds the rest into "other"', () => {
  const dropped: string[] = [];
  const l = new AdapterLabeler(2, (x) => dropped.push(x));
  assert.equal(l.hit('a'), 'a');
  assert.equal(l.hit(null), 'base');
  assert.equal(l.hit('c'), 'other'); // c: 1 request, not more than the weakest named (1)
  assert.equal(l.hit('c'), 'c'); // c: 2 > a: 1 and base: 1 -> c takes the weakest's label
  assert.equal(dropped.length, 1);
  assert.equal(l.label(dropped[0] === 'a' ? 'a' : null), 'other');
  for (let i = 0; i < 1000; i++) l.hit(`x${i}`);
  assert.ok(new Set(Array.from({ length: 1000 }, (_, i) => l.label(`x${i}`))).size <= 2, 'labels stay bounded');
});

test('Metrics: notices and observers land in the families', async () => {
  const m = new Metrics({ topAdapters: 4 });
  m.useStats(() => ({
    running: 3,
    waiting: 2,
    batchSize: 5,
    kvCapacity: 0,
    adapters: { cached: 1, cachedBytes: 10, active: 1 },
    constraintMask: { tokens: 40, p50Ms: 0.5, p99Ms: 2 },
    score: { fedTokens: 120, reusedTokens: 300, reuseMisses: 1, calls: 4 },
  }));
  m.notice({ type: 'adapter_cache', id: 'a', tier: 'host', outcome: 'miss' });
  m.notice({ type: 'adapter_loaded', id: 'a', tier: 'host', seconds: 0.01, bytes: 10 });
  m.notice({ type: 'adapter_evicted', id: 'a', tier: 'slot' });
  m.notice({ type: 'step', rows: 2, prefillTokens: 7, decodeTokens: 2, seconds: 0.003 });
  const o = m.observe('a');
  o.token();
  o.token();
  o.done({ promptTokens: 7, completionTokens: 2, finishReason: 'length' });
  const text = await m.registry.metrics();
  for (const line of [
    'loraledger_requests_running 3',
    'loraledger_requests_waiting 2',
    'loraledger_batch_size 5',
    'loraledger_constraint_mask_tokens 40',
    'loraledger_constraint_mask_p50_seconds 0.0005',
    'loraledger_constraint_mask_p99_seconds 0.002',
    'loraledger_score_fed_tokens 120',
    'loraledger_score_reused_tokens 300',
    'loraledger_score_reuse_misses 1',
    'loraledger_adapter_cache_lookups_total{tier="host",outcome="miss"} 1',
    'loraledger_adapter_cache_evictions_total{tier="slot"} 1',
    'loraledger_adapter_load_seconds_count{tier="host"} 1',
    'loraledger_engine_step_tokens_total{kind="prefill"} 7',
    'loraledger_time_to_first_token_seconds_count 1',
    'loraledger_inter_token_latency_seconds_count 1',
    'loraledger_e2e_request_latency_seconds_count 1',
    'loraledger_adapter_requests_total{adapter="a"} 1',
    'loraledger_adapter_tokens_total{adapter="a",kind="generation"} 2',
    'loraledger_request_finished_total{finish_reason="length"} 1',
  ])
    assert.ok(text.includes(line), `missing ${line}`);
});
