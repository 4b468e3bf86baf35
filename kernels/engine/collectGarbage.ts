// A full garbage collection on demand, for the one moment the engine worker knows it has just
// dropped a lot: a first start that built the decoder graph leaves the checkpoint read as fp32
// plus the serialized graph (about twice the model's bytes) as garbage. The worker allocates
// little JavaScript afterwards, so V8 may not collect it for a long time and it stays resident
// (`npm run bench:memory` shows the difference; docs/benchmarks.md).
//
//   setFlagsFromString('--expose-gc'); gc = runInNewContext('gc')   // V8's own collector
//   gc(); yield one macrotask (ArrayBuffer backing stores are freed by a second pass); gc()
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
}
