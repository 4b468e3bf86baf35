// Disk -> host loads on a thread of their own (adapters/adapterLoaderWorker.ts), for the engine
// worker: its event loop only receives finished AdapterWeights between forward steps, so cold
// loads overlap decoding instead of stalling every running stream for a read + transpose.
//
// Failure rules: a load that fails rejects with the loader's AdapterError (code kept); if the
// thread itself dies, every pending load rejects with adapter_load_failed and the next load starts
// a fresh thread. close() ends the thread (its owner must call it; the thread keeps a process
// alive otherwise); later loads reject.
import { Worker } from 'node:worker_threads';
import { AdapterError, type SerializedError } from '../common/index.ts';
import type { ModelSpec } from '../kernels/model/index.ts';
import type { AdapterWeights } from '../kernels/model/index.ts';

export interface LoaderRequest {
  seq: number;
  id: string;
  path: string;
  spec: ModelSpec;
  maxRank: number;
}

export type LoaderReply = { seq: number; weights: AdapterWeights } | { seq: number; error: SerializedError };

interface Pending {
  id: string;
  resolve: (w: AdapterWeights) => void;
  reject: (e: Error) => void;
}

export class AdapterLoaderThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;

  constructor(private readonly spec: ModelSpec, private readonly maxRank: number) {}

  /** Reads, validates and orients the adapter at `path` off this thread. */
  load(ref: { id: string; path: string }): Promise<AdapterWeights> {
    if (this.closed) return Promise.reject(new AdapterError('adapter_load_failed', `adapter ${ref.id}: the adapter loader is closed`, { details: { id: ref.id } }));
    const seq = ++this.seq;
    return new Promise<AdapterWeights>((resolve, reject) => {
      this.pending.set(seq, { id: ref.id, resolve, reject });
      this.thread().postMessage({ seq, id: ref.id, path: ref.path, spec: this.spec, maxRank: this.maxRank } satisfies LoaderRequest);
    });
  }

  /** Loads in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.failAll('the adapter loader is closed');
    if (w) await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./adapterLoaderBoot.mjs', import.meta.url));
    w.on('message', (m: LoaderReply) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if ('error' in m) p.reject(new AdapterError(m.error.code, m.error.message, { param: m.error.param, details: m.error.details }));
      else p.resolve(m.weights);
    });
    const died = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = null;
      this.failAll(why);
    };
    w.on('error', (err) => died(`the adapter loader thread failed: ${err.message}`));
    w.on('exit', (code) => died(`the adapter loader thread exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private failAll(why: string): void {
    for (const [seq, p] of this.pending) {
      this.pending.delete(seq);
      p.reject(new AdapterError('adapter_load_failed', `adapter ${p.id} could not be loaded: ${why}`, { details: { id: p.id, cause: 'loader' } }));
    }
  }
}
