// The durable settlement outbox (better-sqlite3, WAL, synchronous=FULL). It owns the records and
// epochs tables; the settlement service sends it commands and never touches SQL.
//
//   append(signed)     INSERT; durable (fsynced) before it returns, so before the HTTP response.
//                      Idempotent: the same record again is a no-op; the same recordId with a
//                      different digest is a 409 conflict.
//   closeEpoch()       ONE transaction: assign every unassigned record to epoch N = last + 1,
//                      compute and store the records tree and the cumulative payout tree.
//   markSettled(N, tx) ONE transaction, only after the chain confirmed the post.
//   reopen(N)          settled -> closed again (the chain lost the post, e.g. a fresh local anvil).
//
// Record status is derived: pending while its epoch is null or not yet settled, settled once
// its epoch is. A kill -9 at any point leaves either the previous or the next consistent state.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AttributionError, preparedStatements } from '../../common/index.ts';
import { buildPayouts, buildRecordsTree, payoutsFromDump, type TreeDump } from './merkle.ts';
import type { Hex, RecordStatus, SignedRecord } from '../records/recordTypes.ts';
import { asStorageError } from './storageGuard.ts';

export interface EpochRow {
  epoch: number;
  recordsRoot: Hex;
  payoutRoot: Hex;
  /** wei posted with the epoch (its new payouts) */
  total: bigint;
  recordCount: number;
  status: 'closed' | 'settled';
  txHash: Hex | null;
  /** unix ms */
  closedAt: number;
  settledAt: number | null;
}

export interface StoredRecord {
  signed: SignedRecord;
  epoch: number | null;
  status: RecordStatus;
  txHash: Hex | null;
  /** unix ms when appended */
  createdAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id TEXT NOT NULL UNIQUE,
  digest TEXT NOT NULL,
  signer TEXT NOT NULL,
  signature TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  epoch INTEGER REFERENCES epochs(epoch)
);
CREATE INDEX IF NOT EXISTS records_epoch ON records(epoch);
CREATE TABLE IF NOT EXISTS epochs (
  epoch INTEGER PRIMARY KEY,
  records_root TEXT NOT NULL,
  payout_root TEXT NOT NULL,
  total TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  records_tree TEXT,
  payout_tree TEXT,
  status TEXT NOT NULL CHECK (status IN ('closed', 'settled')),
  tx_hash TEXT,
  closed_at INTEGER NOT NULL,
  settled_at INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface EpochDbRow {
  epoch: number;
  records_root: string;
  payout_root: string;
  total: string;
  record_count: number;
  status: 'closed' | 'settled';
  tx_hash: string | null;
  closed_at: number;
  settled_at: number | null;
}

function toEpoch(r: EpochDbRow): EpochRow {
  return {
    epoch: r.epoch,
    recordsRoot: r.records_root as Hex,
    payoutRoot: r.payout_root as Hex,
    total: BigInt(r.total),
    recordCount: r.record_count,
    status: r.status,
    txHash: r.tx_hash as Hex | null,
    closedAt: r.closed_at,
    settledAt: r.settled_at,
  };
}

const EPOCH_COLS = 'epoch, records_root, payout_root, total, record_count, status, tx_hash, closed_at, settled_at';

export class Outbox {
  private readonly db: Database.Database;
  private readonly sql: (text: string) => Database.Statement;

  constructor(
    path: string,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.sql = preparedStatements(this.db);
  }

  /** Durable on return. Returns false when the identical record was already stored. */
  append(signed: SignedRecord): boolean {
    const id = signed.record.recordId.toLowerCase();
    const digest = signed.digest.toLowerCase();
    let res: Database.RunResult;
    try {
      res = this.sql(
        'INSERT INTO records (record_id, digest, signer, signature, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(record_id) DO NOTHING',
      ).run(id, digest, signed.signer, signed.signature, JSON.stringify(signed.record), this.now());
    } catch (err) {
      throw asStorageError(err); // a full or read-only disk: 503 storage_unavailable (storageGuard.ts)
    }
    if (res.changes === 1) return true;
    const existing = this.sql('SELECT digest FROM records WHERE record_id = ?').get(id) as { digest: string };
    if (existing.digest !== digest) {
      throw new AttributionError('conflict', `attribution record ${id} already exists with different contents`, {
        details: { recordId: id },
      });
    }
    return false;
  }

  get(recordId: string): StoredRecord | null {
    const r = this.sql(
      `SELECT r.*, e.status AS e_status, e.tx_hash AS e_tx FROM records r LEFT JOIN epochs e ON e.epoch = r.epoch WHERE r.record_id = ?`,
    ).get(recordId.toLowerCase()) as
      | {
          digest: string;
          signer: string;
          signature: string;
          body: string;
          created_at: number;
          epoch: number | null;
          e_status: string | null;
          e_tx: string | null;
        }
      | undefined;
    if (r === undefined) return null;
    return {
      signed: {
        record: JSON.parse(r.body),
        signer: r.signer as Hex,
        signature: r.signature as Hex,
        digest: r.digest as Hex,
      },
      epoch: r.epoch,
      status: r.e_status === 'settled' ? 'settled' : 'pending',
      txHash: r.e_status === 'settled' ? (r.e_tx as Hex) : null,
      createdAt: r.created_at,
    };
  }

  /** Records not yet in any epoch: count and the oldest created_at (unix ms, null when none). */
  unassigned(): { count: number; oldestAt: number | null } {
    const r = this.sql('SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM records WHERE epoch IS NULL').get() as {
      n: number;
      oldest: number | null;
    };
    return { count: r.n, oldestAt: r.oldest };
  }

  /** Closes the next epoch over all unassigned records; null when there are none. */
  closeEpoch(): EpochRow | null {
    return this.db
      .transaction((): EpochRow | null => {
        const rows = this.sql(
          'SELECT seq, record_id, digest, body FROM records WHERE epoch IS NULL ORDER BY seq',
        ).all() as Array<{ seq: number; record_id: Hex; digest: Hex; body: string }>;
        if (rows.length === 0) return null;
        const last = this.sql('SELECT epoch, payout_tree FROM epochs ORDER BY epoch DESC LIMIT 1').get() as
          { epoch: number; payout_tree: string | null } | undefined;
        const epoch = (last?.epoch ?? 0) + 1;
        const previous = payoutsFromDump(last?.payout_tree ? (JSON.parse(last.payout_tree) as TreeDump) : null);
        const records = buildRecordsTree(rows.map((r) => [r.record_id, r.digest]));
        const payouts = buildPayouts(
          previous,
          rows.map((r) => JSON.parse(r.body)),
        );
        this.sql(
          `INSERT INTO epochs (epoch, records_root, payout_root, total, record_count, records_tree, payout_tree, status, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'closed', ?)`,
        ).run(
          epoch,
          records.root,
          payouts.tree.root,
          payouts.total.toString(),
          rows.length,
          JSON.stringify(records.dump),
          payouts.tree.dump && JSON.stringify(payouts.tree.dump),
          this.now(),
        );
        this.sql('UPDATE records SET epoch = ? WHERE epoch IS NULL AND seq <= ?').run(
          epoch,
          rows[rows.length - 1]!.seq,
        );
        return this.epoch(epoch);
      })
      .immediate();
  }

  epoch(epoch: number): EpochRow | null {
    const r = this.sql(`SELECT ${EPOCH_COLS} FROM epochs WHERE epoch = ?`).get(epoch) as EpochDbRow | undefined;
    return r === undefined ? null : toEpoch(r);
  }

  /** Closed but not settled epochs, oldest first. */
  unsettledEpochs(): EpochRow[] {
    return (
      this.sql(`SELECT ${EPOCH_COLS} FROM epochs WHERE status = 'closed' ORDER BY epoch`).all() as EpochDbRow[]
    ).map(toEpoch);
  }

  latestSettled(): EpochRow | null {
    const r = this.sql(
      `SELECT ${EPOCH_COLS} FROM epochs WHERE status = 'settled' ORDER BY epoch DESC LIMIT 1`,
    ).get() as EpochDbRow | undefined;
    return r === undefined ? null : toEpoch(r);
  }

  /** Settled epochs after `epoch`, for resync with a chain that lost them. */
  settledAfter(epoch: number): EpochRow[] {
    return (
      this.sql(`SELECT ${EPOCH_COLS} FROM epochs WHERE status = 'settled' AND epoch > ? ORDER BY epoch`).all(
        epoch,
      ) as EpochDbRow[]
    ).map(toEpoch);
  }

  /** Idempotent: settling a settled epoch with the same tx is a no-op; another tx is a conflict. */
  markSettled(epoch: number, txHash: Hex): void {
    this.db
      .transaction(() => {
        const e = this.epoch(epoch);
        if (e === null) throw new AttributionError('record_not_found', `epoch ${epoch} is not in the outbox`);
        if (e.status === 'settled') {
          if (e.txHash?.toLowerCase() !== txHash.toLowerCase())
            throw new AttributionError('conflict', `epoch ${epoch} is already settled in transaction ${e.txHash}`);
          return;
        }
        this.sql(`UPDATE epochs SET status = 'settled', tx_hash = ?, settled_at = ? WHERE epoch = ?`).run(
          txHash,
          this.now(),
          epoch,
        );
      })
      .immediate();
  }

  /** settled -> closed: the chain no longer holds this epoch's post (e.g. a fresh local chain). */
  reopen(epoch: number): void {
    this.sql(`UPDATE epochs SET status = 'closed', tx_hash = NULL, settled_at = NULL WHERE epoch = ?`).run(epoch);
  }

  recordsTree(epoch: number): TreeDump | null {
    return this.tree('records_tree', epoch);
  }

  payoutTree(epoch: number): TreeDump | null {
    return this.tree('payout_tree', epoch);
  }

  private tree(col: 'records_tree' | 'payout_tree', epoch: number): TreeDump | null {
    const r = this.sql(`SELECT ${col} AS t FROM epochs WHERE epoch = ?`).get(epoch) as { t: string | null } | undefined;
    return r?.t ? (JSON.parse(r.t) as TreeDump) : null;
  }

  getMeta(key: string): string | null {
    const r = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
      key,
      value,
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
