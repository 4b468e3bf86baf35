// The short soak in `npm test` (the 10-minute one is `npm run soak`): the server CLI in a child
// process on the quick embedded default with a local anvil, 16 concurrent streaming clients mixed
// over adapters, auto and RAG with inline and async attribution, for 8 s. No 5xx and no stream
// error, no 429 (16 clients fit in batch + queue), and every acknowledged attributed request's
// record is in the outbox and settled. RSS and event-loop figures are printed, not asserted (a
// timing assertion on a shared CI machine is a flaky test; the full soak checks them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSoak } from '../bench/soak/runSoak.ts';

test('short soak: 16 streaming clients for 8 s, no 5xx, every acknowledged record settled', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loraledger-soak-'));
  try {
    const r = await runSoak({
      clients: 16,
      seconds: 8,
      profile: 'quick',
      cacheDir: join(tmp, 'cache'),
      dataDir: join(tmp, 'data'),
      logFile: join(tmp, 'server.log'),
      maxBatchSize: 8,
      maxQueue: 64,
      maxTokens: [4, 16],
      seed: 7,
      settleSeconds: 90,
    });
    console.log(
      JSON.stringify({
        requests: r.requests,
        ok: r.ok,
        byKind: r.byKind,
        records: { acknowledged: r.records.acknowledged, settled: r.records.settled },
        latencyMs: r.latencyMs,
        rss: r.rss,
        loopLagP99Ms: r.loopLagP99Ms,
      }),
    );
    assert.deepEqual(r.statuses, {}, 'every request was answered 200');
    assert.deepEqual(r.streamErrors, {}, 'every stream ended with [DONE] and no error event');
    assert.ok(r.ok >= 16, `${r.ok} requests served`);
    assert.ok(r.byKind.rag! > 0 && r.byKind.auto! > 0 && r.byKind.adapter! > 0);
    assert.ok(r.records.acknowledged > 0, 'attributed requests were acknowledged');
    assert.deepEqual(r.records.missing, [], 'every acknowledged record is in the outbox and settled');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
