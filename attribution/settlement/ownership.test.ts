// The settlement contract's owner rules (OpenZeppelin Ownable), on a real anvil: only the owner
// manages the poster allowlist, ownership moves with transferOwnership / setOwner, and it can never
// be renounced or given to the zero address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  zeroAddress,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_KEYS, startAnvil, type AnvilNode } from './anvilNode.ts';
import { createChainClient } from './chainClient.ts';
import { LoraLedgerSettlementAbi as abi } from './contracts/generated/LoraLedgerSettlement.ts';

let anvil: AnvilNode;
let contract: Address;
const [owner, other] = [privateKeyToAccount(ANVIL_DEV_KEYS[0]!), privateKeyToAccount(ANVIL_DEV_KEYS[1]!)];

before(async () => {
  anvil = await startAnvil({ chainId: 31337 });
  contract = await createChainClient({ rpcUrl: anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_DEV_KEYS[0]! }).deploy();
});
after(async () => {
  await anvil?.stop();
});

function clients() {
  const chain = defineChain({
    id: 31337,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  return {
    pub: createPublicClient({ chain, transport: http() }),
    wallet: createWalletClient({ chain, transport: http() }),
  };
}

/** Sends a call from `from`; resolves on success, or with the custom error's name and args when it reverts. */
async function send(
  from: typeof owner,
  functionName: 'addPoster' | 'removePoster' | 'setOwner' | 'transferOwnership' | 'renounceOwnership',
  args: readonly unknown[],
): Promise<{ reverted: string; args: readonly unknown[] } | 'ok'> {
  const { pub, wallet } = clients();
  try {
    const { request } = await pub.simulateContract({
      address: contract,
      abi,
      functionName: functionName as never,
      args: args as never,
      account: from,
    });
    await pub.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
    return 'ok';
  } catch (err) {
    const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (!(revert instanceof ContractFunctionRevertedError) || !revert.data) throw err;
    return { reverted: revert.data.errorName, args: revert.data.args ?? [] };
  }
}

const read = async (): Promise<Hex> =>
  (await clients().pub.readContract({ address: contract, abi, functionName: 'owner' })) as Hex;
const isPoster = async (a: Address): Promise<boolean> =>
  (await clients().pub.readContract({ address: contract, abi, functionName: 'isPoster', args: [a] })) as boolean;

test('only the owner manages the poster allowlist', async () => {
  assert.equal(await isPoster(owner.address), true, 'the deployer is the first poster by default');
  for (const fn of ['addPoster', 'removePoster'] as const)
    assert.deepEqual(await send(other, fn, [other.address]), {
      reverted: 'OwnableUnauthorizedAccount',
      args: [other.address],
    });
  assert.equal(await isPoster(other.address), false);
  assert.deepEqual(await send(owner, 'addPoster', [zeroAddress]), { reverted: 'ZeroAddress', args: [] });
  assert.equal(await send(owner, 'addPoster', [other.address]), 'ok');
  assert.equal(await send(owner, 'addPoster', [other.address]), 'ok', 'adding twice is a no-op');
  assert.deepEqual([await isPoster(owner.address), await isPoster(other.address)], [true, true]);
  assert.equal(await send(owner, 'removePoster', [owner.address]), 'ok');
  assert.deepEqual([await isPoster(owner.address), await isPoster(other.address)], [false, true]);
});

test('ownership moves with transferOwnership and setOwner, never to zero, never renounced', async () => {
  assert.deepEqual(await send(owner, 'renounceOwnership', []), {
    reverted: 'OwnableInvalidOwner',
    args: [zeroAddress],
  });
  assert.deepEqual(await send(owner, 'setOwner', [zeroAddress]), {
    reverted: 'OwnableInvalidOwner',
    args: [zeroAddress],
  });
  assert.deepEqual(await send(other, 'transferOwnership', [other.address]), {
    reverted: 'OwnableUnauthorizedAccount',
    args: [other.address],
  });
  assert.equal(await send(owner, 'transferOwnership', [other.address]), 'ok');
  assert.equal(await read(), other.address);
  assert.deepEqual(await send(owner, 'addPoster', [owner.address]), {
    reverted: 'OwnableUnauthorizedAccount',
    args: [owner.address],
  });
  assert.equal(await send(other, 'setOwner', [owner.address]), 'ok');
  assert.equal(await read(), owner.address);
});
