// `npm run claim -- --key 0x... | --key-file PATH [--server URL] [--rpc URL --contract 0x...] [--account 0x...]
//                   [--cumulative N --proof 0xa,0xb] [--dry-run]`
//
// Shows what a contributor is owed (cumulative, claimed, claimable) and claims it.
//   1. contract + rpc: --rpc/--contract, else GET <server>/v1/attribution/contract
//   2. cumulative + proof: --cumulative/--proof, else GET <server>/v1/attribution/payouts/<account>
//   3. claimed/claimable from the contract; unless --dry-run, claim(account, cumulative, proof)
//      sent from --key (which pays the gas; the ETH goes to --account, default the key's address).
// The key is never printed.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { privateKeyToAccount } from 'viem/accounts';
import { createChainClient } from '../settlement/chainClient.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

export interface ClaimResult {
  account: Address;
  epoch: number | null;
  cumulative: bigint;
  claimed: bigint;
  claimable: bigint;
  paid: bigint;
  txHash: Hex | null;
}

const USAGE =
  'usage: npm run claim -- (--key 0x<64 hex> | --key-file PATH) [--server http://127.0.0.1:8000] [--rpc URL --contract 0x...] [--account 0x...] [--cumulative N --proof 0x..,0x..] [--dry-run]';

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(a)}\n${USAGE}`);
    if (a === '--dry-run' || a === '--help') out.set(a.slice(2), 'true');
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      out.set(a.slice(2), v);
    }
  }
  return out;
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body: any = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${body?.error?.message ?? 'no error message'}`);
  return body;
}

async function rpcChainId(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  return Number(((await res.json()) as { result: string }).result);
}

export async function runClaim(
  argv: string[],
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ClaimResult> {
  const args = parseArgs(argv);
  if (args.has('help')) {
    print(USAGE);
    throw new Error('help shown');
  }
  // --key-file keeps the key out of the process list and shell history
  const key = args.has('key-file') ? readFileSync(args.get('key-file')!, 'utf8').trim() : args.get('key');
  if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new Error(`--key (or the --key-file contents) must be 0x followed by 64 hex characters\n${USAGE}`);
  const account = (args.get('account') ?? privateKeyToAccount(key as Hex).address) as Address;
  const server = args.get('server')?.replace(/\/$/, '');
  let rpc = args.get('rpc');
  let contract = args.get('contract') as Address | undefined;
  let chainId: number | undefined;
  if ((rpc === undefined || contract === undefined) && server !== undefined) {
    const info = await getJson(`${server}/v1/attribution/contract`);
    rpc ??= info.rpc_url ?? undefined;
    contract ??= info.address;
    chainId = info.chain_id;
  }
  if (rpc === undefined || contract === undefined)
    throw new Error(`need --rpc and --contract, or --server to look them up\n${USAGE}`);
  let cumulative = args.has('cumulative') ? BigInt(args.get('cumulative')!) : undefined;
  let proof = args.has('proof')
    ? (args
        .get('proof')!
        .split(',')
        .filter((p) => p !== '') as Hex[])
    : undefined;
  let epoch: number | null = null;
  if (cumulative === undefined || proof === undefined) {
    if (server === undefined) throw new Error(`need --cumulative and --proof, or --server to fetch them\n${USAGE}`);
    const p = await getJson(`${server}/v1/attribution/payouts/${account}`);
    cumulative = BigInt(p.cumulative);
    proof = p.proof as Hex[];
    epoch = p.epoch;
  }
  const chain = createChainClient({
    rpcUrl: rpc,
    chainId: chainId ?? (await rpcChainId(rpc)),
    privateKey: key as Hex,
    contract,
  });
  const claimed = await chain.claimed(account);
  const claimable = await chain.claimable(account, cumulative, proof);
  print(`account    ${account}`);
  print(`epoch      ${epoch ?? '(given)'}`);
  print(`cumulative ${cumulative} wei`);
  print(`claimed    ${claimed} wei`);
  print(`claimable  ${claimable} wei`);
  const result: ClaimResult = { account, epoch, cumulative, claimed, claimable, paid: 0n, txHash: null };
  if (claimable === 0n || args.has('dry-run')) return result;
  const { txHash, paid } = await chain.claim({ account, cumulative, proof });
  print(`paid       ${paid} wei in ${txHash}`);
  return { ...result, paid, txHash };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runClaim(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: Error) => {
      if (err.message !== 'help shown') process.stderr.write(`claim failed: ${err.message}\n`);
      process.exit(err.message === 'help shown' ? 0 : 1);
    },
  );
}
