// Test helper process for crash.test.ts (run with tsx; the test kills it with SIGKILL).
//   append <outbox> <contract>            sign + append records forever, printing each recordId
//                                         to stdout only after append returned (= acknowledged)
//   post-then-die <outbox> <rpc> <contract>  close an epoch, post it on chain, then SIGKILL itself
//                                         before marking it settled
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ANVIL_DEV_KEYS } from '../../attribution/index.ts';
import { createChainClient } from '../../attribution/index.ts';
import { createRecordSigner, eip712Domain } from '../../attribution/index.ts';
import { Outbox } from '../../attribution/index.ts';
import { sampleRecord } from './recordFixtures.ts';
import type { Address } from '../../attribution/index.ts';

export const CRASH_SIGNER_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318' as const;

async function main(argv: string[]): Promise<void> {
  const [mode, path] = argv;
  const outbox = new Outbox(path!);
  if (mode === 'append') {
    const signer = createRecordSigner(CRASH_SIGNER_KEY, eip712Domain(31337, argv[2] as Address));
    for (let i = 0; ; i++) {
      const signed = await signer.sign(sampleRecord(i, { tag: 'crash' }));
      outbox.append(signed);
      writeSync(1, `${signed.record.recordId}\n`);
    }
  }
  if (mode === 'post-then-die') {
    const chain = createChainClient({
      rpcUrl: argv[2]!,
      chainId: 31337,
      privateKey: ANVIL_DEV_KEYS[0]!,
      contract: argv[3] as Address,
    });
    const e = outbox.closeEpoch()!;
    await chain.postEpoch({ epoch: e.epoch, recordsRoot: e.recordsRoot, payoutRoot: e.payoutRoot, total: e.total });
    writeSync(1, `posted ${e.epoch}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
  throw new Error(`unknown mode ${mode}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: Error) => {
    writeSync(2, `crashChild failed: ${err.message}\n`);
    process.exit(1);
  });
}
