import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordSigner, eip712Domain } from '../records/eip712.ts';
import { loadTree, proofOf, verifyLeaf } from './merkle.ts';
import { Outbox } from './outbox.ts';
import { sampleRecord } from '../../test/support/recordFixtures.ts';
import { RECORD_LEAF_ENCODING, type Hex, type SignedRecord } from '../records/recordTypes.ts';
import { AttributionError } from '../../common/index.ts';

const signer = createRecordSigner(
  '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
  eip712Domain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3'),
);
const TX: Hex = `0x${'ab'.repeat(32)}`;

async function withOutbox(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'll-outbox-'));
  try {
    await fn(join(dir, 'outbox.sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('append is idempotent, a changed record under the same id is a conflict, and rows survive reopening', async () => {
  await withOutbox(async (path) => {
    const a = await signer.sign(sampleRecord(0));
    let box = new Outbox(path);
    assert.equal(box.append(a), true);
    assert.equal(box.append(a), false);
    const changed = await signer.sign({ ...sampleRecord(0), fee: '999999' });
    assert.throws(
      () => box.append(changed),
      (e: unknown) => e instanceof AttributionError && e.code === 'conflict',
    );
    box.close();
    box = new Outbox(path);
    const got = box.get(a.record.recordId)!;
    assert.deepEqual(got.signed, a);
    assert.equal(got.status, 'pending');
    assert.equal(got.epoch, null);
    assert.equal(box.get(`0x${'00'.repeat(32)}`), null);
    box.close();
  });
});

test('closeEpoch assigns unassigned records, proofs verify, settle is idempotent', async () => {
  await withOutbox(async (path) => {
    let t = 1000;
    const box = new Outbox(path, () => t);
    const recs: SignedRecord[] = [];
    for (let i = 0; i < 5; i++) recs.push(await signer.sign(sampleRecord(i)));
    recs.slice(0, 3).forEach((r) => box.append(r));
    assert.deepEqual(box.unassigned(), { count: 3, oldestAt: 1000 });
    const e1 = box.closeEpoch()!;
    assert.equal(e1.epoch, 1);
    assert.equal(e1.recordCount, 3);
    assert.equal(e1.total, 1010n * (1n + 2n + 3n));
    assert.equal(box.closeEpoch(), null, 'nothing left to close');
    t = 2000;
    recs.slice(3).forEach((r) => box.append(r));
    const e2 = box.closeEpoch()!;
    assert.equal(e2.epoch, 2);
    assert.equal(e2.total, 1010n * (4n + 5n));
    assert.deepEqual(
      box.unsettledEpochs().map((e) => e.epoch),
      [1, 2],
    );
    const tree = loadTree(box.recordsTree(1)!);
    const leaf = [recs[1]!.record.recordId, recs[1]!.digest];
    assert.ok(verifyLeaf(e1.recordsRoot, RECORD_LEAF_ENCODING, leaf, proofOf(tree, leaf, 'r1')));
    assert.equal(box.get(recs[1]!.record.recordId)!.status, 'pending', 'closed is still pending');
    box.markSettled(1, TX);
    box.markSettled(1, TX); // idempotent
    assert.throws(
      () => box.markSettled(1, `0x${'cd'.repeat(32)}`),
      (e: unknown) => e instanceof AttributionError && e.code === 'conflict',
    );
    const s = box.get(recs[1]!.record.recordId)!;
    assert.equal(s.status, 'settled');
    assert.equal(s.epoch, 1);
    assert.equal(s.txHash, TX);
    assert.equal(box.latestSettled()!.epoch, 1);
    assert.deepEqual(
      box.settledAfter(0).map((e) => e.epoch),
      [1],
    );
    box.reopen(1);
    assert.equal(box.get(recs[1]!.record.recordId)!.status, 'pending');
    assert.deepEqual(
      box.unsettledEpochs().map((e) => e.epoch),
      [1, 2],
    );
    box.close();
  });
});
