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

import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  getAddress,
  HttpRequestError,
  parseEventLogs,
  TimeoutError,
  type Chain,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { AttributionError } from '../../common/index.ts';
import {
  LoraLedgerSettlementAbi as abi,
  LoraLedgerSettlementBytecode as bytecode,
} from './contracts/generated/LoraLedgerSettlement.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

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
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      const name = revert.data?.errorName ?? revert.reason ?? 'unknown';
      return new AttributionError('record_invalid', `${what} was rejected by the settlement contract: ${name}`, {
        details: { revert: name },
      });
    }
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
  const chain: Chain = defineChain({
    id: opts.chainId,
    name: 'loraledger-l2',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } },
  });
  const transport = http(opts.rpcUrl, { timeout: opts.timeoutMs ?? 5000, retryCount: 2, retryDelay: 100 });
  const account = privateKeyToAccount(opts.privateKey);
  const pub = createPublicClient({ chain, transport, pollingInterval: 50 });
  const wallet = createWalletClient({ chain, transport, account, pollingInterval: 50 });
  const contract = opts.contract === undefined ? undefined : getAddress(opts.contract);

  const at = (): Address => {
    if (contract === undefined)
      throw new AttributionError('chain_unavailable', 'no settlement contract address is configured');
    return contract;
  };
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw chainError(err, what);
    }
  };
  const read = <T>(functionName: string, args: readonly unknown[]): Promise<T> =>
    guard(
      `reading ${functionName}`,
      () => pub.readContract({ address: at(), abi, functionName, args } as never) as Promise<T>,
    );
  const write = (what: string, functionName: string, args: readonly unknown[], value?: bigint) =>
    guard(what, async () => {
      const { request } = await pub.simulateContract({
        address: at(),
        abi,
        functionName,
        args,
        value,
        account,
      } as never);
      const hash = await wallet.writeContract(request as never);
      const receipt = await pub.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success')
        throw new AttributionError('record_invalid', `${what} reverted in transaction ${hash}`);
      return receipt;
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
    deploy: (posters) =>
      guard('deploying the settlement contract', async () => {
        const hash = await wallet.deployContract({ abi, bytecode, args: [posters ?? [account.address]] });
        const receipt = await pub.waitForTransactionReceipt({ hash });
        if (receipt.status !== 'success' || !receipt.contractAddress)
          throw new AttributionError('chain_unavailable', `settlement contract deployment failed in ${hash}`);
        return getAddress(receipt.contractAddress);
      }),
    hasCode: (address) =>
      guard('reading contract code', async () => ((await pub.getCode({ address })) ?? '0x') !== '0x'),
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
