import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { privateKeyToAccount, mnemonicToAccount } from 'viem/accounts';
import { bytesToHex } from 'viem';
import { ANVIL_DEV_KEYS, anvilBinaryPath, startAnvil } from './anvilNode.ts';
import { createChainClient } from './chainClient.ts';
import { AttributionError } from '../../common/index.ts';

test("dev keys are anvil's default-mnemonic accounts", () => {
  ANVIL_DEV_KEYS.forEach((k, i) => {
    const a = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: i });
    assert.equal(k, bytesToHex(a.getHdKey().privateKey!), `key #${i}`);
  });
});

test('starts a real anvil that answers, funds the dev keys, and stops', async () => {
  assert.ok(existsSync(anvilBinaryPath()));
  const node = await startAnvil({ chainId: 4242 });
  const chain = createChainClient({
    rpcUrl: node.rpcUrl,
    chainId: 4242,
    privateKey: ANVIL_DEV_KEYS[0]!,
    timeoutMs: 500,
  });
  try {
    for (const k of ANVIL_DEV_KEYS) assert.equal(await chain.balance(privateKeyToAccount(k).address), 10n ** 22n);
  } finally {
    await node.stop();
    await node.stop(); // idempotent
  }
  await assert.rejects(
    chain.balance(privateKeyToAccount(ANVIL_DEV_KEYS[0]!).address),
    (e: unknown) => e instanceof AttributionError && e.code === 'chain_unavailable' && !e.message.includes(node.rpcUrl),
  );
});

test('anvil dies with its owner: SIGKILL the owning process and the chain goes away', async () => {
  const { spawn } = await import('node:child_process');
  const script = `import { startAnvil } from ${JSON.stringify(new URL('./anvilNode.ts', import.meta.url).pathname)};
const n = await startAnvil(); process.stdout.write(n.rpcUrl + '\\n'); setInterval(() => {}, 1000);`;
  const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    owner.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    owner.on('exit', () => reject(new Error('owner exited before anvil started')));
  });
  const chain = createChainClient({ rpcUrl, chainId: 31337, privateKey: ANVIL_DEV_KEYS[0]!, timeoutMs: 500 });
  const addr = privateKeyToAccount(ANVIL_DEV_KEYS[0]!).address;
  assert.equal(await chain.balance(addr), 10n ** 22n);
  owner.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  let alive = true;
  while (alive && Date.now() < deadline) {
    alive = await chain.balance(addr).then(
      () => true,
      () => false,
    );
    if (alive) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(alive, false, 'anvil outlived its owner');
});
