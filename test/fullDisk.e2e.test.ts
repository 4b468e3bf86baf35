// Issue 19, a full or read-only data directory: a request that needs a durable attribution record
// is refused with 503 storage_unavailable before it runs (never answered without its record);
// requests without attribution keep being served; the server recovers by itself when space returns
// or the directory turns writable again. The data directory is a small tmpfs mounted for the test
// (CI runs as root); where mounting is not permitted the full-disk cases skip with a message, and
// the read-only case falls back to chmod (which binds a non-root user).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Outbox } from '../attribution/index.ts';
import { openStream, postJson, startFaultServer, type FaultServer } from './support/faultServer.ts';

const ADMIN = 'full-disk-admin-key';
let s: FaultServer;
let mnt: string | null = null; // the tmpfs data directory, when mounting is permitted
let dataDir: string;
const isRoot = process.getuid?.() === 0;

function tryMount(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (err) {
    console.log(`# tmpfs mount not permitted (${(err as Error).message.split('\n')[0]}): full-disk cases skip`);
    return false;
  }
}
const remount = (mode: 'ro' | 'rw') => execFileSync('mount', ['-o', `remount,${mode}`, mnt!], { stdio: 'pipe' });

before(async () => {
  const probe = join('/tmp', `loraledger-fulldisk-${process.pid}`);
  mnt = tryMount(probe) ? probe : null;
  dataDir = mnt ?? join(probe, 'data');
  s = await startFaultServer({ name: 'fulldisk', adapters: ['ad-a'], args: ['--admin-key', ADMIN], dataDir });
  const auth = { authorization: `Bearer ${ADMIN}` };
  const mk = await s.app.inject({
    method: 'POST',
    url: '/v1/datanets',
    headers: auth,
    payload: { id: 'd', title: 'D' },
  });
  assert.equal(mk.statusCode, 200, mk.body);
  for (const [i, text] of ['[300] [301] [302]', '[310] [311] [300]'].entries()) {
    const r = await s.app.inject({
      method: 'POST',
      url: '/v1/datanets/d/documents',
      payload: { text, contributor: `0x${String(i + 1).padStart(40, '0')}` },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
});
after(async () => {
  await s?.close();
  if (mnt) {
    try {
      remount('rw');
    } catch {
      /* already rw */
    }
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  } else rmSync(join('/tmp', `loraledger-fulldisk-${process.pid}`), { recursive: true, force: true });
});

const attributed = (extra: Record<string, unknown> = {}) =>
  postJson(`${s.base}/v1/completions`, {
    model: 'ad-a',
    prompt: '[300] [301]',
    max_tokens: 3,
    temperature: 0,
    rag: { datanets: ['d'], top_k: 2 },
    ...extra,
  });
const plain = () => postJson(`${s.base}/v1/completions`, { model: 'ad-a', prompt: [1, 45], max_tokens: 3 });

/** The attributed request is answered with its record durable, or refused with 503 before it ran. */
async function expectServedWithRecord(): Promise<void> {
  const r = await attributed();
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const id = r.json.attribution.record_id;
  const stored = await s.app.inject(`/v1/attribution/records/${id}`);
  assert.equal(stored.statusCode, 200, 'the record is in the outbox');
}
async function expectRefused(): Promise<void> {
  for (const extra of [{}, { attribution: 'async' }]) {
    const r = await attributed(extra);
    assert.equal(r.status, 503, JSON.stringify(r.json));
    assert.equal(r.json.error.code, 'storage_unavailable');
    assert.equal(r.json.error.type, 'server_error');
  }
  // a stream that would need an async record is refused before its first byte
  const st = await postJson(`${s.base}/v1/completions`, {
    model: 'ad-a',
    prompt: '[300]',
    max_tokens: 3,
    stream: true,
    rag: { datanets: ['d'] },
  });
  assert.deepEqual([st.status, st.json.error?.code], [503, 'storage_unavailable']);
  // requests without attribution are served
  const p = await plain();
  assert.equal(p.status, 200, JSON.stringify(p.json));
  const ps = await openStream(s.base, { model: 'ad-a', prompt: [1, 45], max_tokens: 3 });
  assert.equal(ps.response.status, 200);
  assert.equal((await ps.rest()).at(-1), '[DONE]');
}

test('a full data directory: attributed requests 503 storage_unavailable, others served, recovery when space returns', async (t) => {
  if (!mnt) return t.skip('tmpfs mount not permitted here');
  await expectServedWithRecord();
  const filler = join(mnt, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  try {
    await expectRefused();
  } finally {
    rmSync(filler);
  }
  await expectServedWithRecord(); // recovered, no restart
});

test('a read-only data directory: attributed requests 503 storage_unavailable, others served, recovery when writable', async (t) => {
  await expectServedWithRecord();
  if (!isRoot) chmodSync(dataDir, 0o555);
  else {
    // root ignores permission bits: only a read-only mount binds it, and Linux refuses to remount a
    // filesystem read-only while a file on it (the open outbox) is open for writing
    try {
      if (!mnt) throw new Error('no tmpfs');
      remount('ro');
    } catch (err) {
      return t.skip(
        `as root the data directory cannot turn read-only under the open outbox (${(err as Error).message.split('\n')[0]}); the non-root run covers this case`,
      );
    }
  }
  try {
    await expectRefused();
  } finally {
    if (isRoot) remount('rw');
    else chmodSync(dataDir, 0o755);
  }
  await expectServedWithRecord();
});

test('the outbox turns a durable write that fails on a full disk into 503 storage_unavailable', async (t) => {
  if (!mnt) return t.skip('tmpfs mount not permitted here');
  const box = new Outbox(join(mnt, 'probe.sqlite'));
  const filler = join(mnt, 'filler');
  const signed = (n: number) => ({
    record: { recordId: `0x${n.toString(16).padStart(64, '0')}`, pad: 'x'.repeat(4000) },
    signer: '0x0000000000000000000000000000000000000001',
    signature: '0x00',
    digest: `0x${(n + 7).toString(16).padStart(64, '0')}`,
  });
  try {
    assert.equal(box.append(signed(1) as never), true);
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(256 * 1024, 1));
    } catch {
      /* ENOSPC: the disk is full */
    } finally {
      closeSync(fd);
    }
    let n = 2;
    assert.throws(
      () => {
        for (; n < 100_000; n++) box.append(signed(n) as never); // the WAL grows until the disk refuses
      },
      { code: 'storage_unavailable' },
    );
    rmSync(filler);
    assert.equal(box.append(signed(n + 1) as never), true, 'writes again once there is space');
  } finally {
    rmSync(filler, { force: true });
    box.close();
  }
});
