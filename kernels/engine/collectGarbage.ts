// A full garbage collection on demand, for the one moment the engine worker knows it has just
// dropped a lot: a first start that built the decoder graph leaves the checkpoint read as fp32
// plus the serialized graph (about twice the model's bytes) as garbage. The worker allocates
// little JavaScript afterwards, so V8 may not collect it for a long time and it stays resident
// (measured on the SmolLM-135M shape: 1.79 GiB RSS after a first start vs 0.95 GiB with the graph
// cached; `npm run bench:memory`).
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
