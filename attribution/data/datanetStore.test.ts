import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatanetStore, documentId } from './datanetStore.ts';
import { keccak256 } from '../records/keccak256.ts';
import { LoraledgerError, type ErrorCode } from '../../common/index.ts';

const alice = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const rejects = (fn: () => unknown, code: ErrorCode, status: number, re: RegExp): void => {
  assert.throws(
    fn,
    (e: unknown) => e instanceof LoraledgerError && e.code === code && e.status === status && re.test(e.message),
  );
};

test('DataNets and documents survive a restart (WAL file on disk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datanets-'));
  try {
    const path = join(dir, 'datanets.sqlite');
    const a = new DatanetStore(path, { now: () => 1700000000 });
    assert.deepEqual(a.createDatanet({ id: 'medical-qa', title: 'Medical QA' }), {
      id: 'medical-qa',
      title: 'Medical QA',
      created: 1700000000,
      documents: 0,
      governed: false,
      format: null,
    });
    const doc = a.addDocument({
      datanet: 'medical-qa',
      text: 'Aspirin thins the blood.',
      contributor: alice,
      metadata: { source: 'notes' },
    });
    assert.equal(doc.docId, documentId('medical-qa', 'Aspirin thins the blood.'));
    assert.equal(doc.contentHash, keccak256('Aspirin thins the blood.'));
    assert.equal(doc.contributor, alice.toLowerCase());
    a.close();
    const b = new DatanetStore(path);
    assert.deepEqual(b.listDatanets(), [
      { id: 'medical-qa', title: 'Medical QA', created: 1700000000, documents: 1, governed: false, format: null },
    ]);
    assert.deepEqual(b.getDocument(doc.docId), doc);
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('duplicate text in one DataNet is a 409 naming the existing doc_id; other DataNets may hold it', () => {
  const s = new DatanetStore(':memory:');
  s.createDatanet({ id: 'a' });
  s.createDatanet({ id: 'b', title: 'B' });
  const first = s.addDocument({ datanet: 'a', text: 'same words', contributor: alice });
  assert.throws(
    () => s.addDocument({ datanet: 'a', text: 'same words', contributor: alice.toLowerCase() }),
    (e: unknown) =>
      e instanceof LoraledgerError &&
      e.code === 'conflict' &&
      e.status === 409 &&
      e.message.includes(first.docId) &&
      e.details?.doc_id === first.docId,
  );
  const other = s.addDocument({ datanet: 'b', text: 'same words', contributor: alice });
  assert.notEqual(other.docId, first.docId);
  assert.equal(other.contentHash, first.contentHash);
  rejects(() => s.createDatanet({ id: 'a' }), 'conflict', 409, /DataNet a already exists/);
});

test('bad inputs: unknown DataNet 404, bad contributor 400, bad ids/text/metadata 400', () => {
  const s = new DatanetStore(':memory:');
  s.createDatanet({ id: 'net' });
  rejects(
    () => s.addDocument({ datanet: 'nope', text: 'x', contributor: alice }),
    'datanet_not_found',
    404,
    /DataNet "nope" does not exist/,
  );
  rejects(() => s.listDocuments('nope'), 'datanet_not_found', 404, /nope/);
  rejects(() => s.getDatanet('nope'), 'datanet_not_found', 404, /nope/);
  rejects(
    () => s.addDocument({ datanet: 'net', text: 'x', contributor: '0x1234' }),
    'invalid_request',
    400,
    /contributor must be an address/,
  );
  rejects(
    () => s.addDocument({ datanet: 'net', text: 'x', contributor: alice.replace('aAeb', 'aaEb') }),
    'invalid_request',
    400,
    /EIP-55 checksum/,
  );
  rejects(
    () => s.addDocument({ datanet: 'net', text: '   ', contributor: alice }),
    'invalid_request',
    400,
    /text must be a non-empty string/,
  );
  rejects(() => s.addDocument({ datanet: 'net', text: 5, contributor: alice }), 'invalid_request', 400, /text must be/);
  rejects(
    () => s.addDocument({ datanet: 'net', text: 'x', contributor: alice, metadata: [1] }),
    'invalid_request',
    400,
    /metadata must be a JSON object/,
  );
  rejects(
    () => s.addDocument({ datanet: 'net', text: 'x', contributor: alice, metadata: { big: 'x'.repeat(9000) } }),
    'invalid_request',
    400,
    /metadata is larger/,
  );
  rejects(() => s.createDatanet({ id: 'bad id!' }), 'invalid_request', 400, /id must be 1-64 characters/);
  rejects(() => s.createDatanet({ id: 'ok', title: 7 }), 'invalid_request', 400, /title must be a string/);
  rejects(() => s.getDocument('0x00'), 'not_found', 404, /document 0x00 does not exist/);
  rejects(() => s.listDocuments('net', { limit: 0 }), 'invalid_request', 400, /limit/);
  rejects(() => s.listDocuments('net', { after: '0xabc' }), 'invalid_request', 400, /after names no document/);
});

test('listDocuments pages in insertion order; onDocument sees each insert', () => {
  const s = new DatanetStore(':memory:');
  s.createDatanet({ id: 'net' });
  const seen: string[] = [];
  s.onDocument((d) => seen.push(d.docId));
  const ids = Array.from(
    { length: 5 },
    (_, i) => s.addDocument({ datanet: 'net', text: `doc ${i}`, contributor: alice }).docId,
  );
  assert.deepEqual(seen, ids);
  const p1 = s.listDocuments('net', { limit: 2 });
  assert.deepEqual(
    p1.data.map((d) => d.docId),
    ids.slice(0, 2),
  );
  assert.equal(p1.hasMore, true);
  const p3 = s.listDocuments('net', { limit: 2, after: ids[3] });
  assert.deepEqual(
    p3.data.map((d) => d.docId),
    ids.slice(4),
  );
  assert.equal(p3.hasMore, false);
  assert.equal(s.allDocuments('net').length, 5);
});

test('seed creates missing DataNets and adds missing documents only: idempotent, keeps what is stored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datanets-'));
  const store = new DatanetStore(join(dir, 'seed.sqlite'));
  try {
    const seeds = [
      {
        id: 'demo-a',
        title: 'Demo A',
        documents: [
          { text: 'first', contributor: alice },
          { text: 'second', contributor: alice, metadata: { messages: [{ role: 'user', content: 'q' }] } },
        ],
      },
    ];
    assert.deepEqual(store.seed(seeds), { datanets: 1, documents: 2 });
    assert.deepEqual(store.seed(seeds), { datanets: 0, documents: 0 }, 'a second seed adds nothing');
    store.addDocument({ datanet: 'demo-a', text: 'a user contribution', contributor: alice });
    seeds[0]!.documents.push({ text: 'third', contributor: alice });
    assert.deepEqual(store.seed(seeds), { datanets: 0, documents: 1 });
    const docs = store.allDocuments('demo-a');
    assert.deepEqual(
      docs.map((d) => d.text),
      ['first', 'second', 'a user contribution', 'third'],
    );
    assert.equal(docs[0]!.contributor, alice.toLowerCase());
    assert.equal(docs[1]!.docId, documentId('demo-a', 'second'));
    assert.deepEqual(docs[1]!.metadata, { messages: [{ role: 'user', content: 'q' }] });
    // a bad seed document is refused like any other insert, and nothing of that seed is kept
    assert.throws(
      () => store.seed([{ id: 'demo-b', title: 'B', documents: [{ text: 'x', contributor: 'nobody' }] }]),
      /contributor must be an address/,
    );
    assert.equal(
      store.listDatanets().find((d) => d.id === 'demo-b'),
      undefined,
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database from before document states opens with every old document approved and retrievable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datanets-old-'));
  try {
    const path = join(dir, 'datanets.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE datanets (id TEXT PRIMARY KEY, title TEXT NOT NULL, created INTEGER NOT NULL);
      CREATE TABLE documents (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL UNIQUE,
        datanet TEXT NOT NULL REFERENCES datanets(id), text TEXT NOT NULL, contributor TEXT NOT NULL,
        content_hash TEXT NOT NULL, metadata TEXT NOT NULL, created INTEGER NOT NULL, UNIQUE (datanet, content_hash));
      INSERT INTO datanets VALUES ('old', 'Old', 1);
      INSERT INTO documents (doc_id, datanet, text, contributor, content_hash, metadata, created)
        VALUES ('0x01', 'old', 'kept', '${alice.toLowerCase()}', '0x02', '{}', 1);`);
    old.close();
    const store = new DatanetStore(path);
    assert.equal(store.getDatanet('old').governed, false);
    assert.deepEqual(
      store.allDocuments('old').map((d) => [d.docId, d.state]),
      [['0x01', 'approved']],
    );
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('governed DataNet: documents start pending, only approved ones are listed for retrieval and heard by listeners', () => {
  const store = new DatanetStore(':memory:');
  store.createDatanet({ id: 'gov', governed: true, format: { maxChars: 40, requiredMetadata: ['lang'] } });
  const heard: string[] = [];
  store.onDocument((d) => heard.push(d.text));
  const docs = ['one fact', 'two facts', 'three facts'].map((text) =>
    store.addDocument({ datanet: 'gov', text, contributor: alice, metadata: { lang: 'en' } }),
  );
  assert.deepEqual(
    docs.map((d) => d.state),
    ['pending', 'pending', 'pending'],
  );
  assert.deepEqual(store.allDocuments('gov'), []);
  assert.deepEqual(heard, []);
  store.setStates('gov', [
    { docId: docs[0]!.docId, state: 'approved' },
    { docId: docs[1]!.docId, state: 'rejected' },
  ]);
  assert.deepEqual(heard, ['one fact']);
  assert.deepEqual(
    store.allDocuments('gov').map((d) => d.text),
    ['one fact'],
  );
  assert.deepEqual(
    store.documentsInState('gov', 'pending').map((d) => d.text),
    ['three facts'],
  );
  // rejected is final; approved may only fall to rejected; a failed batch changes nothing
  rejects(
    () =>
      store.setStates('gov', [
        { docId: docs[2]!.docId, state: 'approved' },
        { docId: docs[1]!.docId, state: 'approved' },
      ]),
    'governance_rejected',
    409,
    /is rejected; it cannot become approved/,
  );
  assert.equal(store.getDocument(docs[2]!.docId).state, 'pending');
  store.setStates('gov', [{ docId: docs[0]!.docId, state: 'rejected' }]);
  assert.deepEqual(store.allDocuments('gov'), []);
  // the declared format
  rejects(
    () => store.addDocument({ datanet: 'gov', text: 'x'.repeat(41), contributor: alice, metadata: { lang: 'en' } }),
    'invalid_request',
    400,
    /41 characters, longer than DataNet gov's declared format allows \(40\)/,
  );
  rejects(
    () => store.addDocument({ datanet: 'gov', text: 'short', contributor: alice }),
    'invalid_request',
    400,
    /lacks "lang"/,
  );
  assert.equal(store.getDatanet('gov').documents, 3, 'refused documents are not stored');
  store.close();
});
