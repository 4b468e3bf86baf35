// Wires DataNet governance for the server, on the settlement chain (the same local anvil or RPC):
//   registry address: remembered in <dataDir>/governance.sqlite per chain id while the chain still
//                     has code there, else deployed from the poster key (poster = that key)
//   governance       = DataNetGovernance(store, governance.sqlite, registry client as poster)
// With --chain off there is no governance: only open DataNets exist (the routes say so).

import { join } from 'node:path';
import { ANVIL_DEV_KEYS } from '../../settlement/anvilNode.ts';
import type { Address, Hex } from '../../records/recordTypes.ts';
import type { DatanetStore } from '../datanetStore.ts';
import { DataNetGovernance } from './governance.ts';
import { GovernanceStore } from './governanceStore.ts';
import { createRegistryClient } from './registryClient.ts';
import { registryDomain } from './governanceTrees.ts';

export const GOVERNANCE_FILE = 'governance.sqlite';

export interface GovernanceHandle {
  governance: DataNetGovernance;
  registry: Address;
  close(): void;
}

export async function startGovernance(o: {
  dataDir: string;
  /** null: no chain (--chain off) -> no governance */
  rpcUrl: string | null;
  chainId: number;
  posterKey?: string;
  store: DatanetStore;
  log?: { info(obj: object, msg: string): void };
}): Promise<GovernanceHandle | null> {
  if (o.rpcUrl === null) return null;
  const state = new GovernanceStore(join(o.dataDir, GOVERNANCE_FILE));
  try {
    const privateKey = (o.posterKey ?? ANVIL_DEV_KEYS[0]!) as Hex;
    const base = { rpcUrl: o.rpcUrl, chainId: o.chainId, privateKey };
    const metaKey = `registry:${o.chainId}`;
    let registry = state.getMeta(metaKey) as Address | null;
    const probe = createRegistryClient(base);
    if (registry === null || !(await probe.hasCode(registry))) {
      registry = await probe.deploy();
      state.setMeta(metaKey, registry);
      o.log?.info({ registry, chainId: o.chainId }, 'DataNet registry deployed');
    }
    const client = createRegistryClient({ ...base, registry });
    const governance = new DataNetGovernance({
      store: o.store,
      state,
      registry: client,
      domain: registryDomain(o.chainId, registry),
    });
    return { governance, registry, close: () => state.close() };
  } catch (err) {
    state.close();
    throw err;
  }
}
