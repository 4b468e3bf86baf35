// Gas of the DataNetRegistry contract on a real local anvil (`--optimism`, L2 execution gas only;
// anvil does not model the L1 data fee): deploy, createDataNet, stake, openRound, submitTally,
// publishVersion, challenge (slashing every approver), challengeByQuorum (the quorum's 2 and all 3
// validators' signatures, slashing every approver), requestUnstake, withdraw. Rounds of 10 and
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
  signChallenge,
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
  // the contract takes approvers and quorum signers in ascending address order
  const sortedKeys = [...vKeys].sort((a, b) =>
    privateKeyToAccount(a).address.toLowerCase() < privateKeyToAccount(b).address.toLowerCase() ? -1 : 1,
  );
  const approvers = sortedKeys.map((k) => privateKeyToAccount(k).address);
  const challenged = (i: number) => {
    const d = big.ds[i]!;
    const proof = big.tree.getProof(versionLeaf(d)) as Hex[];
    const voteProof = ballotTree(big.votes).getProof(ballotLeaf({ docId: d.docId, approve: true })) as Hex[];
    return { doc: { ...d, version: 3, round: big.round, proof }, voteProofs: approvers.map(() => voteProof) };
  };
  const c0 = challenged(0);
  note(
    `challenge (3 approvers slashed, ${BIG}-doc version)`,
    await poster.challenge('bench', c0.doc, approvers, c0.voteProofs),
  );
  for (const [i, signers] of [
    [1, 2],
    [2, 3],
  ] as const) {
    const c = challenged(i);
    const signatures = await Promise.all(
      sortedKeys.slice(0, signers).map(async (k) => ({
        validator: privateKeyToAccount(k).address as Hex,
        signature: await signChallenge(k, domain, { datanet: datanetKey('bench'), docId: c.doc.docId, version: 3 }),
      })),
    );
    note(
      `challengeByQuorum (${signers} signatures, 3 approvers slashed, ${BIG}-doc version)`,
      await poster.challengeByQuorum('bench', c.doc, approvers, c.voteProofs, signatures),
    );
  }
  // the first challenge also pays the treasury's first write (zero -> non-zero); compare like with like
  const c3 = challenged(3);
  note(
    `challenge (3 approvers slashed, ${BIG}-doc version, treasury already non-zero)`,
    await poster.challenge('bench', c3.doc, approvers, c3.voteProofs),
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
