// The settlement service: signs records into the outbox, closes epochs, posts them on chain
// idempotently, and answers record / payout proof queries. Pure of viem: it talks to the chain
// through ChainClient and signs through RecordSigner.
//
//   record(r)    sign -> outbox.append (durable) -> SignedRecord          (the request path)
//   tick         every tickMs: close an epoch when >= epochMaxRecords are unassigned or the
//                oldest is >= epochSeconds old; then post unsettled epochs (backoff on failure).
//                The first pass after start() always runs post (resync with the chain).
//   settleNow()  on demand: close whatever is unassigned and post; throws chain_unavailable
//   post(e)      resync: settled epochs the chain lacks are reopened (fresh local chain);
//                recordsRoot(poster, e) on chain == ours -> already posted: reconcile the tx hash;
//                == 0 -> postEpoch(e, roots, total) and only then markSettled; else conflict.
// Epochs are this replica's own sequence: the contract keeps one per poster (the chain client's
// sender), so replicas with their own poster keys and outboxes never share a nonce or a lock.
// All chain work runs one at a time (a promise chain), so an epoch is never posted twice
// concurrently; across crashes the on-chain check and the contract's strict epoch order do it.

import { AttributionError, nextTurn } from '../../common/index.ts';
import type { ChainClient } from './chainClient.ts';
import { recordPrimaryType, type Eip712Domain, type RecordSigner } from '../records/eip712.ts';
import { loadTree, payoutsFromDump, proofOf, ZERO_ROOT, type LoadedTree } from './merkle.ts';
import type { EpochRow, Outbox } from './outbox.ts';
import { PAYOUT_LEAF_ENCODING, RECORD_LEAF_ENCODING } from '../records/recordTypes.ts';
import type {
  Address,
  AttributionRecord,
  Hex,
  RecordStatus,
  SignedRecord,
  TrainingSource,
} from '../records/recordTypes.ts';
import { rollUp } from '../scoring/trainingShares.ts';

/** pino-compatible subset. */
export interface SettlementLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SettlementOptions {
  outbox: Outbox;
  signer: RecordSigner;
  /** null: settlement is off (records are signed and kept, never posted). */
  chain: ChainClient | null;
  /** This replica's id (--replica-id), reported in the views; its records' ids carry it (recordIdOf). */
  replica?: string;
  /** Close an epoch once the oldest unassigned record is this old, seconds (0 = never on time). */
  epochSeconds: number;
  /** Close an epoch once this many records are unassigned. */
  epochMaxRecords: number;
  log?: SettlementLog;
  now?: () => number;
  /** Loop period, ms (default 250). */
  tickMs?: number;
  /** First retry delay after a failed post, ms (default 500), doubled per failure up to retryMaxMs (default 30000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** What GET /v1/attribution/records/:id returns. */
export interface RecordView {
  record: AttributionRecord;
  signer: Address;
  signature: Hex;
  digest: Hex;
  domain: Eip712Domain;
  /** The EIP-712 primary type the record is signed under (its version's: eip712Description().primaryTypes). */
  primary_type: string;
  /** Version 2: the training sources' shares and amounts per contributor and per DataNet ('' = none); null for version 1. */
  training: {
    by_contributor: Array<{ contributor: string; share_ppm: number; amount: string }>;
    by_datanet: Array<{ datanet: string; share_ppm: number; amount: string }>;
  } | null;
  status: RecordStatus;
  /** The replica that signed and holds the record (null when the server has no replica id). */
  replica: string | null;
  /** The poster (this replica's chain account) whose epoch sequence holds `epoch`; null when settlement is off. */
  poster: Address | null;
  epoch: number | null;
  tx_hash: Hex | null;
  root: Hex | null;
  leaf: [Hex, Hex];
  leaf_encoding: readonly string[];
  proof: Hex[] | null;
}

/** What GET /v1/attribution/payouts/:address returns (latest settled epoch). */
export interface PayoutView {
  account: string;
  /** The poster this payout is owed by (claims name it): this replica's chain account; null when settlement is off. */
  poster: Address | null;
  replica: string | null;
  epoch: number | null;
  /** uint256 decimal string */
  cumulative: string;
  root: Hex | null;
  leaf_encoding: readonly string[];
  proof: Hex[];
}

/** What GET /v1/attribution/epochs/:epoch returns. */
export interface EpochView {
  /** The poster whose sequence this epoch belongs to (null when settlement is off). */
  poster: Address | null;
  epoch: number;
  /** closed = roots fixed, not yet confirmed on chain; settled = posted and confirmed */
  status: 'closed' | 'settled';
  records_root: Hex;
  payout_root: Hex;
  /** uint256 decimal string: wei posted with the epoch */
  total: string;
  record_count: number;
  tx_hash: Hex | null;
  /** unix ms */
  closed_at: number;
  settled_at: number | null;
}

function trainingRollUp(r: AttributionRecord): RecordView['training'] {
  if (r.trainingSources === undefined) return null;
  const roll = (key: (t: TrainingSource) => string) =>
    rollUp(r.trainingSources!, key).map((x) => ({ key: x.key, share_ppm: x.sharePpm, amount: x.amount }));
  return {
    by_contributor: roll((t) => t.contributor.toLowerCase()).map(({ key, ...x }) => ({ contributor: key, ...x })),
    by_datanet: roll((t) => t.datanet).map(({ key, ...x }) => ({ datanet: key, ...x })),
  };
}

const QUIET: SettlementLog = { info() {}, warn() {}, error() {} };

export class Settlement {
  private readonly log: SettlementLog;
  private readonly now: () => number;
  private chainWork: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private nextTryAt = 0;
  /** The first loop pass always checks the chain (resync after a restart onto a fresh chain). */
  private resyncDue = true;
  private readonly trees = new Map<string, LoadedTree>();

  constructor(private readonly opts: SettlementOptions) {
    this.log = opts.log ?? QUIET;
    this.now = opts.now ?? Date.now;
  }

  get domain(): Eip712Domain {
    return this.opts.signer.domain;
  }

  /** The chain account that posts this replica's epochs (null when settlement is off). */
  get poster(): Address | null {
    return this.opts.chain?.account ?? null;
  }

  private get replica(): string | null {
    return this.opts.replica ?? null;
  }

  /** Signs and durably stores a record; resolves only after the outbox fsync. */
  async record(record: AttributionRecord): Promise<SignedRecord> {
    // Requests that finish in one engine step arrive together: each record is signed and stored on
    // its own turn of the event loop, which serves I/O between them (the soak's lag p99).
    await nextTurn();
    const signed = await this.opts.signer.sign(record);
    this.opts.outbox.append(signed);
    return signed;
  }

  recordView(recordId: string): RecordView {
    const stored = this.opts.outbox.get(recordId);
    if (stored === null)
      throw new AttributionError('record_not_found', `no attribution record ${recordId}`, { param: 'record_id' });
    const { signed, epoch, status } = stored;
    const leaf: [Hex, Hex] = [signed.record.recordId.toLowerCase() as Hex, signed.digest.toLowerCase() as Hex];
    let root: Hex | null = null;
    let proof: Hex[] | null = null;
    if (status === 'settled' && epoch !== null) {
      root = this.opts.outbox.epoch(epoch)!.recordsRoot;
      proof = proofOf(this.tree('records', epoch), leaf, `record ${recordId}`);
    }
    return {
      record: signed.record,
      signer: signed.signer,
      signature: signed.signature,
      digest: signed.digest,
      domain: this.domain,
      primary_type: recordPrimaryType(signed.record),
      training: trainingRollUp(signed.record),
      status,
      replica: this.replica,
      poster: this.poster,
      epoch,
      tx_hash: stored.txHash,
      root,
      leaf,
      leaf_encoding: RECORD_LEAF_ENCODING,
      proof,
    };
  }

  payoutView(account: string): PayoutView {
    const a = account.toLowerCase();
    const e = this.opts.outbox.latestSettled();
    const base = { account: a, poster: this.poster, replica: this.replica, leaf_encoding: PAYOUT_LEAF_ENCODING };
    if (e === null || e.payoutRoot === ZERO_ROOT)
      return { ...base, epoch: e?.epoch ?? null, cumulative: '0', root: null, proof: [] };
    const cumulative = payoutsFromDump(this.opts.outbox.payoutTree(e.epoch)).get(a) ?? 0n;
    if (cumulative === 0n) return { ...base, epoch: e.epoch, cumulative: '0', root: e.payoutRoot, proof: [] };
    const proof = proofOf(this.tree('payouts', e.epoch), [a, cumulative.toString()], `account ${a}`);
    return { ...base, epoch: e.epoch, cumulative: cumulative.toString(), root: e.payoutRoot, proof };
  }

  /** GET /v1/attribution/epochs/:epoch */
  epochView(epoch: number): EpochView {
    const e = this.opts.outbox.epoch(epoch);
    if (e === null) throw new AttributionError('record_not_found', `no settlement epoch ${epoch}`, { param: 'epoch' });
    return {
      poster: this.poster,
      epoch: e.epoch,
      status: e.status,
      records_root: e.recordsRoot,
      payout_root: e.payoutRoot,
      total: e.total.toString(),
      record_count: e.recordCount,
      tx_hash: e.txHash,
      closed_at: e.closedAt,
      settled_at: e.settledAt,
    };
  }

  /** Closes whatever is unassigned and posts every unsettled epoch; throws if the chain fails. */
  settleNow(): Promise<EpochRow | null> {
    return this.serial(async () => {
      this.opts.outbox.closeEpoch();
      await this.postAll();
      return this.opts.outbox.latestSettled();
    });
  }

  /** Starts the background loop (unref'd timer). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 250);
    this.timer.unref();
  }

  /** Stops the loop and waits for chain work in flight. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.chainWork.catch(() => undefined);
  }

  /** Counts for /metrics and health. */
  stats(): { unassigned: number; unsettledEpochs: number; latestSettledEpoch: number | null; failures: number } {
    return {
      unassigned: this.opts.outbox.unassigned().count,
      unsettledEpochs: this.opts.outbox.unsettledEpochs().length,
      latestSettledEpoch: this.opts.outbox.latestSettled()?.epoch ?? null,
      failures: this.failures,
    };
  }

  private tick(): void {
    if (this.now() < this.nextTryAt) return;
    const { count, oldestAt } = this.opts.outbox.unassigned();
    const due =
      count >= this.opts.epochMaxRecords ||
      (this.opts.epochSeconds > 0 && oldestAt !== null && this.now() - oldestAt >= this.opts.epochSeconds * 1000);
    if (!due && !this.resyncDue && this.opts.outbox.unsettledEpochs().length === 0) return;
    this.serial(async () => {
      if (due) {
        try {
          this.opts.outbox.closeEpoch();
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'closing a settlement epoch failed; will retry');
          this.backOff();
          throw err;
        }
      }
      await this.postAll();
    }).catch(() => undefined); // logged above or in postAll, which also schedules the retry
  }

  private async postAll(): Promise<void> {
    const chain = this.opts.chain;
    if (chain === null) return;
    try {
      const chainLatest = await chain.latestEpoch();
      for (const e of this.opts.outbox.settledAfter(chainLatest)) {
        this.log.warn({ epoch: e.epoch, chainLatest }, 'settlement chain lacks a settled epoch; re-posting it');
        this.opts.outbox.reopen(e.epoch);
      }
      for (const e of this.opts.outbox.unsettledEpochs()) await this.post(chain, e);
      this.resyncDue = false;
      if (this.failures > 0) this.log.info({ failures: this.failures }, 'settlement chain reachable again');
      this.failures = 0;
      this.nextTryAt = 0;
    } catch (err) {
      const delay = this.backOff();
      const code = err instanceof AttributionError ? err.code : 'unexpected';
      this.log.warn(
        { code, err: (err as Error).message, failures: this.failures, retryInMs: delay },
        'settlement post failed; records stay pending',
      );
      throw err;
    }
  }

  /** Counts a failure and schedules the next try (exponential backoff); returns the delay in ms. */
  private backOff(): number {
    this.failures += 1;
    const delay = Math.min(this.opts.retryMaxMs ?? 30_000, (this.opts.retryBaseMs ?? 500) * 2 ** (this.failures - 1));
    this.nextTryAt = this.now() + delay;
    return delay;
  }

  private async post(chain: ChainClient, e: EpochRow): Promise<void> {
    const onchain = await chain.recordsRoot(e.epoch);
    let txHash: Hex;
    if (onchain.toLowerCase() === e.recordsRoot.toLowerCase()) {
      txHash = (await chain.findEpochPost(e.epoch)) ?? ZERO_ROOT;
      this.log.info({ epoch: e.epoch, txHash }, 'epoch already on chain; reconciled');
    } else if (onchain !== ZERO_ROOT) {
      throw new AttributionError(
        'conflict',
        `epoch ${e.epoch} is on chain with a different records root (another replica posting with this poster key?)`,
        { details: { epoch: e.epoch } },
      );
    } else {
      txHash = await chain.postEpoch({
        epoch: e.epoch,
        recordsRoot: e.recordsRoot,
        payoutRoot: e.payoutRoot,
        total: e.total,
      });
      this.log.info({ epoch: e.epoch, records: e.recordCount, total: e.total.toString(), txHash }, 'epoch posted');
    }
    this.opts.outbox.markSettled(e.epoch, txHash);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chainWork.then(fn, fn);
    this.chainWork = run.catch(() => undefined);
    return run;
  }

  private tree(kind: 'records' | 'payouts', epoch: number): LoadedTree {
    const key = `${kind}:${epoch}`;
    let t = this.trees.get(key);
    if (t === undefined) {
      const dump = kind === 'records' ? this.opts.outbox.recordsTree(epoch) : this.opts.outbox.payoutTree(epoch);
      if (dump === null) throw new AttributionError('record_not_found', `epoch ${epoch} has no ${kind} tree`);
      t = loadTree(dump);
      if (this.trees.size >= 8) this.trees.delete(this.trees.keys().next().value!);
      this.trees.set(key, t);
    }
    return t;
  }
}
