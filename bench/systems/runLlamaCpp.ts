// llama.cpp (node-llama-cpp, prebuilt CPU binaries) on the GGUF export of the same weights.
// Best configuration per scenario, and why:
//   base model: ONE context with `streams` sequences: llama.cpp batches all sequences of a context
//     into one llama_decode per step (continuous batching), its fastest multi-stream mode.
//   adapters: llama.cpp applies LoRA per context and cannot batch different adapters together, so
//     each distinct adapter gets its own context (sequences = the most streams that can use it at
//     once), created on first use (that is the adapter load time) and kept while at most
//     `maxContexts` live (LRU beyond). Contexts decode concurrently; node-llama-cpp shares the
//     `threads` cores among them. Streams on the same adapter still batch inside its context.
//   threads: `--threads` (2), unless a short decode timed at start is faster with 1 (on a shared
//     machine ggml's spinning threads stall when a core is taken away); batch size 512 (prompt
//     chunk), context = prompt + output per sequence.
import type { LlamaContext } from 'node-llama-cpp';
import { LlamaCppPeer } from '../peers/llamaCpp.ts';
import { runClosedLoop, type StreamResult } from '../httpLoad.ts';
import type { RunJob, SystemRun } from './systemRun.ts';
import { GGUF_TYPE } from '../scenarios.ts';

interface LiveContext {
  ctx: LlamaContext;
  users: number;
  lastUsed: number;
}

export async function runLlamaCpp(job: RunJob): Promise<SystemRun> {
  if (!job.assets.modelGguf) throw new Error('llama.cpp run needs the GGUF export of the model');
  const s = job.scenario;
  const peer = await LlamaCppPeer.open({ modelGguf: job.assets.modelGguf, threads: job.threads });
  const perSeq = s.promptTokens + s.maxTokens + 8;
  const maxContexts = Number(job.options.llamaCppMaxContexts ?? 64);
  const live = new Map<string, LiveContext>();
  const pending = new Map<string, Promise<LiveContext>>();
  const adapterLoadMs: number[] = [];
  const notes: string[] = [];
  let threads = job.threads;
  const loraOf = (id: string | null) => {
    if (id === null) return undefined;
    const g = job.assets.loraGguf[id];
    if (!g) throw new Error(`no LoRA GGUF for adapter ${id}`);
    return [{ filePath: g.file, scale: g.scale }];
  };
  // Streams that may use one adapter's context at once.
  const seqFor = new Map<string, number>();
  for (const r of job.workload.requests) {
    const id = r.adapter === null ? '' : job.workload.adapters[r.adapter]!.id;
    seqFor.set(id, Math.min(s.streams, (seqFor.get(id) ?? 0) + 1));
  }
  const acquire = async (id: string | null): Promise<LiveContext> => {
    const key = id ?? '';
    const have = live.get(key);
    if (have) {
      have.users++;
      have.lastUsed = performance.now();
      return have;
    }
    let p = pending.get(key);
    if (!p) {
      p = (async () => {
        while (live.size >= maxContexts) {
          const idle = [...live.entries()]
            .filter(([, c]) => c.users === 0)
            .sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
          if (!idle) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          live.delete(idle[0]);
          await idle[1].ctx.dispose();
        }
        const t0 = performance.now();
        const ctx = await peer.createContext({
          contextSize: perSeq,
          sequences: seqFor.get(key) ?? 1,
          batchSize: 512,
          lora: loraOf(id),
          threads,
        });
        if (id !== null) adapterLoadMs.push(performance.now() - t0);
        const c: LiveContext = { ctx, users: 0, lastUsed: performance.now() };
        live.set(key, c);
        return c;
      })();
      pending.set(key, p);
      p.finally(() => pending.delete(key)).catch(() => {});
    }
    const c = await p;
    c.users++;
    return c;
  };
  try {
    const checkId = job.check.adapter === null ? null : job.workload.adapters[job.check.adapter]!.id;
    const fixed = job.options.llamaCppThreads as number | undefined;
    const tuned = fixed ? null : await peer.tuneThreads([...new Set([job.threads, 1])], job.check.promptIds);
    threads = fixed ?? [...tuned!].sort((a, b) => a[1] - b[1])[0]![0];
    if (tuned)
      notes.push(
        `thread check (decode ms/token): ${[...tuned].map(([t, ms]) => `${t} thread(s) ${ms.toFixed(1)}`).join(', ')} -> ${threads}.`,
      );
    const checkTokens = await peer.greedy(job.check.promptIds, job.check.maxTokens, loraOf(checkId));
    // The base model's context exists before timing starts (as loraledger's server does).
    if (seqFor.has('')) (await acquire(null)).users--;
    const send = async (i: number, _index: number, signal: AbortSignal): Promise<StreamResult> => {
      const r = job.workload.requests[i]!;
      const id = r.adapter === null ? null : job.workload.adapters[r.adapter]!.id;
      const startMs = performance.now();
      const c = await acquire(id);
      try {
        if (signal.aborted) return { startMs, tokenMs: [], tokens: [], adapterId: id, cut: true };
        const t = await LlamaCppPeer.generate(c.ctx, r.promptIds, r.maxTokens, signal);
        return { startMs, tokenMs: t.tokenMs, tokens: t.tokens, adapterId: id, cut: t.cut };
      } catch (err) {
        return { startMs, tokenMs: [], tokens: [], adapterId: id, error: (err as Error).message };
      } finally {
        c.users--;
        c.lastUsed = performance.now();
      }
    };
    const { records, wallMs } = await runClosedLoop(
      job.workload.requests.map((_, i) => i),
      s.streams,
      send,
      job.timeBoxS,
    );
    const contexts = seqFor.size;
    if (contexts > maxContexts)
      notes.push(
        `${contexts} distinct adapters > ${maxContexts} live contexts: contexts were evicted (LRU) and re-created.`,
      );
    return {
      records,
      wallMs,
      adapterLoadMs,
      stepMs: [],
      check: { tokens: checkTokens },
      configuration: s.adapters
        ? `${peer.buildInfo}; one context per distinct adapter (llama.cpp cannot batch different LoRAs), sequences per context = streams that can share it, at most ${maxContexts} live; threads ${threads}, batch 512, ${perSeq} positions per sequence, ${GGUF_TYPE[s.precision]} weights.`
        : `${peer.buildInfo}; one context with ${s.streams} sequence(s) (continuous batching in llama_decode), threads ${threads}, batch 512, ${perSeq} positions per sequence, ${GGUF_TYPE[s.precision]} weights.`,
      notes,
    };
  } finally {
    for (const c of live.values()) await c.ctx.dispose();
    await peer.close();
  }
}
