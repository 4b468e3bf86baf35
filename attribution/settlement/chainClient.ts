// The settlement chain behind a small interface (the viem edge for the chain).
//
//   deploy(posters?)                -> contract address (LoraLedgerSettlement; posters = [sender] by default)
//   latestEpoch / recordsRoot(e) / payoutRootOf(e) / claimed(a) / claimable(a, cum, proof)   reads of
//                                      ONE poster's sequence: `poster` when given, else the sender's
//   postEpoch({epoch, roots, total}) -> tx hash, after the receipt confirms (value = total wei);
//                                      epochs are the sender's own sequence
//   findEpochPost(e)                -> tx hash of the sender's EpochPosted(e) event, or null
//   claim({poster, account, cumulative, proof})  -> {txHash, paid}   one poster's part
//   claimMany({account, parts})     -> {txHash, paid}   every poster's part in one transaction
//   addPoster / removePoster / isPoster   the owner's allowlist
//
// Errors: a revert becomes AttributionError('record_invalid') naming the contract error; anything
// else (refused connection, timeout) becomes AttributionError('chain_unavailable'). Messages
// never contain the RPC URL (it may carry credentials) or keys.

import { BaseError, getAddress, HttpRequestError, parseEventLogs, TimeoutError, type Abi } from 'viem';
import { AttributionError } from '../../common/index.ts';
import {
  LoraLedgerSettlementAbi as abi,
  LoraLedgerSettlementBytecode as bytecode,
} from './contracts/generated/LoraLedgerSettlement.ts';
import type { Address, Hex } from '../records/recordTypes.ts';
import { contractSession, revertOf } from './contractSession.ts';

export interface ChainClientOptions {
  rpcUrl: string;
  chainId: number;
  /** Sender key (poster for the server, contributor for claims). Never logged. */
  privateKey: Hex;
  /** Settlement contract; required for everything but deploy(). */
  contract?: Address;
  /** Per-RPC timeout in ms (default 5000); viem retries each call twice with backoff. */
  timeoutMs?: number;
}

export interface EpochPost {
  epoch: number;
  recordsRoot: Hex;
  payoutRoot: Hex;
  /** wei sent with the post: the epoch's new payouts */
  total: bigint;
}

/** One poster's part of a claim: the cumulative amount it owes the account and the proof against its payout root. */
export interface PosterClaim {
  poster: Address;
  cumulative: bigint;
  proof: Hex[];
}

export interface ChainClient {
  readonly chainId: number;
  readonly rpcUrl: string;
  /** sender address (the poster, for the server) */
  readonly account: Address;
  readonly contract: Address | undefined;
  /** Deploys with `posters` allowed (default: the sender alone); the sender becomes the owner. */
  deploy(posters?: Address[]): Promise<Address>;
  hasCode(address: Address): Promise<boolean>;
  /** The reads below take `poster` (default: the sender's own sequence). */
  latestEpoch(poster?: Address): Promise<number>;
  recordsRoot(epoch: number, poster?: Address): Promise<Hex>;
  payoutRootOf(epoch: number, poster?: Address): Promise<Hex>;
  postEpoch(post: EpochPost): Promise<Hex>;
  findEpochPost(epoch: number): Promise<Hex | null>;
  claimed(account: Address, poster?: Address): Promise<bigint>;
  claimable(account: Address, cumulative: bigint, proof: Hex[], poster?: Address): Promise<bigint>;
  claim(args: { account: Address } & PosterClaim): Promise<{ txHash: Hex; paid: bigint }>;
  claimMany(args: { account: Address; parts: PosterClaim[] }): Promise<{ txHash: Hex; paid: bigint }>;
  isPoster(poster: Address): Promise<boolean>;
  /** Wei `poster` sent with its epochs, and wei its claims paid out (paidOut <= funded). */
  posterFunds(poster: Address): Promise<{ funded: bigint; paidOut: bigint }>;
  addPoster(poster: Address): Promise<Hex>;
  removePoster(poster: Address): Promise<Hex>;
  balance(address: Address): Promise<bigint>;
}

/** Maps a viem failure to the catalogue; `what` names the operation. */
export function chainError(err: unknown, what: string): AttributionError {
  if (err instanceof AttributionError) return err;
  const revert = revertOf(err);
  if (revert !== null)
    return new AttributionError('record_invalid', `${what} was rejected by the settlement contract: ${revert.name}`, {
      details: { revert: revert.name },
    });
  if (err instanceof BaseError) {
    const unreachable = err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) !== null;
    return new AttributionError(
      'chain_unavailable',
      unreachable
        ? `${what} failed: the settlement chain did not answer`
        : `${what} failed on the settlement chain: ${err.shortMessage}`,
    );
  }
  return new AttributionError('chain_unavailable', `${what} failed: the settlement chain did not answer`);
}

export function createChainClient(opts: ChainClientOptions): ChainClient {
  const {
    account,
    address: contract,
    pub,
    at,
    guard,
    read,
    write,
    deploy,
    hasCode,
  } = contractSession({
    rpcUrl: opts.rpcUrl,
    chainId: opts.chainId,
    privateKey: opts.privateKey,
    address: opts.contract,
    timeoutMs: opts.timeoutMs,
    abi: abi as Abi,
    bytecode,
    label: 'settlement contract',
    revertCode: 'record_invalid',
    toError: chainError,
  });

  /** Sum of the Claimed events' `paid` in a claim's receipt (one per poster part that paid). */
  const paidBy = (receipt: { transactionHash: Hex; logs: Parameters<typeof parseEventLogs>[0]['logs'] }) => ({
    txHash: receipt.transactionHash,
    paid: parseEventLogs({ abi, eventName: 'Claimed', logs: receipt.logs }).reduce((sum, ev) => sum + ev.args.paid, 0n),
  });

  return {
    chainId: opts.chainId,
    rpcUrl: opts.rpcUrl,
    account: account.address,
    contract,
    deploy: (posters) => deploy([posters ?? [account.address]]),
    hasCode,
    latestEpoch: async (poster) => Number(await read<bigint>('latestEpoch', [poster ?? account.address])),
    recordsRoot: (epoch, poster) => read<Hex>('recordsRoot', [poster ?? account.address, BigInt(epoch)]),
    payoutRootOf: (epoch, poster) => read<Hex>('payoutRootOf', [poster ?? account.address, BigInt(epoch)]),
    postEpoch: async (p) =>
      (
        await write(
          `posting epoch ${p.epoch}`,
          'postEpoch',
          [BigInt(p.epoch), p.recordsRoot, p.payoutRoot, p.total],
          p.total,
        )
      ).transactionHash,
    findEpochPost: (epoch) =>
      guard(`finding the post of epoch ${epoch}`, async () => {
        const logs = await pub.getContractEvents({
          address: at(),
          abi,
          eventName: 'EpochPosted',
          args: { poster: account.address, epoch: BigInt(epoch) },
          fromBlock: 0n,
        });
        return logs.length === 0 ? null : logs[0]!.transactionHash;
      }),
    claimed: (a, poster) => read<bigint>('claimed', [poster ?? account.address, getAddress(a)]),
    claimable: (a, cumulative, proof, poster) =>
      read<bigint>('claimable', [poster ?? account.address, getAddress(a), cumulative, proof]),
    claim: async ({ account: a, poster, cumulative, proof }) =>
      paidBy(await write(`claiming for ${a}`, 'claim', [getAddress(poster), getAddress(a), cumulative, proof])),
    claimMany: async ({ account: a, parts }) =>
      paidBy(
        await write(`claiming for ${a}`, 'claimMany', [
          getAddress(a),
          parts.map((p) => ({ poster: getAddress(p.poster), cumulativeAmount: p.cumulative, proof: p.proof })),
        ]),
      ),
    isPoster: (poster) => read<boolean>('isPoster', [getAddress(poster)]),
    posterFunds: async (poster) => {
      const [funded, paidOut] = await read<readonly [bigint, bigint]>('balanceOf', [getAddress(poster)]);
      return { funded, paidOut };
    },
    addPoster: async (poster) =>
      (await write(`adding poster ${poster}`, 'addPoster', [getAddress(poster)])).transactionHash,
    removePoster: async (poster) =>
      (await write(`removing poster ${poster}`, 'removePoster', [getAddress(poster)])).transactionHash,
    balance: (address) => guard('reading a balance', () => pub.getBalance({ address })),
  };
}
