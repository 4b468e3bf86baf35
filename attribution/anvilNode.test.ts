import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { privateKeyToAccount, mnemonicToAccount } from 'viem/accounts';
import { bytesToHex } from 'viem';
import { ANVIL_DEV_KEYS, anvilBinaryPath, startAnvil } from './anvilNode.ts';
import { createChainClient } from './chainClient.ts';
import { AttributionError } from '../server/errors.ts';

test('dev keys are anvil\'s default-mnemonic accounts', () => {
  ANVIL_DEV_KEYS.forEach((k, i) => {
    const a = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: i });
    assert.equal(k, bytesToHex(a.getHdKey().privateKey!), `key #${i}`);
  });
});

test('starts a real anvil that answers, funds the dev keys, and stops', async () => {
  assert.ok(existsSync(anvilBinaryPath()));
  const node = await startAnvil({ chainId: 4242 });
  const chain = createChainClient({ rpcUrl: node.rpcUrl, chainId: 4242, privateKey: ANVIL_DEV_KEYS[0]!, timeoutMs: 500 });
  try {
    for (const k of ANVIL_DEV_KEYS) assert.equal(await chain.balance(privateKeyToAccount(k).address), 10n ** 22n);
  } finally {
    await node.stop();
    await node.stop(); // idempotent
  }
  await assert.rejects(chain.balance(privateKeyToAccount(ANVIL_DEV_KEYS[0]!).address), (e: unknown) => e instanceof AttributionError && e.code === 'chain_unavailable' && !e.message.includes(node.rpcUrl));
});
