// Wires the settlement half for the server: outbox, signer key, chain (local anvil, an RPC, or
// off), contract (configured, remembered in the outbox, or deployed), signer and the loop.
// buildApp calls startSettlement at onReady and handle.close() at onClose.
//
//   contract address: config -> outbox meta (when the chain still has code there) -> deploy
//                     (with this poster alone on the allowlist).
//   Several replicas: each runs with its own --data-dir (outbox, signer key), --poster-key and
//   --replica-id against one --chain-rpc and --settlement-contract whose owner allowed every
//   poster; each posts its own epoch sequence. A poster not on the allowlist is logged at start
//   (its posts fail with NotPoster and retry until the owner adds it).
//   A data dir stays bound to the first poster that settles its outbox on a contract (outbox
//   meta): another --poster-key would find none of the epochs in its own sequence and post them
//   all again, so start-up refuses it (config_invalid).
//   A fresh local anvil redeploys from dev key #0 at nonce 0, so the address (and with it every
//   record's EIP-712 domain) is the same across restarts; the loop re-posts the epochs it lost.

import { join } from 'node:path';
import { startAnvil, ANVIL_DEV_KEYS, type AnvilNode } from './anvilNode.ts';
import { createChainClient, type ChainClient } from './chainClient.ts';
import { LoraLedgerSettlementAbi } from './contracts/generated/LoraLedgerSettlement.ts';
import {
  createRecordSigner,
  eip712Description,
  eip712Domain,
  type Eip712Description,
  type RecordSigner,
} from '../records/eip712.ts';
import { Outbox } from './outbox.ts';
import { ZERO_ADDRESS, type Address, type Hex } from '../records/recordTypes.ts';
import { Settlement, type SettlementLog } from './settlement.ts';
import { loadOrCreateSignerKey } from '../records/signerKey.ts';
import { AttributionError, LoraledgerError } from '../../common/index.ts';

/** The config fields this needs (server/configSchema.ts documents each). */
export interface SettlementConfig {
  dataDir: string;
  /** --replica-id: reported in the record, payout and contract views. */
  replicaId?: string;
  signerKey?: string;
  chain: 'anvil' | 'rpc' | 'off';
  chainRpc?: string;
  chainId: number;
  settlementContract?: string;
  posterKey?: string;
  epochSeconds: number;
  epochMaxRecords: number;
}

/** What GET /v1/attribution/contract returns. */
export interface ContractInfo {
  address: Address;
  chain_id: number;
  /** The local anvil's URL; null for a configured RPC (it may carry credentials). */
  rpc_url: string | null;
  /** This replica's poster (the chain account its epochs are posted from); null when settlement is off. */
  poster: Address | null;
  replica: string | null;
  abi: typeof LoraLedgerSettlementAbi;
}

export interface SettlementHandle {
  settlement: Settlement;
  /** The server's record signer (domain bound to this chain and contract). */
  signer: RecordSigner;
  /** The durable outbox: append(signed) is durable on return; the loop settles what it holds. */
  outbox: Outbox;
  contractInfo(): ContractInfo;
  eip712(): Eip712Description;
  close(): Promise<void>;
}

export const OUTBOX_FILE = 'outbox.sqlite';

async function resolveContract(
  cfg: SettlementConfig,
  outbox: Outbox,
  chain: ChainClient | null,
  log: SettlementLog | undefined,
): Promise<Address> {
  if (cfg.settlementContract !== undefined) return cfg.settlementContract as Address;
  const remembered = outbox.getMeta(`contract:${cfg.chainId}`) as Address | null;
  if (chain === null) return remembered ?? ZERO_ADDRESS;
  if (remembered !== null) {
    try {
      if (await chain.hasCode(remembered)) return remembered;
    } catch (err) {
      log?.warn(
        { err: (err as Error).message },
        'settlement chain unreachable at start; using the remembered contract',
      );
      return remembered;
    }
  }
  const deployed = await chain.deploy();
  if (remembered !== null && remembered.toLowerCase() !== deployed.toLowerCase()) {
    log?.warn(
      { remembered, deployed },
      'settlement contract redeployed at a new address; older records keep their old EIP-712 domain',
    );
  }
  outbox.setMeta(`contract:${cfg.chainId}`, deployed);
  log?.info({ contract: deployed, chainId: cfg.chainId }, 'settlement contract deployed');
  return deployed;
}

/** Binds the outbox to this poster on `contract` (first start), or refuses another poster. */
function bindPoster(outbox: Outbox, chainId: number, contract: Address, poster: Address): void {
  const key = `poster:${chainId}:${contract.toLowerCase()}`;
  const bound = outbox.getMeta(key);
  if (bound === null) return outbox.setMeta(key, poster);
  if (bound.toLowerCase() !== poster.toLowerCase())
    throw new LoraledgerError(
      'config_invalid',
      `--poster-key: the epochs of this --data-dir on contract ${contract} are posted by ${bound}, but the key given is ${poster}'s; keep one poster key per data dir (another would post every epoch again)`,
    );
}

/** Logs a warning when the configured contract does not (yet) allow this replica's poster. */
async function warnIfNotPoster(chain: ChainClient, log: SettlementLog | undefined): Promise<void> {
  try {
    if (!(await chain.isPoster(chain.account)))
      log?.warn(
        { poster: chain.account, contract: chain.contract },
        "this replica's poster is not on the settlement contract's allowlist; epochs stay pending until the owner adds it",
      );
  } catch (err) {
    log?.warn({ err: (err as Error).message }, 'settlement chain unreachable at start; poster allowlist not checked');
  }
}

export async function startSettlement(cfg: SettlementConfig, log?: SettlementLog): Promise<SettlementHandle> {
  const outbox = new Outbox(join(cfg.dataDir, OUTBOX_FILE));
  let anvil: AnvilNode | null = null;
  try {
    const signerKey = loadOrCreateSignerKey({ key: cfg.signerKey, dataDir: cfg.dataDir });
    let rpcUrl: string | null = null;
    if (cfg.chain === 'anvil') {
      anvil = await startAnvil({ chainId: cfg.chainId });
      rpcUrl = anvil.rpcUrl;
    } else if (cfg.chain === 'rpc') {
      if (cfg.chainRpc === undefined) throw new AttributionError('chain_unavailable', '--chain rpc needs --chain-rpc');
      rpcUrl = cfg.chainRpc;
    }
    const posterKey = (cfg.posterKey ?? ANVIL_DEV_KEYS[0]!) as Hex;
    const mk = (contract?: Address) =>
      rpcUrl === null ? null : createChainClient({ rpcUrl, chainId: cfg.chainId, privateKey: posterKey, contract });
    const address = await resolveContract(cfg, outbox, mk(), log);
    const chain = mk(address);
    if (chain !== null) bindPoster(outbox, cfg.chainId, address, chain.account);
    if (chain !== null && cfg.settlementContract !== undefined) await warnIfNotPoster(chain, log);
    const signer = createRecordSigner(signerKey, eip712Domain(cfg.chainId, address));
    const settlement = new Settlement({
      outbox,
      signer,
      chain,
      replica: cfg.replicaId,
      epochSeconds: cfg.epochSeconds,
      epochMaxRecords: cfg.epochMaxRecords,
      log,
    });
    settlement.start();
    const node = anvil;
    return {
      settlement,
      signer,
      outbox,
      contractInfo: () => ({
        address: signer.domain.verifyingContract,
        chain_id: cfg.chainId,
        rpc_url: node?.rpcUrl ?? null,
        poster: chain?.account ?? null,
        replica: cfg.replicaId ?? null,
        abi: LoraLedgerSettlementAbi,
      }),
      eip712: () => eip712Description(signer.domain),
      async close() {
        await settlement.stop();
        outbox.close();
        await node?.stop();
      },
    };
  } catch (err) {
    outbox.close();
    await anvil?.stop();
    throw err;
  }
}
