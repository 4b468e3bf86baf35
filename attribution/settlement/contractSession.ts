// One sender's session with one contract on the L2, the viem plumbing the settlement client
// (chainClient.ts) and the DataNet registry client (data/governance/registryClient.ts) share:
//
//   at()                       the contract address, or chain_unavailable naming what is missing
//   read(fn, args)             a view call
//   write(what, fn, args, v?)  simulate, send, wait for the receipt; a failed receipt throws
//                              AttributionError(revertCode)
//   deploy(what, args)         deploys the contract's bytecode and returns its address
//   hasCode(address), now()    code at an address; the latest block's timestamp (seconds)
//   guard(what, fn)            runs fn and maps any failure through `toError`
//
// `toError` maps viem's failures to the catalogue (revertOf below finds a contract's named error).
// Messages never contain the RPC URL (it may carry credentials) or keys.

import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type Abi,
  type Chain,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { AttributionError, type ErrorCode, type LoraledgerError } from '../../common/index.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

export interface ContractSessionOptions {
  rpcUrl: string;
  chainId: number;
  /** Sender key. Never logged. */
  privateKey: Hex;
  /** The contract; required for everything but deploy(). */
  address?: Address;
  /** Per-RPC timeout in ms (default 5000); viem retries each call twice with backoff. */
  timeoutMs?: number;
  abi: Abi;
  bytecode: Hex;
  /** What the contract is, for messages: 'settlement contract', 'DataNet registry'. */
  label: string;
  /** The catalogue code of a transaction whose receipt says it reverted. */
  revertCode: ErrorCode;
  toError(err: unknown, what: string): LoraledgerError;
}

/** The contract's named error and its arguments, when `err` is a revert; else null. */
export function revertOf(err: unknown): { name: string; args: readonly unknown[] } | null {
  if (!(err instanceof BaseError)) return null;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return null;
  return { name: revert.data?.errorName ?? revert.reason ?? 'unknown', args: revert.data?.args ?? [] };
}

export function contractSession(opts: ContractSessionOptions) {
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
  const address = opts.address === undefined ? undefined : getAddress(opts.address);
  const abi = opts.abi;

  const at = (): Address => {
    if (address === undefined)
      throw new AttributionError('chain_unavailable', `no ${opts.label} address is configured`);
    return address;
  };
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw opts.toError(err, what);
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
        throw new AttributionError(opts.revertCode, `${what} reverted in transaction ${hash}`);
      return receipt;
    });
  const deploy = (args: readonly unknown[]): Promise<Address> =>
    guard(`deploying the ${opts.label}`, async () => {
      const hash = await wallet.deployContract({ abi, bytecode: opts.bytecode, args } as never);
      const receipt = await pub.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success' || !receipt.contractAddress)
        throw new AttributionError('chain_unavailable', `${opts.label} deployment failed in ${hash}`);
      return getAddress(receipt.contractAddress);
    });
  const hasCode = (where: Address): Promise<boolean> =>
    guard('reading contract code', async () => ((await pub.getCode({ address: where })) ?? '0x') !== '0x');
  const now = (): Promise<number> =>
    guard('reading the chain clock', async () => Number((await pub.getBlock()).timestamp));

  return { account, address, pub, at, guard, read, write, deploy, hasCode, now };
}
