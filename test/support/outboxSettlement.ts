// Settlement as the chain and one replica's outbox show it, read independently of the settlement
// code: every outbox row with its epoch's status, and whether each epoch's records root on chain is
// the Merkle root recomputed from the outbox's rows. Read an outbox after its process stopped.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildRecordsTree, type ChainClient, type Hex } from '../../attribution/index.ts';

export interface OutboxRow {
  record_id: Hex;
  digest: Hex;
  body: string;
  epoch: number | null;
  status: string | null;
}

/** Every record of `<dataDir>/outbox.sqlite` with its epoch's status, and the last epoch closed. */
export function readOutbox(dataDir: string): { records: OutboxRow[]; maxEpoch: number } {
  const db = new Database(join(dataDir, 'outbox.sqlite'), { readonly: true });
  try {
    const records = db
      .prepare(
        'SELECT r.record_id, r.digest, r.body, r.epoch, e.status FROM records r LEFT JOIN epochs e ON e.epoch = r.epoch',
      )
      .all() as OutboxRow[];
    const maxEpoch = (db.prepare('SELECT MAX(epoch) AS m FROM epochs').get() as { m: number | null }).m ?? 0;
    return { records, maxEpoch };
  } finally {
    db.close();
  }
}

/**
 * Problems (empty = none) with one poster's settlement: an unsettled row, a chain that holds more
 * or fewer epochs than the outbox, or an epoch whose on-chain root is not its rows' root.
 */
export async function settlementProblems(
  chain: ChainClient,
  poster: Hex,
  outbox: { records: OutboxRow[]; maxEpoch: number },
): Promise<string[]> {
  const problems: string[] = [];
  const byEpoch = new Map<number, Array<[Hex, Hex]>>();
  for (const row of outbox.records) {
    if (row.status !== 'settled' || row.epoch === null) problems.push(`record ${row.record_id}: ${row.status}`);
    else byEpoch.set(row.epoch, [...(byEpoch.get(row.epoch) ?? []), [row.record_id, row.digest]]);
  }
  const onChain = await chain.latestEpoch(poster);
  if (onChain !== outbox.maxEpoch) problems.push(`chain has ${onChain} epochs, the outbox ${outbox.maxEpoch}`);
  for (let e = 1; e <= outbox.maxEpoch; e++)
    if ((await chain.recordsRoot(e, poster)) !== buildRecordsTree(byEpoch.get(e) ?? []).root)
      problems.push(`epoch ${e}: the on-chain root is not the outbox's records`);
  return problems;
}
