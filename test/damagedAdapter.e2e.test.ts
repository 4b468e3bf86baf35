// Issue 19, adapters damaged while in use: an adapter whose files are truncated or deleted after
// registration fails only the requests that need it (503 adapter_load_failed naming it, with
// Retry-After: the server re-reads the folder by itself, so it is a passing condition); the base model
// and the other adapters keep serving; a request already running on an adapter finishes on the
// copy in memory, and that copy keeps serving after its folder is deleted; a repaired adapter
// serves again once its folder is fixed (the failure is retried, not kept for ever).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, truncateSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { openStream, postJson, startFaultServer, type FaultServer } from './support/faultServer.ts';

let s: FaultServer;
before(async () => {
  s = await startFaultServer({ name: 'damaged', adapters: ['ad-a', 'ad-b', 'ad-c'] });
});
after(async () => s?.close());

const complete = (model: string, maxTokens = 6) =>
  postJson(`${s.base}/v1/completions`, {
    model,
    prompt: [1, 403, 29],
    max_tokens: maxTokens,
    temperature: 0,
    ignore_eos: true,
    return_token_ids: true,
  });
const WEIGHTS = 'adapter_model.safetensors';

test('a truncated adapter fails only its own requests; others serve; repaired, it serves again', async () => {
  const file = join(s.adapters, 'ad-a', WEIGHTS);
  const good = readFileSync(file);
  copyFileSync(file, `${file}.bak`);
  truncateSync(file, Math.floor(good.length / 2)); // registered, never loaded: the damage shows at load
  const bad = await complete('ad-a');
  assert.equal(bad.json.error?.code, 'adapter_load_failed', JSON.stringify(bad.json));
  assert.match(bad.json.error.message, /ad-a/);
  assert.equal(bad.status, 503, 'a damaged adapter folder is a server-side condition that clears itself');
  assert.equal(bad.headers.get('retry-after'), '2', 'the re-read interval (ADAPTER_RETRY_MS)');
  for (const m of ['stories260K', 'ad-b']) assert.equal((await complete(m)).status, 200, m);
  copyFileSync(`${file}.bak`, file); // repaired: requests for it re-read the folder (at most every 2 s)
  const t0 = Date.now();
  let fixed = await complete('ad-a');
  while (fixed.status !== 200 && Date.now() - t0 < 30_000) {
    await new Promise((r) => setTimeout(r, 250));
    fixed = await complete('ad-a');
  }
  assert.equal(fixed.status, 200, JSON.stringify(fixed.json));
  console.log(`repaired adapter serves again after ${Date.now() - t0} ms`);
});

test('deleted while a request runs on it: the running stream finishes on the in-memory copy', async () => {
  const before = await complete('ad-b', 6); // loaded into the host tier
  assert.equal(before.status, 200);
  const saved = join(s.tmp, 'ad-b.saved');
  cpSync(join(s.adapters, 'ad-b'), saved, { recursive: true });
  const stream = await openStream(s.base, {
    model: 'ad-b',
    prompt: [1, 45],
    max_tokens: 200,
    temperature: 0,
    ignore_eos: true,
  });
  assert.equal(stream.response.status, 200);
  assert.ok(JSON.parse((await stream.next())!).choices.length);
  rmSync(join(s.adapters, 'ad-b'), { recursive: true });
  const frames = await stream.rest();
  assert.equal(frames.at(-1), '[DONE]');
  const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
  assert.ok(!chunks.some((c) => c.error), 'no error event');
  assert.equal(chunks.findLast((c) => c.choices?.length)?.choices[0].finish_reason, 'length', 'all 200 tokens');
  const after = await complete('ad-b', 6);
  assert.equal(after.status, 200, 'the host copy keeps serving');
  assert.deepEqual(after.json.choices[0].token_ids, before.json.choices[0].token_ids);
  cpSync(saved, join(s.adapters, 'ad-b'), { recursive: true });
});

test('deleted before its first load: its requests fail with adapter_load_failed, the rest serve', async () => {
  rmSync(join(s.adapters, 'ad-c'), { recursive: true });
  const bad = await complete('ad-c');
  assert.ok(['adapter_load_failed', 'adapter_not_found'].includes(bad.json.error?.code), JSON.stringify(bad.json));
  assert.match(bad.json.error.message, /ad-c/);
  if (bad.json.error.code === 'adapter_load_failed') {
    assert.equal(bad.status, 503);
    assert.equal(bad.headers.get('retry-after'), '2');
  } else assert.equal(bad.status, 404);
  console.log(`deleted adapter: HTTP ${bad.status} ${bad.json.error.code}`);
  assert.equal((await complete('ad-b')).status, 200);
  assert.equal((await complete('stories260K')).status, 200);
});
