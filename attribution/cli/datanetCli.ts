// `npm run datanet -- COMMAND --server URL [--key 0x... | --key-file PATH] [flags]`
//
// Each DataNet role from its own key (docs/datanets.md). The key signs requests and ballots
// (EIP-712) and sends its own stake transactions; it is never printed or sent to the server.
//   create      --datanet ID --policy owner|validators [--quorum N --slash-ppm N --voting-period S
//               --challenge-window S --unbonding-delay S --min-stake WEI --max-chars N --title T]
//   submit      --datanet ID --text TEXT [--metadata JSON]          (the key is the contributor)
//   open-round  --datanet ID                                        (the key is the owner)
//   vote        --datanet ID --round N [--approve id,id] [--reject id,id]   one signed ballot
//   tally       --datanet ID --round N                              (owner)
//   publish     --datanet ID --version N                            (owner)
//   challenge   --datanet ID --doc DOC_ID                           (owner)
//   sign-challenge   --datanet ID --doc DOC_ID [--version N]        a validator's EIP-712 Challenge signature,
//                    printed as {datanet, doc_id, version, validator, signature} (default: the latest version)
//   quorum-challenge --datanet ID --doc DOC_ID --signatures FILE[,FILE...]   submits a quorum's signatures
//                    (each FILE: one sign-challenge output); needs no key
//   stake       --datanet ID --amount WEI [--rpc URL]               sent from the key, on chain
//   unstake     --datanet ID --amount WEI [--rpc URL]
//   withdraw    --datanet ID [--rpc URL]
//   proof       --datanet ID --doc DOC_ID [--rpc URL]               verifies against the on-chain root
// The registry address and chain id come from GET <server>/v1/datanet-registry; the RPC from --rpc,
// else the server's local anvil (GET <server>/v1/attribution/contract rpc_url).
// Prints one JSON object (the server's answer, or the transaction / check) and exits 0, or the
// error and exits 1.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { privateKeyToAccount } from 'viem/accounts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { Address, Hex } from '../records/recordTypes.ts';
import {
  ballotTree,
  bodyHash,
  datanetKey,
  signBallot,
  signChallenge,
  signRequest,
  VERSION_LEAF_ENCODING,
  type RegistryDomain,
} from '../data/governance/governanceTrees.ts';
import { createRegistryClient } from '../data/governance/registryClient.ts';

const USAGE =
  'usage: npm run datanet -- (create|submit|open-round|vote|tally|publish|challenge|sign-challenge|quorum-challenge|stake|unstake|withdraw|proof) --server URL --datanet ID [--key 0x<64 hex> | --key-file PATH] [flags: see attribution/cli/datanetCli.ts]';

function parseArgs(argv: string[]): { command: string; flags: Map<string, string> } {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('--')) throw new Error(USAGE);
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const v = rest[i + 1];
    if (!a.startsWith('--') || v === undefined) throw new Error(`bad argument ${JSON.stringify(a)}\n${USAGE}`);
    flags.set(a.slice(2), v);
    i++;
  }
  return { command, flags };
}

export async function runDatanetCli(argv: string[]): Promise<unknown> {
  const { command, flags } = parseArgs(argv);
  const need = (k: string): string => {
    const v = flags.get(k);
    if (v === undefined) throw new Error(`${command} needs --${k}\n${USAGE}`);
    return v;
  };
  const server = need('server').replace(/\/$/, '');
  const datanet = need('datanet');
  const key = (): Hex => {
    const k = (flags.get('key') ??
      (flags.has('key-file') ? readFileSync(flags.get('key-file')!, 'utf8').trim() : '')) as Hex;
    if (!/^0x[0-9a-fA-F]{64}$/.test(k)) throw new Error(`${command} needs --key 0x<64 hex> or --key-file`);
    return k;
  };
  const http = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${server}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.error ?? json)}`);
    return json;
  };
  const registry = async () => {
    const r = (await http('GET', '/v1/datanet-registry')) as {
      address: Address;
      chain_id: number;
      now: number;
      eip712: { domain: RegistryDomain };
    };
    const rpc =
      flags.get('rpc') ??
      (await http('GET', '/v1/attribution/contract').then(
        (c) => c.rpc_url as string | null,
        () => null,
      ));
    return { ...r, rpc };
  };
  const chain = async () => {
    const r = await registry();
    if (!r.rpc) throw new Error(`${command} needs --rpc (the server's chain is not a local anvil)`);
    return createRegistryClient({ rpcUrl: r.rpc, chainId: r.chain_id, privateKey: key(), registry: r.address });
  };
  /** payload + {actor, expires, signature} signed by the key */
  const signed = async (action: string, payload: Record<string, unknown>, path: Record<string, unknown> = {}) => {
    const { eip712, now } = await registry();
    const actor = privateKeyToAccount(key()).address.toLowerCase() as Address;
    const expires = now + 300; // the chain's clock, which the server checks against
    const signature = await signRequest(key(), eip712.domain, {
      actor,
      action,
      datanet,
      body: bodyHash({ ...payload, ...path }),
      expires,
    });
    return { ...payload, actor, expires, signature };
  };
  const id = encodeURIComponent(datanet);
  const num = (k: string): number => {
    const n = Number(need(k));
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${k} must be a non-negative integer`);
    return n;
  };
  const opt = (k: string) => (flags.has(k) ? num(k) : undefined);
  const list = (k: string) => (flags.get(k) ?? '').split(',').filter((x) => x !== '');

  switch (command) {
    case 'create': {
      const owner = privateKeyToAccount(key()).address.toLowerCase();
      const maxChars = opt('max-chars');
      const body = Object.fromEntries(
        Object.entries({
          id: datanet,
          title: flags.get('title'),
          owner,
          policy: need('policy'),
          quorum: opt('quorum'),
          slash_ppm: opt('slash-ppm'),
          voting_period: opt('voting-period'),
          challenge_window: opt('challenge-window'),
          unbonding_delay: opt('unbonding-delay'),
          min_stake: flags.get('min-stake'),
          format: maxChars === undefined ? undefined : { max_chars: maxChars },
        }).filter(([, v]) => v !== undefined),
      );
      return http('POST', '/v1/datanets', await signed('create', body));
    }
    case 'submit': {
      const contributor = privateKeyToAccount(key()).address.toLowerCase();
      const metadata = flags.has('metadata') ? (JSON.parse(flags.get('metadata')!) as unknown) : undefined;
      const body =
        metadata === undefined ? { text: need('text'), contributor } : { text: need('text'), contributor, metadata };
      return http('POST', `/v1/datanets/${id}/documents`, await signed('submit', body));
    }
    case 'open-round':
      return http('POST', `/v1/datanets/${id}/rounds`, await signed('open_round', {}));
    case 'vote': {
      const round = num('round');
      const votes = [
        ...list('approve').map((d) => ({ doc_id: d.toLowerCase(), approve: true })),
        ...list('reject').map((d) => ({ doc_id: d.toLowerCase(), approve: false })),
      ];
      const { eip712 } = await registry();
      const root = ballotTree(votes.map((v) => ({ docId: v.doc_id as Hex, approve: v.approve }))).root as Hex;
      const signature = await signBallot(key(), eip712.domain, {
        datanet: datanetKey(datanet),
        round,
        votesRoot: root,
      });
      const voter = privateKeyToAccount(key()).address;
      return http('POST', `/v1/datanets/${id}/rounds/${round}/ballots`, { voter, votes, signature });
    }
    case 'tally': {
      const round = num('round');
      return http('POST', `/v1/datanets/${id}/rounds/${round}/tally`, await signed('tally', {}, { round }));
    }
    case 'publish':
      return http('POST', `/v1/datanets/${id}/versions`, await signed('publish', { version: num('version') }));
    case 'challenge': {
      const doc = need('doc');
      return http(
        'POST',
        `/v1/datanets/${id}/documents/${doc}/challenge`,
        await signed('challenge', {}, { doc_id: doc }),
      );
    }
    case 'sign-challenge': {
      const doc = need('doc').toLowerCase() as Hex;
      const version =
        opt('version') ??
        ((await http('GET', `/v1/datanets/${id}/documents/${doc}/proof`)) as { version: number }).version;
      const { eip712 } = await registry();
      const signature = await signChallenge(key(), eip712.domain, {
        datanet: datanetKey(datanet),
        docId: doc,
        version,
      });
      const validator = privateKeyToAccount(key()).address.toLowerCase();
      return { datanet, doc_id: doc, version, validator, signature };
    }
    case 'quorum-challenge': {
      const doc = need('doc').toLowerCase();
      const parts = list('signatures').map(
        (f) =>
          JSON.parse(readFileSync(f, 'utf8')) as {
            datanet: string;
            doc_id: string;
            version: number;
            validator: string;
            signature: string;
          },
      );
      if (parts.length === 0) throw new Error(`quorum-challenge needs --signatures FILE[,FILE...]\n${USAGE}`);
      const version = opt('version') ?? parts[0]!.version;
      for (const p of parts)
        if (p.datanet !== datanet || p.doc_id !== doc || p.version !== version)
          throw new Error(
            `${p.validator} signed ${p.datanet} ${p.doc_id} version ${p.version}, not ${datanet} ${doc} version ${version}`,
          );
      return http('POST', `/v1/datanets/${id}/documents/${doc}/quorum-challenge`, {
        version,
        signatures: parts.map((p) => ({ validator: p.validator, signature: p.signature })),
      });
    }
    case 'stake':
    case 'unstake':
    case 'withdraw': {
      const c = await chain();
      const receipt =
        command === 'stake'
          ? await c.stake(datanet, BigInt(need('amount')))
          : command === 'unstake'
            ? await c.requestUnstake(datanet, BigInt(need('amount')))
            : await c.withdraw(datanet);
      const s = await c.stakeOf(datanet, c.account);
      return {
        command,
        tx: receipt.transactionHash,
        validator: c.account,
        active: s.active.toString(),
        unbonding: s.unbonding.toString(),
        unbond_at: s.unbondAt,
      };
    }
    case 'proof': {
      const p = (await http('GET', `/v1/datanets/${id}/documents/${need('doc')}/proof`)) as {
        version: number;
        root: Hex;
        leaf: [Hex, Hex, Hex];
        proof: Hex[];
      };
      const r = await registry();
      const onChainRoot = r.rpc
        ? (
            await createRegistryClient({
              rpcUrl: r.rpc,
              chainId: r.chain_id,
              privateKey: `0x${'01'.padStart(64, '0')}`,
              registry: r.address,
            }).versionOf(datanet, p.version)
          ).root
        : null;
      const verifies = StandardMerkleTree.verify(onChainRoot ?? p.root, [...VERSION_LEAF_ENCODING], p.leaf, p.proof);
      return { ...p, on_chain_root: onChainRoot, verifies };
    }
    default:
      throw new Error(`unknown command ${command}\n${USAGE}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runDatanetCli(process.argv.slice(2)).then(
    (out) => process.stdout.write(`${JSON.stringify(out, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
