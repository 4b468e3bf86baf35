// The llama.cpp peer, driven through node-llama-cpp's prebuilt CPU binaries. It runs GGUF files
// written by bench/gguf/ (same weights as the loraledger run) and streams token ids, so timings
// and greedy outputs compare 1:1 with our server. Token ids in, token ids out: no tokenizer.
//
// llama.cpp sets LoRA adapters per context (llama_set_adapter_lora), so one context decodes one
// adapter mix; streams on different adapters need different contexts (see runLlamaCppScenario).
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';

export interface LlamaCppModelOptions {
  modelGguf: string;
  /** CPU threads llama.cpp may use in all (default 2: the bench machine's cores). */
  threads?: number;
}

export interface LlamaCppContextOptions {
  /** Positions per sequence (context size / sequences in llama.cpp terms). */
  contextSize: number;
  /** Parallel sequences in this context (continuous batching inside llama.cpp). */
  sequences: number;
  /** Tokens per llama_decode call (prompt chunking). */
  batchSize: number;
  /** LoRA GGUF files applied to every sequence of the context. */
  lora?: Array<{ filePath: string; scale: number }>;
  /** Threads for this context's evaluations (default: the model's `threads`). */
  threads?: number;
}

/** Per context: sequences that finished a generation (reusable), and callers waiting for one. */
const POOLS = new WeakMap<
  LlamaContext,
  { free: LlamaContextSequence[]; waiters: Array<(s: LlamaContextSequence) => void> }
>();

/** Per-token arrival times (ms, performance.now()) of one generated stream. */
export interface StreamTiming {
  startMs: number;
  tokenMs: number[];
  tokens: number[];
}

export class LlamaCppPeer {
  private constructor(
    private readonly llama: Llama,
    readonly model: LlamaModel,
    readonly threads: number,
  ) {}

  static async open(opts: LlamaCppModelOptions): Promise<LlamaCppPeer> {
    const threads = opts.threads ?? 2;
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: threads });
    try {
      const model = await llama.loadModel({ modelPath: opts.modelGguf, gpuLayers: 0 });
      return new LlamaCppPeer(llama, model, threads);
    } catch (cause) {
      await llama.dispose();
      throw cause;
    }
  }

  /** The version of the llama.cpp build node-llama-cpp ships (for the report). */
  get buildInfo(): string {
    return `node-llama-cpp ${this.llama.buildType} build, llama.cpp ${this.llama.llamaCppRelease.release}`;
  }

  async createContext(opts: LlamaCppContextOptions): Promise<LlamaContext> {
    return this.model.createContext({
      contextSize: opts.contextSize * opts.sequences,
      sequences: opts.sequences,
      batchSize: opts.batchSize,
      threads: { ideal: opts.threads ?? this.threads, min: 1 },
      flashAttention: false,
      lora: opts.lora && opts.lora.length > 0 ? { adapters: opts.lora } : undefined,
    });
  }

  /**
   * Greedy-decodes `maxTokens` tokens after `promptIds` on a free sequence of `context`, recording
   * when each token arrives. Sequences are reused (history cleared) rather than disposed: a
   * disposed sequence is not free again at once, so a closed loop would run out of them.
   */
  static async generate(
    context: LlamaContext,
    promptIds: number[],
    maxTokens: number,
    signal?: AbortSignal,
  ): Promise<StreamTiming & { cut?: boolean }> {
    let pool = POOLS.get(context);
    if (!pool) POOLS.set(context, (pool = { free: [], waiters: [] }));
    const seq =
      pool.free.pop() ??
      (context.sequencesLeft > 0
        ? context.getSequence()
        : await new Promise<LlamaContextSequence>((resolve) => pool!.waiters.push(resolve)));
    const timing: StreamTiming & { cut?: boolean } = { startMs: performance.now(), tokenMs: [], tokens: [] };
    try {
      await seq.clearHistory();
      if (maxTokens <= 0) return timing;
      for await (const tok of seq.evaluate(promptIds as never[], { temperature: 0 })) {
        timing.tokenMs.push(performance.now());
        timing.tokens.push(tok as unknown as number);
        if (timing.tokens.length >= maxTokens) break;
        if (signal?.aborted) {
          timing.cut = true;
          break;
        }
      }
    } finally {
      const next = pool.waiters.shift();
      if (next) next(seq);
      else pool.free.push(seq);
    }
    return timing;
  }

  /** Greedy continuation on a fresh one-sequence context (the correctness check). */
  async greedy(promptIds: number[], maxTokens: number, lora?: LlamaCppContextOptions['lora']): Promise<number[]> {
    const ctx = await this.createContext({
      contextSize: promptIds.length + maxTokens + 8,
      sequences: 1,
      batchSize: 512,
      lora,
    });
    try {
      return (await LlamaCppPeer.generate(ctx, promptIds, maxTokens)).tokens;
    } finally {
      await ctx.dispose();
    }
  }

  /**
   * Decode ms/token with each candidate thread count on a one-sequence context (prompt, then
   * `tokens` tokens; best of 2). On a shared or oversubscribed machine fewer threads can win:
   * ggml's threads spin at barriers and stall when a core is taken away.
   */
  async tuneThreads(candidates: number[], promptIds: number[], tokens = 8): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const threads of candidates) {
      const ctx = await this.createContext({
        contextSize: promptIds.length + tokens + 8,
        sequences: 1,
        batchSize: 512,
        threads,
      });
      try {
        let best = Infinity;
        for (let rep = 0; rep < 2; rep++) {
          const t = await LlamaCppPeer.generate(ctx, promptIds, tokens);
          best = Math.min(best, (t.tokenMs[t.tokenMs.length - 1]! - t.tokenMs[0]!) / Math.max(1, t.tokenMs.length - 1));
        }
        out.set(threads, best);
      } finally {
        await ctx.dispose();
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.model.dispose();
    await this.llama.dispose();
  }
}
