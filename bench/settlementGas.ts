// Gas of the settlement contract on a real local anvil (`--optimism`, L2 execution gas only; the L1
// data fee is not modelled by anvil): deploy, postEpoch of one epoch of N records over N accounts,
// a first claim by a fresh account with a 10-hash proof, a second epoch, and a repeat claim; with
// the multi-poster contract also addPoster, and one claimMany by a fresh account over 3 posters.
//
//   npm run bench:gas                              # the contract as generated in this checkout
//   npm run bench:gas -- --module PATH.ts          # another generated module (e.g. an older commit's)
//
// Prints one JSON object: runtime and init code sizes, and gasUsed per transaction.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  keccak256,
  toHex,
  type Abi,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_KEYS, startAnvil } from '../attribution/index.ts';

const { values } = parseArgs({ options: { module: { type: 'string' }, records: { type: 'string', default: '1000' } } });
const generated =
  values.module ??
  new URL('../attribution/settlement/contracts/generated/LoraLedgerSettlement.ts', import.meta.url).pathname;
const mod = (await import(pathToFileURL(resolve(generated)).href)) as {
  LoraLedgerSettlementAbi: Abi;
  LoraLedgerSettlementBytecode: Hex;
};
const abi = mod.LoraLedgerSettlementAbi;
const bytecode = mod.LoraLedgerSettlementBytecode;
const N = Number(values.records);
/** The multi-poster contract (issue 20): per-poster claims and claimMany; older modules have one poster. */
const multi = abi.some((f) => f.type === 'function' && f.name === 'claimMany');

const anvil = await startAnvil({ chainId: 31337 });
try {
  const chain = defineChain({
    id: 31337,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  const account = privateKeyToAccount(ANVIL_DEV_KEYS[0]!);
  const pub = createPublicClient({ chain, transport: http(), pollingInterval: 20 });
  const wallet = createWalletClient({ chain, account, transport: http(), pollingInterval: 20 });
  const gas: Record<string, number> = {};
  const mined = async (label: string, hash: Hex) => {
    const r = await pub.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`${label} reverted`);
    gas[label] = Number(r.gasUsed);
    return r;
  };
  const deployArgs = multi ? [[account.address]] : [account.address];
  const address = (await mined('deploy', await wallet.deployContract({ abi, bytecode, args: deployArgs })))
    .contractAddress!;
  const write = (functionName: string, args: unknown[], value?: bigint, from = wallet) =>
    from.writeContract({ address, abi, functionName, args, value } as never);
  /** claim's arguments: the poster first on the multi-poster contract. */
  const claimArgs = (who: Hex, amount: bigint, proof: Hex[]) =>
    multi ? [account.address, who, amount, proof] : [who, amount, proof];

  const accounts = Array.from({ length: N }, (_, i) => getAddress(keccak256(toHex(`account${i}`)).slice(0, 42)));
  const owed = accounts.map((_, i) => 10n ** 12n * BigInt(i + 1));
  const records = Array.from({ length: N }, (_, i) => [keccak256(toHex(`record${i}`)), keccak256(toHex(`digest${i}`))]);
  const payoutTree = (extra: bigint) =>
    StandardMerkleTree.of(
      accounts.map((a, i) => [a, (owed[i]! + extra).toString()]),
      ['address', 'uint256'],
    );
  const total = owed.reduce((a, b) => a + b, 0n);

  const p1 = payoutTree(0n);
  await mined(
    'postEpoch (epoch 1)',
    await write('postEpoch', [1n, StandardMerkleTree.of(records, ['bytes32', 'bytes32']).root, p1.root, total], total),
  );
  let leaf = -1;
  for (const [i] of p1.entries())
    if (p1.getProof(i).length === 10) {
      leaf = i;
      break;
    }
  const [who, amount] = p1.at(leaf) as [Hex, string];
  if ((await pub.getBalance({ address: who })) !== 0n) throw new Error('the claiming account is not fresh');
  await mined(
    'claim (first, fresh account, 10-hash proof)',
    await write('claim', claimArgs(who, BigInt(amount), p1.getProof(leaf) as Hex[])),
  );
  if ((await pub.getBalance({ address: who })) !== BigInt(amount)) throw new Error('the claim did not pay');

  const gwei = 10n ** 9n; // epoch 2: every account is owed one more gwei, cumulatively
  const p2 = payoutTree(gwei);
  const records2 = records.map(([r, d]) => [keccak256(r as Hex), d]);
  await mined(
    'postEpoch (epoch 2)',
    await write(
      'postEpoch',
      [2n, StandardMerkleTree.of(records2, ['bytes32', 'bytes32']).root, p2.root, gwei * BigInt(N)],
      gwei * BigInt(N),
    ),
  );
  let again = -1;
  for (const [i, v] of p2.entries()) if (v[0] === who) again = i;
  const proof2 = p2.getProof(again);
  await mined(
    `claim (repeat, same account, ${proof2.length}-hash proof)`,
    await write('claim', claimArgs(who, BigInt(p2.at(again)![1] as string), proof2 as Hex[])),
  );

  if (multi) {
    // two more posters post their epoch 1 with the same payout tree; a fresh account claims all three at once
    for (const k of [1, 2]) {
      const poster = createWalletClient({
        chain,
        account: privateKeyToAccount(ANVIL_DEV_KEYS[k]!),
        transport: http(),
        pollingInterval: 20,
      });
      await mined(`addPoster (#${k + 1})`, await write('addPoster', [poster.account.address]));
      await mined(
        `postEpoch (poster #${k + 1}, epoch 1)`,
        await write(
          'postEpoch',
          [1n, StandardMerkleTree.of(records2, ['bytes32', 'bytes32']).root, p1.root, total],
          total,
          poster,
        ),
      );
    }
    let fresh = -1;
    for (const [i, v] of p2.entries())
      if (v[0] !== who && p1.getProof(i).length === 10 && p2.getProof(i).length === 10) fresh = i;
    const [who3, owed3] = p1.at(fresh) as [Hex, string];
    const parts = [
      { poster: account.address, cumulativeAmount: BigInt(p2.at(fresh)![1] as string), proof: p2.getProof(fresh) },
      ...[1, 2].map((k) => ({
        poster: privateKeyToAccount(ANVIL_DEV_KEYS[k]!).address,
        cumulativeAmount: BigInt(owed3),
        proof: p1.getProof(fresh),
      })),
    ];
    await mined('claimMany (fresh account, 3 posters, 10-hash proofs)', await write('claimMany', [who3, parts]));
    const expected = BigInt(p2.at(fresh)![1] as string) + 2n * BigInt(owed3);
    if ((await pub.getBalance({ address: who3 })) !== expected)
      throw new Error('claimMany did not pay the three parts');
  }

  const code = await pub.getCode({ address });
  const report = {
    host: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    records: N,
    runtimeBytes: (code!.length - 2) / 2,
    initBytes: (bytecode.length - 2) / 2,
    gas,
  };
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
} finally {
  await anvil.stop();
}
