// DataNets: named collections of contributed documents, stored durably in SQLite (WAL mode, so a
// crash or restart loses nothing that was acknowledged). The store owns the database; the BM25
// index follows it through `onDocument` and a full load at start-up.
//
//   content_hash = keccak256(utf8(text))
//   doc_id       = keccak256(utf8(datanet) ++ 0x00 ++ utf8(text))   (bytes32; unique per DataNet + text)
// The same text twice in one DataNet is a duplicate (409 conflict naming the existing doc_id); the
// same text in two DataNets is two documents.
//
// Document states (docs/datanets.md): pending -> approved | rejected, and approved -> rejected when
// a challenge is upheld. An open DataNet (every DataNet created without governance, seeded ones
// included, and every document stored before states existed) approves on submission, as before; a
// governed one (attribution/data/governance/) starts each document pending. Only approved
// documents are retrievable, indexed and trained on: `allDocuments` and `onDocument` see approved
// documents only, and `listDocuments` shows every state.

import Database from 'better-sqlite3';
import { AttributionError, preparedStatements, RequestError } from '../../common/index.ts';
import { normaliseAddress } from '../records/address.ts';
import { keccak256 } from '../records/keccak256.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

export interface Datanet {
  id: string;
  title: string;
  /** Unix seconds. */
  created: number;
  documents: number;
  /** true: documents start pending and need approval (attribution/data/governance/). */
  governed: boolean;
  /** Declared document format (governed DataNets), null = only the global limits. */
  format: DocumentFormat | null;
}

/** What a governed DataNet accepts; a document outside it is refused (400) before it is stored. */
export interface DocumentFormat {
  /** Longest text, characters (at most MAX_DOCUMENT_CHARS). */
  maxChars?: number;
  /** Metadata keys every document must carry. */
  requiredMetadata?: string[];
}

export type DocumentState = 'pending' | 'approved' | 'rejected';
export const DOCUMENT_STATES: readonly DocumentState[] = ['pending', 'approved', 'rejected'];

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
  state: DocumentState;
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

/** Columns added after the first release (an existing database gains them; old rows are open / approved). */
const ADDED_COLUMNS: Array<[table: string, column: string, ddl: string]> = [
  ['datanets', 'governed', 'INTEGER NOT NULL DEFAULT 0'],
  ['datanets', 'format', 'TEXT'],
  ['documents', 'state', "TEXT NOT NULL DEFAULT 'approved'"],
];

const DATANET_SELECT =
  'SELECT d.id, d.title, d.created, d.governed, d.format, (SELECT COUNT(*) FROM documents WHERE datanet = d.id) AS documents FROM datanets d';

interface DatanetRow {
  id: string;
  title: string;
  created: number;
  documents: number;
  governed: number;
  format: string | null;
}

const toDatanet = (r: DatanetRow): Datanet => ({
  id: r.id,
  title: r.title,
  created: r.created,
  documents: r.documents,
  governed: r.governed === 1,
  format: r.format === null ? null : (JSON.parse(r.format) as DocumentFormat),
});

interface DocRow {
  seq: number;
  doc_id: string;
  datanet: string;
  text: string;
  contributor: string;
  content_hash: string;
  metadata: string;
  created: number;
  state: DocumentState;
}

const bad = (param: string, problem: string): never => {
  throw new RequestError('invalid_request', `${param} ${problem}`, { param });
};

export function documentId(datanet: string, text: string): Hex {
  return keccak256(`${datanet}\u0000${text}`);
}

export class DatanetStore {
  private readonly db: Database.Database;
  private readonly sql: (text: string) => Database.Statement;
  private readonly now: () => number;
  private readonly listeners: Array<(doc: DataDocument) => void> = [];

  /** Opens (creating if needed) the database at `path` (':memory:' for tests). */
  constructor(path: string, options: { now?: () => number } = {}) {
    this.db = new Database(path);
    this.sql = preparedStatements(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    for (const [table, column, ddl] of ADDED_COLUMNS) {
      const cols = this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
      if (!cols.some((c) => c.name === column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${ddl}`);
    }
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Creates a DataNet; 409 conflict when the id exists. `governed`: documents start pending. */
  createDatanet(input: { id: unknown; title?: unknown; governed?: boolean; format?: DocumentFormat | null }): Datanet {
    const { id, title } = this.checkNewDatanet(input);
    const format = input.format ?? null;
    const created = this.now();
    const info = this.sql(
      'INSERT OR IGNORE INTO datanets (id, title, created, governed, format) VALUES (?, ?, ?, ?, ?)',
    ).run(id, title, created, input.governed ? 1 : 0, format === null ? null : JSON.stringify(format));
    if (info.changes === 0)
      throw new AttributionError('conflict', `DataNet ${id} already exists`, { param: 'id', details: { id } });
    return {
      id: id as string,
      title: title as string,
      created,
      documents: 0,
      governed: input.governed === true,
      format,
    };
  }

  /** Validates a new DataNet's id and title (400) and that the id is free (409), changing nothing. */
  checkNewDatanet(input: { id: unknown; title?: unknown }): { id: string; title: string } {
    const id = input.id;
    if (typeof id !== 'string' || !DATANET_ID.test(id))
      bad('id', 'must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');
    const title = input.title ?? id;
    if (typeof title !== 'string' || title.length > MAX_TITLE_CHARS)
      bad('title', `must be a string of at most ${MAX_TITLE_CHARS} characters`);
    if (this.sql('SELECT 1 FROM datanets WHERE id = ?').get(id))
      throw new AttributionError('conflict', `DataNet ${id} already exists`, { param: 'id', details: { id } });
    return { id: id as string, title: title as string };
  }

  /** Throws datanet_not_found (404) when missing. */
  getDatanet(id: string): Datanet {
    const row = this.sql(`${DATANET_SELECT} WHERE d.id = ?`).get(id) as DatanetRow | undefined;
    if (!row)
      throw new AttributionError('datanet_not_found', `DataNet ${JSON.stringify(id)} does not exist`, {
        param: 'datanet',
        details: { id },
      });
    return toDatanet(row);
  }

  listDatanets(): Datanet[] {
    return (this.sql(`${DATANET_SELECT} ORDER BY d.id`).all() as DatanetRow[]).map(toDatanet);
  }

  /** Adds a document; 404 for an unknown DataNet, 400 for bad fields, 409 for a duplicate text. */
  addDocument(input: NewDocument): DataDocument {
    const datanet = this.getDatanet(input.datanet);
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
    checkFormat(datanet, text as string, metadata as Record<string, unknown>);
    const doc: DataDocument = {
      docId: documentId(input.datanet, text as string),
      datanet: input.datanet,
      text: text as string,
      contributor,
      contentHash: keccak256(text as string),
      metadata: JSON.parse(metaJson) as Record<string, unknown>,
      created: this.now(),
      state: datanet.governed ? 'pending' : 'approved',
    };
    const info = this.sql(
      'INSERT OR IGNORE INTO documents (doc_id, datanet, text, contributor, content_hash, metadata, created, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(doc.docId, doc.datanet, doc.text, doc.contributor, doc.contentHash, metaJson, doc.created, doc.state);
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
    if (doc.state === 'approved') for (const listener of this.listeners) listener(doc);
    return doc;
  }

  /**
   * Moves documents of a governed DataNet to their decided state, in one transaction:
   * pending -> approved | rejected, approved -> rejected (an upheld challenge). Any other move, or a
   * document of another DataNet, is refused and nothing changes. Listeners hear each newly approved one.
   */
  setStates(
    datanet: string,
    decisions: ReadonlyArray<{ docId: string; state: 'approved' | 'rejected' }>,
  ): DataDocument[] {
    const approved: DataDocument[] = [];
    this.db.transaction(() => {
      for (const d of decisions) {
        const doc = this.getDocument(d.docId);
        if (doc.datanet !== datanet)
          throw new RequestError('invalid_request', `document ${d.docId} is not in DataNet ${datanet}`, {
            param: 'doc_id',
          });
        const allowed = doc.state === 'pending' || (doc.state === 'approved' && d.state === 'rejected');
        if (!allowed)
          throw new AttributionError(
            'governance_rejected',
            `document ${d.docId} is ${doc.state}; it cannot become ${d.state}`,
            {
              param: 'doc_id',
              details: { reason: 'state', from: doc.state, to: d.state },
            },
          );
        this.sql('UPDATE documents SET state = ? WHERE doc_id = ?').run(d.state, d.docId);
        if (d.state === 'approved') approved.push({ ...doc, state: 'approved' });
      }
    })();
    for (const doc of approved) for (const listener of this.listeners) listener(doc);
    return approved;
  }

  /** A DataNet's documents in one state, in insertion order. */
  documentsInState(datanet: string, state: DocumentState): DataDocument[] {
    this.getDatanet(datanet);
    return (
      this.sql('SELECT * FROM documents WHERE datanet = ? AND state = ? ORDER BY seq').all(datanet, state) as DocRow[]
    ).map(toDocument);
  }

  /** Throws not_found (404) when missing. */
  getDocument(docId: string): DataDocument {
    const row = this.sql('SELECT * FROM documents WHERE doc_id = ?').get(docId) as DocRow | undefined;
    if (!row) throw new AttributionError('not_found', `document ${docId} does not exist`, { param: 'doc_id' });
    return toDocument(row);
  }

  /** A page of a DataNet's documents in insertion order, after the document `after` (a doc_id). */
  listDocuments(
    datanet: string,
    options: { limit?: number; after?: string; state?: DocumentState } = {},
  ): { data: DataDocument[]; hasMore: boolean } {
    this.getDatanet(datanet);
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) bad('limit', 'must be an integer in [1, 1000]');
    let afterSeq = 0;
    if (options.after !== undefined) {
      const row = this.sql('SELECT seq FROM documents WHERE doc_id = ? AND datanet = ?').get(options.after, datanet) as
        { seq: number } | undefined;
      if (!row) bad('after', `names no document of DataNet ${datanet}`);
      afterSeq = row!.seq;
    }
    const rows = (
      options.state === undefined
        ? this.sql('SELECT * FROM documents WHERE datanet = ? AND seq > ? ORDER BY seq LIMIT ?').all(
            datanet,
            afterSeq,
            limit + 1,
          )
        : this.sql('SELECT * FROM documents WHERE datanet = ? AND seq > ? AND state = ? ORDER BY seq LIMIT ?').all(
            datanet,
            afterSeq,
            options.state,
            limit + 1,
          )
    ) as DocRow[];
    return { data: rows.slice(0, limit).map(toDocument), hasMore: rows.length > limit };
  }

  /** Every approved document of a DataNet, in insertion order (index building, training data). */
  allDocuments(datanet: string): DataDocument[] {
    return this.documentsInState(datanet, 'approved');
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
        const exists = this.sql('SELECT 1 FROM datanets WHERE id = ?').get(d.id);
        if (!exists) {
          this.createDatanet({ id: d.id, title: d.title });
          added.datanets++;
        }
        for (const doc of d.documents) {
          if (
            typeof doc.text === 'string' &&
            this.sql('SELECT 1 FROM documents WHERE doc_id = ?').get(documentId(d.id, doc.text))
          )
            continue;
          this.addDocument({ ...doc, datanet: d.id });
          added.documents++;
        }
      }
    })();
    return added;
  }

  /** Called synchronously after each committed insert of an approved document, and each approval. */
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
    state: r.state,
  };
}

/** Refuses a document outside its DataNet's declared format (400 naming the field). */
function checkFormat(datanet: Datanet, text: string, metadata: Record<string, unknown>): void {
  const f = datanet.format;
  if (f === null) return;
  if (f.maxChars !== undefined && text.length > f.maxChars)
    bad(
      'text',
      `is ${text.length} characters, longer than DataNet ${datanet.id}'s declared format allows (${f.maxChars})`,
    );
  for (const key of f.requiredMetadata ?? [])
    if (!(key in metadata)) bad('metadata', `lacks "${key}", which DataNet ${datanet.id}'s declared format requires`);
}
