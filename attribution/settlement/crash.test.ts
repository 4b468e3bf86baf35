// kill -9 between record and settle: nothing acknowledged is lost, nothing is settled twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANVIL_DEV_KEYS, startAnvil, type AnvilNode } from './anvilNode.ts';
import { createChainClient, type ChainClient } from './chainClient.ts';
import { CRASH_SIGNER_KEY } from '../../test/support/crashChild.ts';
import { createRecordSigner, eip712Domain } from '../records/eip712.ts';
import { Outbox } from './outbox.ts';
import type { Address } from '../records/recordTypes.ts';
import { Settlement } from './settlement.ts';

const CHILD = fileURLToPath(new URL('../../test/support/crashChild.ts', import.meta.url));
let anvil: AnvilNode;
let chain: ChainClient;
let contract: Address;
let dir: string;

/** Runs the child; resolves with its stdout lines and how it ended. Kills it after `killAfter` lines. */
function runChild(
  args: string[],
  killAfter?: number,
): Promise<{ lines: string[]; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
      if (killAfter !== undefined && lines.length >= killAfter && child.exitCode === null)
        process.kill(child.pid!, 'SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ lines, signal, stderr }));
  });
}

before(async () => {
  anvil = await startAnvil();
  contract = await createChainClient({ rpcUrl: anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_DEV_KEYS[0]! }).deploy();
  chain = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_DEV_KEYS[0]!, contract });
  dir = mkdtempSync(join(tmpdir(), 'll-crash-'));
});

after(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('SIGKILL while appending loses no acknowledged record; SIGKILL after posting settles nothing twice', async () => {
  const path = join(dir, 'outbox.sqlite');
  const appended = await runChild(['append', path, contract], 25);
  assert.equal(appended.signal, 'SIGKILL', appended.stderr);
  assert.ok(appended.lines.length >= 25);

  let outbox = new Outbox(path);
  for (const id of appended.lines) assert.notEqual(outbox.get(id), null, `acknowledged record ${id} lost`);
  const stored = outbox.unassigned().count;
  assert.ok(stored >= appended.lines.length && stored <= appended.lines.length + 1, `stored ${stored}`);
  outbox.close();

  const posted = await runChild(['post-then-die', path, anvil.rpcUrl, contract]);
  assert.equal(posted.signal, 'SIGKILL', posted.stderr);
  assert.deepEqual(posted.lines, ['posted 1']);
  assert.equal(await chain.latestEpoch(), 1);

  outbox = new Outbox(path);
  const e1 = outbox.epoch(1)!;
  assert.equal(e1.status, 'closed', 'the crash came before markSettled');
  const balanceBefore = await chain.balance(contract);
  assert.equal(balanceBefore, e1.total, 'funded once');
  const settlement = new Settlement({
    outbox,
    chain,
    epochSeconds: 0,
    epochMaxRecords: 1000,
    signer: createRecordSigner(CRASH_SIGNER_KEY, eip712Domain(31337, contract)),
  });
  await settlement.settleNow();
  assert.equal(await chain.latestEpoch(), 1, 'reconciled, not posted again');
  assert.equal(await chain.balance(contract), balanceBefore, 'no second funding');
  const settled = outbox.epoch(1)!;
  assert.equal(settled.status, 'settled');
  assert.equal(settled.txHash, await chain.findEpochPost(1));
  assert.equal(settled.recordCount, stored);
  for (const id of appended.lines) {
    const v = settlement.recordView(id);
    assert.equal(v.status, 'settled');
    assert.equal(v.epoch, 1);
  }
  await settlement.settleNow(); // nothing new: no epoch 2
  assert.equal(await chain.latestEpoch(), 1);
  await settlement.stop();
  outbox.close();
});
