// `npm run claim -- --key 0x... | --key-file PATH [--server URL[,URL...]]... [--rpc URL --contract 0x...]
//                   [--account 0x...] [--poster 0x... --cumulative N --proof 0xa,0xb] [--dry-run]`
//
// Shows what a contributor is owed (cumulative, claimed, claimable per poster) and claims it.
// Every replica posts its own epochs and keeps its own payout tree, so a contributor's money is
// owed by several posters: name every replica with --server (repeated or comma-separated).
//   1. contract + rpc: --rpc/--contract, else GET <server>/v1/attribution/contract (every server
//      must name the same contract)
//   2. parts: --poster/--cumulative/--proof (one part; --poster defaults to the first server's), else
//      GET <server>/v1/attribution/payouts/<account> from each server: {poster, cumulative, proof}
//   3. claimed/claimable per part from the contract; unless --dry-run, ONE transaction for every
//      part with something new: claim(poster, ...) for one, claimMany(account, parts) for several,
//      sent from --key (which pays the gas; the ETH goes to --account, default the key's address).
//      Each poster's part pays cumulative - claimed[poster][account], so running it again pays 0.
// The key is never printed.

import { fileURLToPath } from 'node:url';
import { privateKeyToAccount } from 'viem/accounts';
import { createChainClient } from '../settlement/chainClient.ts';
import { getJson, parseFlags, rpcChainId, senderKey, serverList } from './cliSupport.ts';
import type { Address, Hex } from '../records/recordTypes.ts';

export interface ClaimPart {
  poster: Address;
  replica: string | null;
  epoch: number | null;
  cumulative: bigint;
  claimed: bigint;
  claimable: bigint;
  proof: Hex[];
}

export interface ClaimResult {
  account: Address;
  /** One per poster owing something (sums below are over them). */
  parts: ClaimPart[];
  cumulative: bigint;
  claimed: bigint;
  claimable: bigint;
  paid: bigint;
  txHash: Hex | null;
}

const USAGE =
  'usage: npm run claim -- (--key 0x<64 hex> | --key-file PATH) [--server http://127.0.0.1:8000[,URL...]]... [--rpc URL --contract 0x...] [--account 0x...] [--poster 0x... --cumulative N --proof 0x..,0x..] [--dry-run]';

/** Each server's contract info; throws when two servers name different contracts. */
async function contractInfos(
  servers: string[],
): Promise<Array<{ address: Address; chain_id: number; rpc_url: string | null; poster: Address | null }>> {
  const infos = await Promise.all(servers.map((s) => getJson(`${s}/v1/attribution/contract`)));
  for (const [i, info] of infos.entries())
    if (info.address.toLowerCase() !== infos[0].address.toLowerCase())
      throw new Error(`${servers[i]} settles on contract ${info.address} but ${servers[0]} on ${infos[0].address}`);
  return infos;
}

export async function runClaim(
  argv: string[],
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ClaimResult> {
  const args = parseFlags(argv, ['dry-run', 'help'], USAGE);
  const one = (k: string) => args.get(k)?.at(-1);
  if (args.has('help')) {
    print(USAGE);
    throw new Error('help shown');
  }
  const key = senderKey(args, USAGE);
  const account = (one('account') ?? privateKeyToAccount(key).address) as Address;
  const servers = serverList(args);
  const infos = servers.length > 0 ? await contractInfos(servers) : [];
  const rpc = one('rpc') ?? infos.find((i) => i.rpc_url !== null)?.rpc_url ?? undefined;
  const contract = (one('contract') ?? infos[0]?.address) as Address | undefined;
  if (rpc === undefined || contract === undefined)
    throw new Error(`need --rpc and --contract, or --server to look them up\n${USAGE}`);
  const given = [];
  if (args.has('cumulative') || args.has('proof')) {
    const poster = (one('poster') ?? infos[0]?.poster) as Address | undefined;
    if (poster === undefined || !args.has('cumulative') || !args.has('proof'))
      throw new Error(`--cumulative and --proof go together, with --poster or a --server naming it\n${USAGE}`);
    const proof = one('proof')!
      .split(',')
      .filter((p) => p !== '') as Hex[];
    given.push({ poster, replica: null, epoch: null, cumulative: BigInt(one('cumulative')!), proof });
  } else {
    if (servers.length === 0) throw new Error(`need --cumulative and --proof, or --server to fetch them\n${USAGE}`);
    const owed = await Promise.all(servers.map((s) => getJson(`${s}/v1/attribution/payouts/${account}`)));
    const seen = new Set<string>();
    for (const p of owed) {
      if (p.poster === null || p.cumulative === '0' || seen.has(p.poster.toLowerCase())) continue;
      seen.add(p.poster.toLowerCase());
      given.push({
        poster: p.poster,
        replica: p.replica,
        epoch: p.epoch,
        cumulative: BigInt(p.cumulative),
        proof: p.proof,
      });
    }
  }
  const chain = createChainClient({
    rpcUrl: rpc,
    chainId: infos[0]?.chain_id ?? (await rpcChainId(rpc)),
    privateKey: key,
    contract,
  });
  const parts: ClaimPart[] = [];
  for (const g of given) {
    const claimed = await chain.claimed(account, g.poster);
    const claimable = await chain.claimable(account, g.cumulative, g.proof, g.poster);
    parts.push({ ...g, claimed, claimable });
  }
  const sum = (f: (p: ClaimPart) => bigint) => parts.reduce((s, p) => s + f(p), 0n);
  print(`account    ${account}`);
  for (const p of parts)
    print(
      `poster     ${p.poster}${p.replica === null ? '' : ` (replica ${p.replica}, epoch ${p.epoch})`}: cumulative ${p.cumulative}, claimed ${p.claimed}, claimable ${p.claimable} wei`,
    );
  print(`cumulative ${sum((p) => p.cumulative)} wei`);
  print(`claimed    ${sum((p) => p.claimed)} wei`);
  print(`claimable  ${sum((p) => p.claimable)} wei`);
  const result: ClaimResult = {
    account,
    parts,
    cumulative: sum((p) => p.cumulative),
    claimed: sum((p) => p.claimed),
    claimable: sum((p) => p.claimable),
    paid: 0n,
    txHash: null,
  };
  const due = parts.filter((p) => p.claimable > 0n);
  if (due.length === 0 || args.has('dry-run')) return result;
  const { txHash, paid } =
    due.length === 1 ? await chain.claim({ account, ...due[0]! }) : await chain.claimMany({ account, parts: due });
  print(`paid       ${paid} wei in ${txHash} (${due.length} poster${due.length === 1 ? '' : 's'})`);
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
