// `npm run verify-record -- --server URL[,URL...] --record 0x<recordId> [--rpc URL] [--signer 0x...]`
//
// An outsider's check of one attribution record, trusting neither the server's root nor its
// proof: it reads the root from the contract. With several replicas, name them all (comma-separated
// or --server repeated): the record is fetched from the first one that holds it.
//   1. signer   = recoverTypedDataAddress(eip712 description, record, signature)  [== --signer]
//                 under the record's version's primary type: 'AttributionRecordV2' when it carries
//                 trainingSources, else 'AttributionRecord' (records signed before version 2)
//   2. digestOk = hashTypedData(record) == leaf[1] and leaf[0] == recordId
//   3. proofOk  = StandardMerkleTree.verify(root, leaf_encoding, leaf, proof)
//   4. rootOk   = contract.recordsRoot(poster, epoch) == root   (each replica's poster has its own
//                 epoch sequence; only an allowed poster can have written that root)
// A pending record passes 1-2 only (it has no epoch yet); `ok` needs all four.
// Also reported, not part of `ok`: replicaOk = (recordId == keccak256(utf8(replica + '/' + requestId))),
// the replica the view names is the one the signed record id carries (null: no replica id).

import { fileURLToPath } from 'node:url';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { createPublicClient, hashTypedData, http, isAddressEqual, recoverTypedDataAddress } from 'viem';
import { recordIdOf } from '../records/buildRecord.ts';
import { getJson } from './cliSupport.ts';
import { LoraLedgerSettlementAbi } from '../settlement/contracts/generated/LoraLedgerSettlement.ts';
import type { Eip712Description } from '../records/eip712.ts';
import type { Address, Hex } from '../records/recordTypes.ts';
import type { RecordView } from '../settlement/settlement.ts';

export interface RecordCheck {
  signer: Address | null;
  signerOk: boolean;
  digestOk: boolean;
  proofOk: boolean;
  rootOk: boolean;
  /** The record id carries the view's replica id; null when the view names no replica. */
  replicaOk: boolean | null;
  ok: boolean;
}

/** Runs checks 1-4 on a record view as served over HTTP; readRoot reads recordsRoot(poster, epoch). */
export async function checkRecordView(
  view: RecordView,
  description: Eip712Description,
  readRoot: (poster: Address, epoch: number) => Promise<Hex>,
  expectedSigner?: Address,
): Promise<RecordCheck> {
  const { EIP712Domain: _, ...types } = description.types;
  const version = view.record.validators !== undefined ? '3' : view.record.trainingSources === undefined ? '1' : '2';
  // a server from before version 2 publishes neither primaryTypes nor the V2 types
  const primaryType = description.primaryTypes?.[version] ?? description.primaryType;
  const typed = { domain: description.domain, types, primaryType, message: view.record } as never;
  let signer: Address | null = null;
  try {
    signer = await recoverTypedDataAddress({ ...(typed as object), signature: view.signature } as never);
  } catch {
    signer = null;
  }
  const signerOk = signer !== null && isAddressEqual(signer, expectedSigner ?? view.signer);
  let digestOk = false;
  try {
    digestOk =
      hashTypedData(typed) === view.leaf[1].toLowerCase() && view.leaf[0] === view.record.recordId.toLowerCase();
  } catch {
    digestOk = false;
  }
  let proofOk = false;
  let rootOk = false;
  if (view.epoch !== null && view.root !== null && view.proof !== null && view.poster != null) {
    try {
      proofOk = StandardMerkleTree.verify(view.root, [...view.leaf_encoding], view.leaf, view.proof);
    } catch {
      proofOk = false;
    }
    rootOk = (await readRoot(view.poster, view.epoch)).toLowerCase() === view.root.toLowerCase();
  }
  const replicaOk =
    view.replica == null
      ? null
      : recordIdOf(view.record.requestId, view.replica) === view.record.recordId.toLowerCase();
  return { signer, signerOk, digestOk, proofOk, rootOk, replicaOk, ok: signerOk && digestOk && proofOk && rootOk };
}

const USAGE =
  'usage: npm run verify-record -- --server http://127.0.0.1:8000[,URL...] --record 0x<recordId> [--rpc URL] [--signer 0x<expected signer>]';

/** The record's view and its server: the first of `servers` that holds it (404 -> the next). */
async function findRecord(servers: string[], recordId: string): Promise<{ server: string; view: RecordView }> {
  for (const server of servers) {
    const res = await fetch(`${server}/v1/attribution/records/${recordId}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) continue;
    const body: any = await res.json().catch(() => null);
    if (!res.ok)
      throw new Error(
        `GET ${server}/v1/attribution/records/${recordId} answered ${res.status}: ${body?.error?.message ?? 'no error message'}`,
      );
    return { server, view: body as RecordView };
  }
  throw new Error(`no server of ${servers.join(', ')} holds record ${recordId}`);
}

export async function runVerifyRecord(
  argv: string[],
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<RecordCheck> {
  const args = new Map<string, string>();
  const servers: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i]!.startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad arguments\n${USAGE}`);
    if (argv[i] === '--server') servers.push(...argv[i + 1]!.split(',').filter((s) => s !== ''));
    else args.set(argv[i]!.slice(2), argv[i + 1]!);
  }
  const recordId = args.get('record');
  if (servers.length === 0 || recordId === undefined) throw new Error(`need --server and --record\n${USAGE}`);
  const { server, view } = await findRecord(
    servers.map((s) => s.replace(/\/$/, '')),
    recordId,
  );
  const description = (await getJson(`${server}/v1/attribution/eip712`)) as Eip712Description;
  const info = await getJson(`${server}/v1/attribution/contract`);
  const rpc = args.get('rpc') ?? info.rpc_url;
  if (!rpc) throw new Error(`the server does not publish its RPC URL: pass --rpc\n${USAGE}`);
  const chain = createPublicClient({ transport: http(rpc) });
  const readRoot = (poster: Address, epoch: number) =>
    chain.readContract({
      address: description.domain.verifyingContract,
      abi: LoraLedgerSettlementAbi,
      functionName: 'recordsRoot',
      args: [poster, BigInt(epoch)],
    });
  const check = await checkRecordView(view, description, readRoot, args.get('signer') as Address | undefined);
  print(`record     ${recordId} (${view.status}${view.epoch === null ? '' : `, epoch ${view.epoch}`})`);
  print(
    `type       ${view.record.trainingSources === undefined ? 'AttributionRecord (version 1)' : `AttributionRecordV2 (${view.record.trainingSources.length} training sources)`}`,
  );
  print(
    `replica    ${view.replica == null ? '(none named)' : `${view.replica} at ${server}, ${check.replicaOk ? 'carried by the record id' : 'NOT the one the record id carries'}`}`,
  );
  print(`signer     ${check.signer ?? '(unrecoverable)'} ${check.signerOk ? 'ok' : 'MISMATCH'}`);
  print(`digest     ${check.digestOk ? 'ok' : 'MISMATCH'}`);
  print(`proof      ${view.proof === null ? 'pending' : check.proofOk ? 'ok' : 'INVALID'}`);
  print(
    `root       ${view.root === null ? 'pending' : check.rootOk ? `ok (on chain, contract ${description.domain.verifyingContract}) posted by ${view.poster}` : 'NOT ON CHAIN'}`,
  );
  print(check.ok ? 'VERIFIED' : 'NOT VERIFIED');
  return check;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runVerifyRecord(process.argv.slice(2)).then(
    (c) => process.exit(c.ok ? 0 : 2),
    (err: Error) => {
      process.stderr.write(`verify-record failed: ${err.message}\n`);
      process.exit(1);
    },
  );
}
