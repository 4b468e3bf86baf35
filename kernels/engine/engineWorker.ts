// The engine worker thread (started by engineClient.ts through common/workerRpc's spawnWorker).
// It owns the model session, the batch and KV cache (EngineCore), the LoRA slot stacks and the
// adapter cache; the main thread only sends calls and commands (engineProtocol.ts). Log lines go
// to the main thread's logger as channel log notices.
//
// Loop: while generation or scoring work exists, run one scheduler step (decode call + prefill
// chunk), then at most one scoring call, post that step's events, step notice and stats in one
// message, and yield to the message port (setImmediate) so cancels and new requests land between
// steps. When requests only wait for adapters to load, it polls every few milliseconds instead of
// spinning.
import { workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import {
  EngineError,
  connectParent,
  lowerThreadPriority,
  serializeError,
  type SerializedError,
} from '../../common/index.ts';
import { AdapterCache } from '../../adapters/index.ts';
import { AdapterLoaderThread } from '../../adapters/index.ts';
import { collectGarbage } from './collectGarbage.ts';
import { faultHook } from './faultInjection.ts';
import { createSession } from '../graph/createSession.ts';
import { EngineCore, type ForwardFn } from './engineCore.ts';
import type { EngineCalls, EngineCommand, EngineWorkerData, EngineWorkerNotice } from './engineProtocol.ts';
import { ensureDecoderGraph } from '../graph/graphCache.ts';
import type { FeedTensor } from './loraPlan.ts';
import { LoraSlots } from './loraSlots.ts';
import { ScoreQueue } from './scoreQueue.ts';
import { lazyConstraints } from './constrain/lazyConstraints.ts';
import { GRAPH_OUTPUTS } from '../graph/graphContract.ts';
import type { EngineNotice, EngineStats, GenerateEvent } from './engineContract.ts';
import { type ModelSpec } from '../model/modelSpec.ts';

lowerThreadPriority(); // before any session: onnxruntime's threads inherit it (common/threadPriority.ts)
const parent = connectParent<EngineCalls, EngineWorkerNotice, EngineCommand>();
const { options, adapters: initialAdapters } = workerData as EngineWorkerData;

/** The session as a ForwardFn: feeds every input the graph declares, fetches logits + new K/V. */
function makeForward(session: ort.InferenceSession, spec: ModelSpec): ForwardFn {
  const names = session.inputNames;
  return async (feeds: Record<string, FeedTensor>) => {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of names) {
      const f = feeds[name];
      if (!f)
        throw new EngineError('engine_failed', `the decoder graph wants input ${name}, which the engine does not feed`);
      ortFeeds[name] = new ort.Tensor(f.type, f.data, f.dims);
    }
    const out = await session.run(ortFeeds);
    const get = (n: string): Float32Array => out[n]!.data as Float32Array;
    const newKey: Float32Array[] = [];
    const newValue: Float32Array[] = [];
    for (let l = 0; l < spec.numLayers; l++) {
      newKey.push(get(GRAPH_OUTPUTS.newKey(l)));
      newValue.push(get(GRAPH_OUTPUTS.newValue(l)));
    }
    return { logits: get(GRAPH_OUTPUTS.logits), logitsLse: get(GRAPH_OUTPUTS.logitsLse), newKey, newValue };
  };
}

async function start(): Promise<void> {
  const graph = await ensureDecoderGraph({
    modelDir: options.modelDir,
    cacheDir: options.cacheDir,
    graph: { precision: options.precision, loraKernel: options.loraKernel, maxPositions: options.maxModelLen },
  });
  if (!graph.reused) await collectGarbage(); // the build's checkpoint + graph bytes, now garbage
  const spec = graph.spec;
  const session = await createSession(graph.onnxPath, {
    provider: options.provider,
    threads: options.threads,
    allowSpinning: options.ortSpinning === true,
  });
  const faults = faultHook(options.faultInjection === true, parent.log, () => loader); // tests only
  const forward = faults.wrap(makeForward(session, spec));
  const slots = new LoraSlots(spec, options);
  const loader = new AdapterLoaderThread(spec, options.maxLoraRank); // disk -> host off this thread
  const cache = new AdapterCache({
    maxCached: options.maxCachedAdapters,
    maxCachedBytes: options.maxCachedAdapterBytes,
    maxActive: options.maxActiveAdapters,
    rowsPerSlot: options.loraRowsPerSlot,
    load: (ref) => loader.load(ref),
    sink: slots,
    notify: (notice) => parent.notify({ t: 'notice', notice }),
    log: parent.log,
  });
  for (const a of initialAdapters) cache.register(a);

  // One message per step: its token events, its step notice and the stats after it travel together.
  let events: Array<[string, GenerateEvent]> = [];
  let stepNotices: EngineNotice[] = [];
  const flush = (stats?: EngineStats): void => {
    if (events.length === 0 && stepNotices.length === 0 && !stats) return;
    parent.notify({
      t: 'events',
      items: events,
      ...(stepNotices.length > 0 ? { notices: stepNotices } : {}),
      ...(stats ? { stats } : {}),
    });
    events = [];
    stepNotices = [];
  };
  const core = new EngineCore({
    spec,
    options,
    forward,
    slots,
    adapters: cache,
    emit: (id, e) => events.push([id, e]),
    notice: (notice) => stepNotices.push(notice),
    constraints: lazyConstraints(options.modelDir, spec),
    wake: () => {
      flush();
      wake();
    },
  });
  const scores = new ScoreQueue({ spec, options, forward, slots, adapters: cache, feeds: core.feeds });

  let scheduled = false;
  let busy = false;
  let closing = false;
  const wake = (): void => {
    if (scheduled || busy) return;
    scheduled = true;
    setImmediate(() => {
      void tick();
    });
  };
  const shutdown = async (): Promise<void> => {
    const error: SerializedError = { code: 'shutting_down', message: 'the engine is shutting down' };
    core.abortAll(error);
    scores.abortAll(new EngineError('shutting_down', error.message));
    flush();
    parent.notify({ t: 'closed' });
    await loader.close();
    await session.release();
    parent.close();
  };
  const tick = async (): Promise<void> => {
    scheduled = false;
    if (closing) return shutdown();
    busy = true;
    let progressed = false;
    try {
      if (core.hasWork()) progressed = (await core.step()) || progressed;
      if (scores.hasWork()) progressed = (await scores.step()) || progressed;
    } catch (err) {
      // A bug, not a model failure (those end only their requests): end everything in flight.
      parent.log.error({ err }, 'engine worker: step failed');
      const error: SerializedError = {
        code: 'engine_failed',
        message: `engine step failed: ${err instanceof Error ? err.message : String(err)}`,
      };
      core.abortAll(error);
      scores.abortAll(new EngineError('engine_failed', error.message));
    } finally {
      busy = false;
    }
    flush({ ...core.stats(), score: scores.stats() });
    if (closing || progressed) wake();
    else if (core.hasWork() || scores.hasWork()) setTimeout(wake, 2);
  };

  // Every call and command may have queued work or events: send the events, schedule a step.
  const thenStep =
    <A, R>(work: (args: A) => R) =>
    (args: A): R => {
      try {
        return work(args);
      } finally {
        flush();
        wake();
      }
    };
  parent.serve(
    {
      score: thenStep(({ variants, options }) =>
        scores.add(
          variants,
          options?.reuseKvOf === undefined ? undefined : { root: core.retained.take(options.reuseKvOf) },
        ),
      ),
      register: thenStep((adapters) => {
        for (const a of adapters) cache.register(a);
      }),
      unregister: thenStep((id) => cache.unregister(id)),
    },
    thenStep((m) => {
      switch (m.t) {
        case 'generate':
          core.submit(m.req);
          break;
        case 'cancel':
          core.cancel(m.id);
          break;
        case 'prefetch':
          for (const id of m.ids) cache.prefetch(id);
          break;
        case 'close':
          closing = true;
          break;
        case 'fault':
          faults.arm(m.fault);
          break;
      }
    }),
  );
  parent.notify({ t: 'ready', spec, stats: core.stats() });
}

start().catch((err: unknown) => {
  parent.notify({ t: 'fatal', error: serializeError(err) });
  parent.close();
});
