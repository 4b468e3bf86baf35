// The adapter loader thread: reads, validates and orients adapters from disk (the disk -> host
// step of the adapter cache) so that the engine worker's forward steps never wait for a file read,
// a header check or a transpose. Each reply moves the weights' buffers to the engine worker
// (transfer list: no copy). One request at a time, in arrival order, reading every file into the
// same reusable buffer.
import { connectParent, withTransfer } from '../common/index.ts';
import { loadAdapterWeights } from './loadAdapter.ts';
import { readAdapterMeta } from './peftFormat.ts';
import type { LoaderCalls } from './adapterLoader.ts';

const scratch = { buffer: Buffer.alloc(0) }; // one file buffer for every load: no per-load garbage
let queue: Promise<unknown> = Promise.resolve(); // one load at a time (they share `scratch`)
let fault: 'throw' | 'exit' | null = null; // tests only: armed by AdapterLoaderThread.injectFault

/** Fires an armed fault in the middle of a load (after its files were read). */
function fireFault(): void {
  const f = fault;
  fault = null;
  if (f === 'exit') process.exit(71);
  if (f === 'throw')
    process.nextTick(() => {
      throw new Error('injected adapter loader fault');
    });
}

connectParent<LoaderCalls>().serve({
  fault: (kind) => {
    fault = kind;
  },
  load: (m) => {
    const loaded = queue.then(async () => {
      const weights = await loadAdapterWeights(readAdapterMeta(m.path, m.id), m.spec, {
        maxRank: m.maxRank,
        foldScale: true,
        scratch,
      });
      if (fault) {
        fireFault();
        return new Promise<never>(() => {}); // the thread is going down
      }
      return weights;
    });
    queue = loaded.catch(() => {}); // the next load waits for this one, failed or not (its error goes in the reply)
    return loaded.then((weights) => {
      const buffers = new Set<ArrayBuffer>();
      for (const layer of weights.layers)
        for (const p of layer.values())
          (buffers.add(p.a.buffer as ArrayBuffer), buffers.add(p.b.buffer as ArrayBuffer));
      return withTransfer(weights, [...buffers]);
    });
  },
});
