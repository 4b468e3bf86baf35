// Issue 19: SIGTERM under load drains. The server CLI runs as its own process on the embedded
// default's quick profile; streamed RAG requests with `"attribution": "async"` (acknowledged
// `pending` with a record id in the stream) run 8 at a time, and SIGTERM arrives while some are
// still generating and others' records are still being scored. The process must exit 0 with no
// native abort, and every record id a client was given must be in the outbox, read with SQLite
// after the process is gone (test/support/outboxSettlement.ts). Requests that arrive after the
// signal may be refused (503 shutting_down) or fail to connect; they were never acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replicaProcess } from './support/replicaProcess.ts';
import { readOutbox } from './support/outboxSettlement.ts';

const CLIENTS = 8;

/** One streamed chat request; the record id of its attribution chunk once it ended with [DONE]. */
async function streamed(
  base: string,
  body: Record<string, unknown>,
): Promise<{ status: number; record: string | null }> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, record: null };
  const frames = text
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice(6));
  if (frames.at(-1) !== '[DONE]') return { status: res.status, record: null };
  const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as { attribution?: { record_id?: string } });
  return { status: 200, record: chunks.find((c) => c.attribution?.record_id)?.attribution?.record_id ?? null };
}

test('SIGTERM under async-attribution load: exit 0, no abort, every acknowledged record in the outbox', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loraledger-drain-'));
  const dataDir = join(tmp, 'data');
  const server = replicaProcess(
    'drain',
    [
      ...['--host', '127.0.0.1', '--embedded-profile', 'quick', '--cache-dir', join(tmp, 'cache')],
      ...['--data-dir', dataDir, '--chain', 'off', '--log-level', 'info', '--threads', '1'],
      ...['--max-batch-size', '8', '--shutdown-deadline', '30'],
    ],
    300_000,
  );
  try {
    await server.start();
    const base = server.url;
    const models = (
      (await (await fetch(`${base}/v1/models`)).json()) as { data: Array<{ id: string; parent?: string }> }
    ).data;
    const adapters = models.filter((m) => m.parent).map((m) => m.id);
    const datanets = ((await (await fetch(`${base}/v1/datanets`)).json()) as { data: Array<{ id: string }> }).data.map(
      (d) => d.id,
    );
    assert.ok(adapters.length > 0 && datanets.length > 0, 'the quick default serves adapters and DataNets');

    const acknowledged: string[] = [];
    const refused: Record<string, number> = {};
    let signalled = false;
    let sent = 0;
    const client = async (c: number): Promise<void> => {
      while (!signalled) {
        const n = sent++;
        try {
          const r = await streamed(base, {
            model: adapters[n % adapters.length],
            messages: [{ role: 'user', content: `Tell me a story about the number ${n}.` }],
            rag: { datanets: [datanets[(n + c) % datanets.length]], top_k: 2 },
            attribution: 'async',
            max_tokens: 24,
            temperature: 0,
            ignore_eos: true,
          });
          if (r.record) acknowledged.push(r.record);
          else refused[r.status] = (refused[r.status] ?? 0) + 1;
        } catch {
          refused.connection = (refused.connection ?? 0) + 1; // the server stopped listening
        }
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    while (acknowledged.length < 2 * CLIENTS) await new Promise((r) => setTimeout(r, 20));
    signalled = true;
    const atSignal = acknowledged.length;
    const stopped = server.stop(); // SIGTERM while requests generate and async records are scored
    await load;
    await stopped;
    console.log(JSON.stringify({ acknowledged: acknowledged.length, atSignal, sent, refused, exit: server.exit }));
    assert.doesNotMatch(server.log, /terminate called|Napi::Error|Aborted/, 'no native abort at shutdown');
    assert.deepEqual(server.exit, { code: 0, signal: null }, server.log.slice(-3000));
    const inOutbox = new Set(readOutbox(dataDir).records.map((r) => r.record_id));
    const missing = acknowledged.filter((id) => !inOutbox.has(id as `0x${string}`));
    const problems = server.log
      .split('\n')
      .filter((l) => /"level":(40|50|60)/.test(l))
      .slice(-20)
      .join('\n');
    assert.deepEqual(
      missing,
      [],
      `${missing.length} of ${acknowledged.length} acknowledged records not in the outbox; the server's warnings:\n${problems}`,
    );
    assert.doesNotMatch(server.log, /no record for this request/, 'no async attribution failed at shutdown');
    // the training thread is closed only after the records' training-data influence calls returned
    assert.doesNotMatch(server.log, /training thread exited/, 'no influence call cut off by the shutdown');
  } finally {
    if (server.up) await server.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
});
