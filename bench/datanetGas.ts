// Gas of the DataNetRegistry contract on a real local anvil (`--optimism`, L2 execution gas only;
// anvil does not model the L1 data fee): deploy, createDataNet, stake, openRound, submitTally,
// publishVersion, challenge (slashing every approver), requestUnstake, withdraw. Rounds of 10 and
// of --docs documents show that per-document work stays off chain (roots only); tallies of 1 and 3
// ballots show the per-ballot cost (one signature check each).
//
//   npm run bench:datanet-gas [-- --docs 1000]
//
// Prints one JSON object: code sizes and gasUsed per transaction.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createPublicClient, http, parseEther, type Hex, type TransactionReceipt } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  ANVIL_DEV_KEYS,
  ballotTree,
  createRegistryClient,
  datanetKey,
  registryDomain,
  signBallot,
  startAnvil,
  versionTree,
  versionLeaf,
  ballotLeaf,
  votesRoot,
} from '../attribution/index.ts';
import { DataNetRegistryBytecode } from '../attribution/settlement/contracts/generated/DataNetRegistry.ts';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '1000' } } });
const BIG = Number(values.docs);
const CHAIN_ID = 31337;

const anvil = await startAnvil({ chainId: CHAIN_ID });
try {
  const deployer = createRegistryClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]! });
  const registry = await deployer.deploy();
  const gas: Record<string, number> = {};
  const note = (name: string, r: TransactionReceipt) => (gas[name] = Number(r.gasUsed));
  const poster = createRegistryClient({
    rpcUrl: anvil.rpcUrl,
    chainId: CHAIN_ID,
    privateKey: ANVIL_DEV_KEYS[0]!,
    registry,
  });
  const vKeys = [ANVIL_DEV_KEYS[1]!, ANVIL_DEV_KEYS[2]!, ANVIL_DEV_KEYS[3]!];
  const validators = vKeys.map((k) =>
    createRegistryClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: k, registry }),
  );
  const domain = registryDomain(CHAIN_ID, registry);
  const owner = privateKeyToAccount(ANVIL_DEV_KEYS[0]!).address;
  const params = {
    policy: 'validators' as const,
    quorum: 2,
    slashPpm: 100_000,
    votingPeriod: 3600,
    challengeWindow: 3600,
    unbondingDelay: 0,
    minStake: 1n,
  };
  note('createDataNet', await poster.createDataNet('bench', owner, `0x${'ab'.repeat(32)}`, params));
  note('stake (first)', await validators[0]!.stake('bench', parseEther('1')));
  note('stake (top-up)', await validators[0]!.stake('bench', parseEther('1')));
  for (const v of validators.slice(1)) await v.stake('bench', parseEther('2'));

  const docs = (n: number, salt: string) =>
    Array.from({ length: n }, (_, i) => ({
      docId: `0x${(salt + i.toString(16)).padStart(64, '0')}` as Hex,
      contentHash: `0x${(salt + 'c' + i.toString(16)).padStart(64, '0')}` as Hex,
      contributor: '0x00000000000000000000000000000000000000c1' as Hex,
    }));
  /** one round of `n` documents, `k` ballots approving all, tally, publish; returns the round's data */
  const cycle = async (n: number, k: number, label: string, version: number) => {
    const ds = docs(n, label === 'small' ? 'a' : label === 'big' ? 'b' : 'd');
    const opened = await poster.openRound('bench', versionTree(ds).root as Hex, n);
    note(`openRound (${n} docs)`, opened.receipt);
    const votes = ds.map((d) => ({ docId: d.docId, approve: true }));
    const root = ballotTree(votes).root as Hex;
    const ballots = await Promise.all(
      vKeys.slice(0, k).map(async (key) => ({
        voter: privateKeyToAccount(key).address,
        votesRoot: root,
        signature: await signBallot(key, domain, {
          datanet: datanetKey('bench'),
          round: opened.round,
          votesRoot: root,
        }),
      })),
    );
    const all = votesRoot(ballots.flatMap((b) => votes.map((v) => ({ ...v, voter: b.voter }))));
    note(
      `submitTally (${n} docs, ${k} ballots)`,
      await poster.submitTally('bench', opened.round, all, { approved: n, rejected: 0 }, ballots),
    );
    const tree = versionTree(ds);
    note(`publishVersion (${n} docs)`, await poster.publishVersion('bench', version, tree.root as Hex, n));
    return { ds, tree, round: opened.round, votes };
  };
  await cycle(10, 1, 'small', 1);
  await cycle(10, 3, 'mid', 2);
  const big = await cycle(BIG, 3, 'big', 3);
  const d0 = big.ds[0]!;
  const proof = big.tree.getProof(versionLeaf(d0)) as Hex[];
  const voteProof = ballotTree(big.votes).getProof(ballotLeaf({ docId: d0.docId, approve: true })) as Hex[];
  note(
    `challenge (3 approvers slashed, ${BIG}-doc version)`,
    await poster.challenge(
      'bench',
      { ...d0, version: 3, round: big.round, proof },
      vKeys.map((k) => privateKeyToAccount(k).address),
      [voteProof, voteProof, voteProof],
    ),
  );
  note('requestUnstake', await validators[1]!.requestUnstake('bench', parseEther('1')));
  note('withdraw', await validators[1]!.withdraw('bench'));
  console.log(
    JSON.stringify(
      {
        host: { cpus: cpus().length, model: cpus()[0]?.model },
        chain: 'anvil --optimism (L2 execution gas; no L1 data fee)',
        runtime_bytes:
          ((await createPublicClient({ transport: http(anvil.rpcUrl) }).getCode({ address: registry })) ?? '0x')
            .length /
            2 -
          1,
        init_code_bytes: (DataNetRegistryBytecode.length - 2) / 2,
        gas,
      },
      null,
      2,
    ),
  );
} finally {
  await anvil.stop();
}
