// `npm run posters -- (--key 0x... | --key-file PATH) (--server URL | --rpc URL --contract 0x...)
//                     [show | add | remove] 0x<poster>...`
//
// The settlement contract owner's allowlist of posters (one per replica: its --poster-key's
// address, which GET /v1/attribution/contract names as `poster`).
//   show    (default) for each poster: allowed, latest epoch, wei funded and paid out
//   add     addPoster(poster) for each, sent from --key (the owner), then show
//   remove  removePoster(poster) for each: it posts no more, what it posted stays claimable
// Typical setup: the first replica deploys the contract (its poster key becomes the owner and the
// first poster); the owner then adds the other replicas' posters, which run with
// --settlement-contract set to that address. The key is never printed.

import { fileURLToPath } from 'node:url';
import { getAddress } from 'viem';
import { createChainClient } from '../settlement/chainClient.ts';
import type { Address } from '../records/recordTypes.ts';
import { getJson, parseFlags, rpcChainId, senderKey, serverList } from './cliSupport.ts';

export interface PosterStatus {
  poster: Address;
  allowed: boolean;
  latestEpoch: number;
  funded: bigint;
  paidOut: bigint;
}

const USAGE =
  'usage: npm run posters -- (--key 0x<64 hex> | --key-file PATH) (--server URL | --rpc URL --contract 0x...) [show | add | remove] 0x<poster>...';

export async function runPosters(
  argv: string[],
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<PosterStatus[]> {
  const flags = parseFlags(argv, [], USAGE, true);
  const [first, ...rest] = flags.get('_') ?? [];
  const verb = first === 'add' || first === 'remove' || first === 'show' ? first : 'show';
  const posters = (verb === first ? rest : [first, ...rest])
    .filter((a) => a !== undefined)
    .map((a) => {
      try {
        return getAddress(a!);
      } catch {
        throw new Error(`${JSON.stringify(a)} is not a poster address\n${USAGE}`);
      }
    });
  if (posters.length === 0) throw new Error(`name at least one poster address\n${USAGE}`);
  const key = senderKey(flags, USAGE);
  const [server] = serverList(flags);
  const info = server === undefined ? null : await getJson(`${server}/v1/attribution/contract`);
  const rpc = flags.get('rpc')?.at(-1) ?? info?.rpc_url ?? undefined;
  const contract = (flags.get('contract')?.at(-1) ?? info?.address) as Address | undefined;
  if (rpc === undefined || contract === undefined)
    throw new Error(`need --rpc and --contract, or --server to look them up\n${USAGE}`);
  const chain = createChainClient({
    rpcUrl: rpc,
    chainId: info?.chain_id ?? (await rpcChainId(rpc)),
    privateKey: key,
    contract,
  });
  for (const p of posters) {
    if (verb === 'add') print(`added      ${p} in ${await chain.addPoster(p)}`);
    if (verb === 'remove') print(`removed    ${p} in ${await chain.removePoster(p)}`);
  }
  const out: PosterStatus[] = [];
  for (const poster of posters) {
    const s = {
      poster,
      allowed: await chain.isPoster(poster),
      latestEpoch: await chain.latestEpoch(poster),
      ...(await chain.posterFunds(poster)),
    };
    print(
      `poster     ${poster} ${s.allowed ? 'allowed' : 'NOT allowed'}, latest epoch ${s.latestEpoch}, funded ${s.funded} wei, paid out ${s.paidOut} wei`,
    );
    out.push(s);
  }
  return out;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runPosters(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`posters failed: ${err.message}\n`);
      process.exit(1);
    },
  );
}
