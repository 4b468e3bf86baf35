// checkRecordView on hand-built views: the on-chain root is passed in as a function, so each
// check can be made to fail on its own. The whole CLI (HTTP + the root read from a real anvil)
// runs in test/ragSettlement.e2e.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordSigner, eip712Description, eip712Domain } from '../records/eip712.ts';
import { buildRecordsTree, loadTree, proofOf } from '../settlement/merkle.ts';
import { sampleRecord, sampleTrainingRecord } from '../../test/support/recordFixtures.ts';
import { recordIdOf } from '../records/buildRecord.ts';
import { RECORD_LEAF_ENCODING, type AttributionRecord, type Hex } from '../records/recordTypes.ts';
import type { RecordView } from '../settlement/settlement.ts';
import { checkRecordView } from './verifyRecordCli.ts';

const domain = eip712Domain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const description = eip712Description(domain);
const signer = createRecordSigner('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318', domain);
const POSTER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const ZERO: Hex = `0x${'00'.repeat(32)}`;

/**
 * Record `at` of an epoch holding version 1 records (0, 1, 2) and version 2 records (3, 4), posted
 * by POSTER; `replica` names the replica in the view (and, with `idCarries`, in the record id).
 */
async function settledView(at = 1, replica: string | null = null, idCarries = replica): Promise<RecordView> {
  const withId = (r: AttributionRecord): AttributionRecord =>
    idCarries === null ? r : { ...r, recordId: recordIdOf(r.requestId, idCarries) };
  const records = [0, 1, 2]
    .map((i) => sampleRecord(i))
    .concat([3, 4].map((i) => sampleTrainingRecord(i)))
    .map(withId);
  const signed = await Promise.all(records.map((r) => signer.sign(r)));
  const built = buildRecordsTree(signed.map((s) => [s.record.recordId, s.digest]));
  const leaf: [Hex, Hex] = [signed[at]!.record.recordId, signed[at]!.digest];
  const proof = proofOf(loadTree(built.dump!), leaf, 'leaf');
  // round-trip through JSON, as an outsider receives it
  return JSON.parse(
    JSON.stringify({
      record: signed[at]!.record,
      signer: signed[at]!.signer,
      signature: signed[at]!.signature,
      digest: signed[at]!.digest,
      domain,
      status: 'settled',
      replica,
      poster: POSTER,
      epoch: 1,
      tx_hash: null,
      root: built.root,
      leaf,
      leaf_encoding: RECORD_LEAF_ENCODING,
      proof,
    }),
  );
}

test('a genuine settled record passes all four checks, the root read from its poster', async () => {
  const v = await settledView();
  const c = await checkRecordView(v, description, async (poster) => (poster === POSTER ? v.root! : ZERO));
  assert.deepEqual(c, {
    signer: signer.address,
    signerOk: true,
    digestOk: true,
    proofOk: true,
    rootOk: true,
    replicaOk: null,
    ok: true,
  });
  const elsewhere = { ...v, poster: '0x0000000000000000000000000000000000000002' } as RecordView;
  const c2 = await checkRecordView(elsewhere, description, async (poster) => (poster === POSTER ? v.root! : ZERO));
  assert.deepEqual([c2.rootOk, c2.ok], [false, false], "another poster's sequence lacks the root");
});

test('the replica a view names is checked against the one the signed record id carries', async () => {
  const v = await settledView(2, 'r2');
  assert.equal(v.record.recordId, recordIdOf(v.record.requestId, 'r2'));
  let c = await checkRecordView(v, description, async () => v.root!);
  assert.deepEqual([c.replicaOk, c.ok], [true, true]);
  c = await checkRecordView(await settledView(2, 'r3', 'r2'), description, async () => v.root!);
  assert.deepEqual([c.replicaOk, c.ok], [false, true], 'reported, not part of ok');
});

test('tampering with the record, signer, proof or on-chain root is caught', async () => {
  const v = await settledView();
  const root = async () => v.root!;
  const altered = structuredClone(v);
  altered.record.sources[0]!.amount = '999999';
  let c = await checkRecordView(altered, description, root);
  assert.equal(c.signerOk, false, 'signature no longer recovers the signer');
  assert.equal(c.digestOk, false);
  assert.equal(c.ok, false);
  c = await checkRecordView(v, description, root, '0x0000000000000000000000000000000000000001');
  assert.deepEqual([c.signerOk, c.ok], [false, false]);
  const badProof = structuredClone(v);
  badProof.proof![0] = `0x${'00'.repeat(32)}`;
  c = await checkRecordView(badProof, description, root);
  assert.deepEqual([c.proofOk, c.ok], [false, false]);
  c = await checkRecordView(v, description, async () => `0x${'00'.repeat(32)}`);
  assert.deepEqual([c.rootOk, c.ok], [false, false]);
  const otherChain = eip712Description(eip712Domain(10, domain.verifyingContract));
  c = await checkRecordView(v, otherChain, root);
  assert.deepEqual([c.signerOk, c.digestOk, c.ok], [false, false, false]);
});

test('version 1 and version 2 records of one epoch both pass; a version 1 record also against a pre-version-2 description', async () => {
  for (const at of [1, 3]) {
    const v = await settledView(at);
    assert.equal((await checkRecordView(v, description, async () => v.root!)).ok, true, `record ${at}`);
  }
  const v2 = await settledView(4);
  const altered = structuredClone(v2);
  altered.record.trainingSources![1]!.amount = '1';
  assert.equal(
    (await checkRecordView(altered, description, async () => v2.root!)).ok,
    false,
    'training amount altered',
  );
  // what a server from before version 2 published: only the version 1 types, primaryType AttributionRecord
  const {
    AttributionRecordV2: _a,
    AttributionRecordV3: _a3,
    TrainingSource: _t,
    Span: _s,
    Validator: _v,
    ...v1Types
  } = description.types;
  const old = { domain, types: v1Types, primaryType: 'AttributionRecord' } as never;
  const v1 = await settledView(0);
  assert.equal((await checkRecordView(v1, old, async () => v1.root!)).ok, true);
});
