// DataNets: named collections of contributed documents, stored durably in SQLite (WAL mode, so a
// crash or restart loses nothing that was acknowledged). The store owns the database; the BM25
// index follows it through `onDocument` and a full load at start-up.
//
//   content_hash = keccak256(utf8(text))
//   doc_id       = keccak256(utf8(datanet) ++ 0x00 ++ utf8(text))   (bytes32; unique per DataNet + text)
// The same text twice in one DataNet is a duplicate (409 conflict naming the existing doc_id); the
// same text in two DataNets is two documents.

import Database from 'better-sqlite3';
import { AttributionError, RequestError } from '../../common/index.ts';
import { normaliseAddress } from '../records/address.ts';
import { keccak256 } from '../records/keccak256.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

export interface Datanet {
  id: string;
  title: string;
  /** Unix seconds. */
  created: number;
  documents: number;
}

export interface DataDocument {
  docId: Hex;
  datanet: string;
  text: string;
  /** Lowercase 0x address the contributor is paid at. */
  contributor: Address;
  contentHash: Hex;
  metadata: Record<string, unknown>;
  /** Unix seconds. */
  created: number;
}

export interface NewDocument {
  datanet: string;
  text: unknown;
  contributor: unknown;
  metadata?: unknown;
}

export const DATANET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_DOCUMENT_CHARS = 100_000;
export const MAX_METADATA_BYTES = 8192;
export const MAX_TITLE_CHARS = 200;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS datanets (id TEXT PRIMARY KEY, title TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  doc_id TEXT NOT NULL UNIQUE,
  datanet TEXT NOT NULL REFERENCES datanets(id),
  text TEXT NOT NULL,
  contributor TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created INTEGER NOT NULL,
  UNIQUE (datanet, content_hash)
);`;

interface DocRow {
  seq: number;
  doc_id: string;
  datanet: string;
  text: string;
  contributor: string;
  content_hash: string;
  metadata: string;
  created: number;
}

const bad = (param: string, problem: string): never => {
  throw new RequestError('invalid_request', `${param} ${problem}`, { param });
};

export function documentId(datanet: string, text: string): Hex {
  return keccak256(`${datanet}\u0000${text}`);
}

export class DatanetStore {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly listeners: Array<(doc: DataDocument) => void> = [];

  /** Opens (creating if needed) the database at `path` (':memory:' for tests). */
  constructor(path: string, options: { now?: () => number } = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Creates a DataNet; 409 conflict when the id exists. */
  createDatanet(input: { id: unknown; title?: unknown }): Datanet {
    const id = input.id;
    if (typeof id !== 'string' || !DATANET_ID.test(id))
      bad('id', 'must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');
    const title = input.title ?? id;
    if (typeof title !== 'string' || title.length > MAX_TITLE_CHARS)
      bad('title', `must be a string of at most ${MAX_TITLE_CHARS} characters`);
    const created = this.now();
    const info = this.db
      .prepare('INSERT OR IGNORE INTO datanets (id, title, created) VALUES (?, ?, ?)')
      .run(id, title, created);
    if (info.changes === 0)
      throw new AttributionError('conflict', `DataNet ${id} already exists`, { param: 'id', details: { id } });
    return { id: id as string, title: title as string, created, documents: 0 };
  }

  /** Throws datanet_not_found (404) when missing. */
  getDatanet(id: string): Datanet {
    const row = this.db
      .prepare(
        'SELECT d.id, d.title, d.created, (SELECT COUNT(*) FROM documents WHERE datanet = d.id) AS documents FROM datanets d WHERE d.id = ?',
      )
      .get(id) as Datanet | undefined;
    if (!row)
      throw new AttributionError('datanet_not_found', `DataNet ${JSON.stringify(id)} does not exist`, {
        param: 'datanet',
        details: { id },
      });
    return row;
  }

  listDatanets(): Datanet[] {
    return this.db
      .prepare(
        'SELECT d.id, d.title, d.created, (SELECT COUNT(*) FROM documents WHERE datanet = d.id) AS documents FROM datanets d ORDER BY d.id',
      )
      .all() as Datanet[];
  }

  /** Adds a document; 404 for an unknown DataNet, 400 for bad fields, 409 for a duplicate text. */
  addDocument(input: NewDocument): DataDocument {
    this.getDatanet(input.datanet);
    const { text } = input;
    if (typeof text !== 'string' || text.trim().length === 0) bad('text', 'must be a non-empty string');
    if ((text as string).length > MAX_DOCUMENT_CHARS) bad('text', `is longer than ${MAX_DOCUMENT_CHARS} characters`);
    const contributor = normaliseAddress(input.contributor, 'contributor');
    const metadata = input.metadata ?? {};
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      bad('metadata', 'must be a JSON object');
    const metaJson = JSON.stringify(metadata);
    if (Buffer.byteLength(metaJson) > MAX_METADATA_BYTES)
      bad('metadata', `is larger than ${MAX_METADATA_BYTES} bytes as JSON`);
    const doc: DataDocument = {
      docId: documentId(input.datanet, text as string),
      datanet: input.datanet,
      text: text as string,
      contributor,
      contentHash: keccak256(text as string),
      metadata: JSON.parse(metaJson) as Record<string, unknown>,
      created: this.now(),
    };
    const info = this.db
      .prepare(
        'INSERT OR IGNORE INTO documents (doc_id, datanet, text, contributor, content_hash, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(doc.docId, doc.datanet, doc.text, doc.contributor, doc.contentHash, metaJson, doc.created);
    if (info.changes === 0) {
      throw new AttributionError(
        'conflict',
        `DataNet ${doc.datanet} already holds this text as document ${doc.docId}`,
        {
          param: 'text',
          details: { doc_id: doc.docId, datanet: doc.datanet, content_hash: doc.contentHash },
        },
      );
    }
    for (const listener of this.listeners) listener(doc);
    return doc;
  }

  /** Throws not_found (404) when missing. */
  getDocument(docId: string): DataDocument {
    const row = this.db.prepare('SELECT * FROM documents WHERE doc_id = ?').get(docId) as DocRow | undefined;
    if (!row) throw new AttributionError('not_found', `document ${docId} does not exist`, { param: 'doc_id' });
    return toDocument(row);
  }

  /** A page of a DataNet's documents in insertion order, after the document `after` (a doc_id). */
  listDocuments(
    datanet: string,
    options: { limit?: number; after?: string } = {},
  ): { data: DataDocument[]; hasMore: boolean } {
    this.getDatanet(datanet);
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) bad('limit', 'must be an integer in [1, 1000]');
    let afterSeq = 0;
    if (options.after !== undefined) {
      const row = this.db
        .prepare('SELECT seq FROM documents WHERE doc_id = ? AND datanet = ?')
        .get(options.after, datanet) as { seq: number } | undefined;
      if (!row) bad('after', `names no document of DataNet ${datanet}`);
      afterSeq = row!.seq;
    }
    const rows = this.db
      .prepare('SELECT * FROM documents WHERE datanet = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(datanet, afterSeq, limit + 1) as DocRow[];
    return { data: rows.slice(0, limit).map(toDocument), hasMore: rows.length > limit };
  }

  /** Every document of a DataNet, in insertion order (index building). */
  allDocuments(datanet: string): DataDocument[] {
    this.getDatanet(datanet);
    return (this.db.prepare('SELECT * FROM documents WHERE datanet = ? ORDER BY seq').all(datanet) as DocRow[]).map(
      toDocument,
    );
  }

  /**
   * Creates the DataNets and adds the documents that are missing (by doc_id), leaving everything
   * already stored as it is: seeding is idempotent (the embedded default's demo DataNets are seeded
   * at every start). Returns what was added.
   */
  seed(
    datanets: ReadonlyArray<{ id: string; title: string; documents: ReadonlyArray<Omit<NewDocument, 'datanet'>> }>,
  ): { datanets: number; documents: number } {
    const added = { datanets: 0, documents: 0 };
    this.db.transaction(() => {
      for (const d of datanets) {
        const exists = this.db.prepare('SELECT 1 FROM datanets WHERE id = ?').get(d.id);
        if (!exists) {
          this.createDatanet({ id: d.id, title: d.title });
          added.datanets++;
        }
        for (const doc of d.documents) {
          if (
            typeof doc.text === 'string' &&
            this.db.prepare('SELECT 1 FROM documents WHERE doc_id = ?').get(documentId(d.id, doc.text))
          )
            continue;
          this.addDocument({ ...doc, datanet: d.id });
          added.documents++;
        }
      }
    })();
    return added;
  }

  /** Called synchronously after each committed insert. */
  onDocument(listener: (doc: DataDocument) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toDocument(r: DocRow): DataDocument {
  return {
    docId: r.doc_id as Hex,
    datanet: r.datanet,
    text: r.text,
    contributor: r.contributor as Address,
    contentHash: r.content_hash as Hex,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    created: r.created,
  };
}
