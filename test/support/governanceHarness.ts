// DataNet governance on a REAL anvil for the e2e tests (test/datanetGovernance*.e2e.test.ts): a fresh
// anvil, the DataNetRegistry deployed from the poster key (dev key #0), the governance service over
// in-memory SQLite, and the DataNet + governance routes behind Fastify inject. Roles sign with their
// own keys (EIP-712); validators send their own stake transactions.
// roleSigner signs the same way against any server's registry (test/datanetVersionTraining.e2e.test.ts).
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { createPublicClient, http, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_KEYS, startAnvil, type AnvilNode } from '../../attribution/settlement/anvilNode.ts';
import {
  bodyHash,
  DataNetGovernance,
  DatanetStore,
  GovernanceStore,
  createRegistryClient,
  datanetKey,
  registryDomain,
  signBallot,
  signRequest,
  ballotTree,
  type RegistryClient,
  type RegistryDomain,
} from '../../attribution/index.ts';
import { installErrorHandlers } from '../../server/http/errorHandler.ts';
import { makeAdminGuard } from '../../server/http/adminAuth.ts';
import { datanetRoutes } from '../../server/routes/datanets.ts';
import { datanetGovernanceRoutes } from '../../server/routes/datanetGovernance.ts';

export const CHAIN_ID = 31337;
export const ADMIN = 'gov-admin-key-1';
export const admin = { authorization: `Bearer ${ADMIN}` };
export const OWNER_KEY: Hex = '0x1111111111111111111111111111111111111111111111111111111111111111';
export const CONTRIBUTOR_KEY: Hex = '0x2222222222222222222222222222222222222222222222222222222222222222';
export const STRANGER_KEY: Hex = '0x3333333333333333333333333333333333333333333333333333333333333333';
/** anvil dev keys #1..#4: funded, so they can stake */
export const VALIDATOR_KEYS = [ANVIL_DEV_KEYS[1]!, ANVIL_DEV_KEYS[2]!, ANVIL_DEV_KEYS[3]!, ANVIL_DEV_KEYS[4]!];
export const addressOf = (key: Hex) => privateKeyToAccount(key).address.toLowerCase() as Hex;

/** A role's signed request and a voter's signed ballot, for a registry's EIP-712 domain. */
export interface RoleSigner {
  /** payload + {actor, expires, signature}: a role's signed request, valid 600 s from the chain's now */
  signed(key: Hex, action: string, datanet: string, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  ballot(
    key: Hex,
    datanet: string,
    round: number,
    votes: Array<{ doc_id: string; approve: boolean }>,
  ): Promise<{ voter: Hex; votes: Array<{ doc_id: string; approve: boolean }>; signature: Hex }>;
}

/** Signs as the roles do, against `domain`; `now` is the chain's time (seconds). */
export function roleSigner(domain: RegistryDomain, now: () => Promise<number>): RoleSigner {
  return {
    async signed(key, action, datanet, payload) {
      const actor = addressOf(key);
      const expires = (await now()) + 600;
      const signature = await signRequest(key, domain, { actor, action, datanet, body: bodyHash(payload), expires });
      return { ...payload, actor, expires, signature };
    },
    async ballot(key, datanet, round, votes) {
      const root = ballotTree(votes.map((v) => ({ docId: v.doc_id as Hex, approve: v.approve }))).root as Hex;
      const signature = await signBallot(key, domain, { datanet: datanetKey(datanet), round, votesRoot: root });
      return { voter: privateKeyToAccount(key).address, votes, signature };
    },
  };
}

export interface GovernanceHarness {
  anvil: AnvilNode;
  app: FastifyInstance;
  store: DatanetStore;
  state: GovernanceStore;
  gov: DataNetGovernance;
  /** the server's registry client (poster key) */
  poster: RegistryClient;
  registry: Hex;
  pub: PublicClient;
  /** a registry client per VALIDATOR_KEYS entry (its own key) */
  asValidator: RegistryClient[];
  advance(seconds: number): Promise<void>;
  signed: RoleSigner['signed'];
  ballot: RoleSigner['ballot'];
  post(url: string, payload: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startGovernanceHarness(): Promise<GovernanceHarness> {
  const anvil = await startAnvil({ chainId: CHAIN_ID });
  const deployer = createRegistryClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey: ANVIL_DEV_KEYS[0]! });
  const registry = (await deployer.deploy()) as Hex;
  const client = (privateKey: Hex) =>
    createRegistryClient({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, privateKey, registry });
  const poster = client(ANVIL_DEV_KEYS[0]!);
  const store = new DatanetStore(':memory:');
  const state = new GovernanceStore(':memory:');
  const gov = new DataNetGovernance({ store, state, registry: poster, domain: registryDomain(CHAIN_ID, registry) });
  const app = Fastify({ logger: false });
  installErrorHandlers(app);
  const adminGuard = makeAdminGuard(ADMIN);
  await app.register(datanetRoutes(store, { adminGuard, governance: gov }));
  await app.register(datanetGovernanceRoutes(gov, { adminGuard }));
  await app.ready();
  const rpc = async (method: string, params: unknown[] = []) => {
    const res = await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return ((await res.json()) as { result: unknown }).result;
  };
  return {
    anvil,
    app,
    store,
    state,
    gov,
    poster,
    registry,
    pub: createPublicClient({ transport: http(anvil.rpcUrl) }) as PublicClient,
    asValidator: VALIDATOR_KEYS.map(client),
    async advance(seconds) {
      await rpc('evm_increaseTime', [seconds]);
      await rpc('evm_mine');
    },
    ...roleSigner(gov.domain, () => poster.now()),
    post: (url, payload, headers = {}) => app.inject({ method: 'POST', url, payload: payload as object, headers }),
    get: (url) => app.inject({ method: 'GET', url }),
    async close() {
      await app.close();
      store.close();
      state.close();
      await anvil.stop();
    },
  };
}

/** Asserts an error in OpenAI's shape: status, code and a message matching `re`. */
export function expectError(
  res: { statusCode: number; json(): unknown },
  status: number,
  code: string,
  re: RegExp,
): void {
  const body = res.json() as { error: { code: string; message: string } };
  assert.equal(res.statusCode, status, JSON.stringify(body));
  assert.equal(body.error.code, code, body.error.message);
  assert.match(body.error.message, re);
}

/** `code message` of the error a promise rejects with ('no revert' when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return `${(e as { code: string }).code} ${(e as Error).message}`;
  }
  return 'no revert';
}
