// The adapter loader thread: reads, validates and orients adapters from disk (the disk -> host
// step of the adapter cache) so that the engine worker's forward steps never wait for a file read,
// a header check or a transpose. Each reply moves the weights' buffers to the engine worker
// (transfer list: no copy). One request at a time, in arrival order, reading every file into the
// same reusable buffer.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../common/index.ts';
import { loadAdapterWeights } from './loadAdapter.ts';
import { readAdapterMeta } from './peftFormat.ts';
import type { LoaderReply, LoaderRequest } from './adapterLoader.ts';

const port = parentPort!;
const scratch = { buffer: Buffer.alloc(0) }; // one file buffer for every load: no per-load garbage
let queue: Promise<void> = Promise.resolve(); // one load at a time (they share `scratch`)
port.on('message', (m: LoaderRequest) => {
  queue = queue
    .then(() => loadAdapterWeights(readAdapterMeta(m.path, m.id), m.spec, { maxRank: m.maxRank, foldScale: true, scratch }))
    .then(
      (weights) => {
        const buffers = new Set<ArrayBuffer>();
        for (const layer of weights.layers) for (const p of layer.values()) (buffers.add(p.a.buffer as ArrayBuffer), buffers.add(p.b.buffer as ArrayBuffer));
        port.postMessage({ seq: m.seq, weights } satisfies LoaderReply, [...buffers]);
      },
      (err: unknown) => port.postMessage({ seq: m.seq, error: serializeError(err) } satisfies LoaderReply),
    );
});
