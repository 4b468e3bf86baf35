// The vLLM-named gauges follow the real engine's state under load, read as the inference gateway's
// Endpoint Picker reads them (test/support/eppMetrics.ts): stories260K, two real PEFT adapter
// folders, one adapter slot (--max-active-adapters 1). A long request on `hold` runs; a request on
// `queued` then waits for the slot (its load into the slot is queued) until `hold` is cancelled.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, engineStarted } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateAdapter } from '../factory/index.ts';
import { loadModelSpec } from '../kernels/model/index.ts';
import { readAsEpp, type EppView } from './support/eppMetrics.ts';

const MODEL = new URL('../../shared/models/stories260K', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-vllm-metrics-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('EPP view under load: running while its requests run, waiting while its slot load is queued, then empty', async () => {
  const spec = await loadModelSpec(MODEL);
  for (const [i, id] of ['hold', 'queued'].entries())
    await generateAdapter({ dir: join(tmp, 'adapters', id), spec, seed: 10 + i, rank: 2, targets: ['q_proj'] });
  const config = loadConfig({
    argv: ['--model', MODEL, '--adapters', join(tmp, 'adapters'), '--max-active-adapters', '1'],
    env: {
      LORALEDGER_MAX_CACHED_ADAPTERS: '2',
      LORALEDGER_MAX_BATCH_SIZE: '4',
      LORALEDGER_MAX_MODEL_LEN: '2048',
      LORALEDGER_CHAIN: 'off',
      LORALEDGER_THREADS: '1',
      LORALEDGER_LOG_LEVEL: 'silent',
      LORALEDGER_CACHE_DIR: join(tmp, 'cache'),
      LORALEDGER_DATA_DIR: join(tmp, 'data'),
    },
  });
  const app = await buildApp(config, { logger: false, attribution: null });
  try {
    await engineStarted(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const scrape = async (): Promise<EppView> => readAsEpp(await (await fetch(`${base}/metrics`)).text());
    const until = async (what: string, ok: (v: EppView) => boolean): Promise<EppView> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const v = await scrape();
        if (ok(v)) return v;
        if (Date.now() > deadline)
          assert.fail(
            `${what}: last view ${JSON.stringify({ ...v, a: [...v.activeModels], w: [...v.waitingModels] })}`,
          );
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const gen = (model: string, signal?: AbortSignal) =>
      fetch(`${base}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, prompt: [5, 6], max_tokens: 2000, ignore_eos: true, stream: true }),
        signal,
      });

    const idle = await scrape();
    assert.equal(idle.runningRequestsSize + idle.waitingQueueSize, 0);
    assert.equal(idle.kvCacheUsagePercent, 0);

    const holdAbort = new AbortController();
    const hold = gen('hold', holdAbort.signal);
    const running = await until('hold running', (v) => v.activeModels.has('hold') && v.kvCacheUsagePercent > 0);
    assert.equal(running.maxActiveModels, 1);
    assert.ok(running.runningRequestsSize >= 1);
    assert.ok(running.kvCacheUsagePercent > 0 && running.kvCacheUsagePercent <= 1, `${running.kvCacheUsagePercent}`);
    assert.equal(running.cacheBlockSize, 1);
    assert.equal(running.cacheNumBlocks, 4 * 2048);

    const queuedAbort = new AbortController();
    const queued = gen('queued', queuedAbort.signal);
    const both = await until('queued waiting', (v) => v.waitingModels.has('queued'));
    assert.ok(both.activeModels.has('hold'), 'hold still runs while queued waits for the slot');
    assert.ok(!both.activeModels.has('queued'));
    assert.ok(both.waitingQueueSize >= 1);

    holdAbort.abort();
    await hold.then((r) => r.body?.cancel()).catch(() => {});
    const swapped = await until('queued running after hold ends', (v) => v.activeModels.has('queued'));
    assert.ok(!swapped.activeModels.has('hold'));
    assert.ok(!swapped.waitingModels.has('queued'));

    queuedAbort.abort();
    await queued.then((r) => r.body?.cancel()).catch(() => {});
    const done = await until('all idle', (v) => v.runningRequestsSize === 0 && v.waitingQueueSize === 0);
    assert.equal(done.kvCacheUsagePercent, 0);
  } finally {
    await app.close();
  }
});
