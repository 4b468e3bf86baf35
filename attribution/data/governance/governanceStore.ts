// Off-chain governance state of DataNets, in SQLite (<dataDir>/governance.sqlite, WAL): each
// governed DataNet's rules, its voting rounds, the signed ballots and the votes inside them, the
// published versions (with their Merkle tree dumps, for proofs), upheld challenges, and the
// digests of signed requests already used (no replay). Document states live in DatanetStore.

import Database from 'better-sqlite3';
import { preparedStatements } from '../../../common/index.ts';
import type { Address, Hex } from '../../records/recordTypes.ts';
import type { RegistryParams } from './registryClient.ts';
import type { TreeDump } from '../../settlement/merkle.ts';

export interface GovernedDatanet extends RegistryParams {
  datanet: string;
  owner: Address;
  metadataHash: Hex;
}

export interface RoundRow {
  datanet: string;
  round: number;
  deadline: number;
  docIds: Hex[];
  tallied: boolean;
}

export interface BallotRow {
  voter: Address;
  votesRoot: Hex;
  signature: Hex;
  votes: Array<{ docId: Hex; approve: boolean }>;
}

export interface VersionRow {
  datanet: string;
  version: number;
  root: Hex;
  docCount: number;
  dump: TreeDump;
  published: number;
}

export interface ChallengeRow {
  datanet: string;
  docId: Hex;
  version: number;
  round: number;
  /** who challenged: the owner (its signed request) or a quorum of validators (their signatures); rows before quorum challenges lack it: owner */
  by?: 'owner' | 'quorum';
  /** the owner, or the validators whose signatures made the quorum (ascending) */
  challengers?: Address[];
  slashed: Array<{ validator: Address; amount: string }>;
  txHash: Hex;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS governed (datanet TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (datanet TEXT NOT NULL, round INTEGER NOT NULL, deadline INTEGER NOT NULL,
  doc_ids TEXT NOT NULL, tallied INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (datanet, round));
CREATE TABLE IF NOT EXISTS doc_rounds (doc_id TEXT PRIMARY KEY, datanet TEXT NOT NULL, round INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ballots (datanet TEXT NOT NULL, round INTEGER NOT NULL, voter TEXT NOT NULL,
  votes_root TEXT NOT NULL, signature TEXT NOT NULL, votes TEXT NOT NULL, PRIMARY KEY (datanet, round, voter));
CREATE TABLE IF NOT EXISTS versions (datanet TEXT NOT NULL, version INTEGER NOT NULL, root TEXT NOT NULL,
  doc_count INTEGER NOT NULL, dump TEXT NOT NULL, published INTEGER NOT NULL, PRIMARY KEY (datanet, version));
CREATE TABLE IF NOT EXISTS challenges (doc_id TEXT PRIMARY KEY, datanet TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS used_requests (digest TEXT PRIMARY KEY, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

const bigintJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
const bigintRevive = (_k: string, v: unknown) =>
  typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v;

export class GovernanceStore {
  private readonly db: Database.Database;
  private readonly sql: (text: string) => Database.Statement;

  constructor(path: string) {
    this.db = new Database(path);
    this.sql = preparedStatements(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  putGoverned(g: GovernedDatanet): void {
    this.sql('INSERT INTO governed (datanet, json) VALUES (?, ?)').run(g.datanet, JSON.stringify(g, bigintJson));
  }

  governed(datanet: string): GovernedDatanet | null {
    const row = this.sql('SELECT json FROM governed WHERE datanet = ?').get(datanet) as { json: string } | undefined;
    return row ? (JSON.parse(row.json, bigintRevive) as GovernedDatanet) : null;
  }

  putRound(r: RoundRow): void {
    this.sql('INSERT INTO rounds (datanet, round, deadline, doc_ids, tallied) VALUES (?, ?, ?, ?, 0)').run(
      r.datanet,
      r.round,
      r.deadline,
      JSON.stringify(r.docIds),
    );
    const put = this.sql('INSERT INTO doc_rounds (doc_id, datanet, round) VALUES (?, ?, ?)');
    for (const d of r.docIds) put.run(d, r.datanet, r.round);
  }

  round(datanet: string, round: number): RoundRow | null {
    const r = this.sql('SELECT * FROM rounds WHERE datanet = ? AND round = ?').get(datanet, round) as
      { datanet: string; round: number; deadline: number; doc_ids: string; tallied: number } | undefined;
    return r ? { ...r, docIds: JSON.parse(r.doc_ids) as Hex[], tallied: r.tallied === 1 } : null;
  }

  markTallied(datanet: string, round: number): void {
    this.sql('UPDATE rounds SET tallied = 1 WHERE datanet = ? AND round = ?').run(datanet, round);
  }

  /** Round a document was voted in (null: not yet in a round). */
  roundOfDoc(docId: string): number | null {
    const r = this.sql('SELECT round FROM doc_rounds WHERE doc_id = ?').get(docId) as { round: number } | undefined;
    return r?.round ?? null;
  }

  putBallot(datanet: string, round: number, b: BallotRow): void {
    this.sql('INSERT INTO ballots (datanet, round, voter, votes_root, signature, votes) VALUES (?, ?, ?, ?, ?, ?)').run(
      datanet,
      round,
      b.voter,
      b.votesRoot,
      b.signature,
      JSON.stringify(b.votes),
    );
  }

  ballots(datanet: string, round?: number): Array<BallotRow & { round: number }> {
    const rows = (
      round === undefined
        ? this.sql('SELECT * FROM ballots WHERE datanet = ? ORDER BY round, voter').all(datanet)
        : this.sql('SELECT * FROM ballots WHERE datanet = ? AND round = ? ORDER BY voter').all(datanet, round)
    ) as Array<{ round: number; voter: Address; votes_root: Hex; signature: Hex; votes: string }>;
    return rows.map((r) => ({
      round: r.round,
      voter: r.voter,
      votesRoot: r.votes_root,
      signature: r.signature,
      votes: JSON.parse(r.votes) as BallotRow['votes'],
    }));
  }

  putVersion(v: VersionRow): void {
    this.sql('INSERT INTO versions (datanet, version, root, doc_count, dump, published) VALUES (?, ?, ?, ?, ?, ?)').run(
      v.datanet,
      v.version,
      v.root,
      v.docCount,
      JSON.stringify(v.dump),
      v.published,
    );
  }

  /** A version, or the latest one when `version` is absent; null when none. */
  version(datanet: string, version?: number): VersionRow | null {
    const r = (
      version === undefined
        ? this.sql('SELECT * FROM versions WHERE datanet = ? ORDER BY version DESC LIMIT 1').get(datanet)
        : this.sql('SELECT * FROM versions WHERE datanet = ? AND version = ?').get(datanet, version)
    ) as
      { datanet: string; version: number; root: Hex; doc_count: number; dump: string; published: number } | undefined;
    return r
      ? {
          datanet: r.datanet,
          version: r.version,
          root: r.root,
          docCount: r.doc_count,
          dump: JSON.parse(r.dump) as TreeDump,
          published: r.published,
        }
      : null;
  }

  putChallenge(c: ChallengeRow): void {
    this.sql('INSERT INTO challenges (doc_id, datanet, json) VALUES (?, ?, ?)').run(
      c.docId,
      c.datanet,
      JSON.stringify(c),
    );
  }

  challenges(datanet: string): ChallengeRow[] {
    return (this.sql('SELECT json FROM challenges WHERE datanet = ?').all(datanet) as Array<{ json: string }>).map(
      (r) => JSON.parse(r.json) as ChallengeRow,
    );
  }

  /** Records a signed request's digest; false when it was used before (a replay). */
  useRequest(digest: Hex, expires: number): boolean {
    return (
      this.sql('INSERT OR IGNORE INTO used_requests (digest, expires) VALUES (?, ?)').run(digest, expires).changes === 1
    );
  }

  getMeta(key: string): string | null {
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
