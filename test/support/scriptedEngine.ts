// A deterministic EngineClient for tests of the HTTP layer's own logic (stop strings, SSE/WS
// framing, cancellation, backpressure, queue limits) that must not depend on model speed. It
// implements the kernels/types.ts contract exactly; end-to-end tests use the real engine.
// Token t+1 = (t * 7 + 3) % vocab from the last prompt token; `gapMs` between tokens.
import { TINY_SPEC, type EngineClient, type EngineNotice, type EngineStats, type GenerateEvent, type GenerateRequest, type ModelSpec } from '../../kernels/index.ts';

export interface ScriptedEngineOptions { spec?: Partial<ModelSpec>; gapMs?: number; maxRunning?: number; maxQueue?: number }

export function nextScriptedToken(prev: number, vocab: number): number {
  return (prev * 7 + 3) % vocab;
}

export class ScriptedEngine implements EngineClient {
  readonly spec: ModelSpec;
  readonly cancelled = new Set<string>();
  readonly requests: GenerateRequest[] = [];
  /** Token events handed to consumers so far (the stream is pull-based, like the real client's). */
  produced = 0;
  private readonly live = new Map<string, () => void>();
  private listeners: Array<(n: EngineNotice) => void> = [];
  private closed = false;

  constructor(private readonly opts: ScriptedEngineOptions = {}) {
    this.spec = { ...TINY_SPEC, eosTokenIds: [2], bosTokenId: 1, maxPositions: 128, vocabSize: 512, ...opts.spec };
  }

  get running(): number { return this.live.size; }

  async *generate(req: GenerateRequest): AsyncIterable<GenerateEvent> {
    if (this.closed) { yield { type: 'error', error: { code: 'shutting_down', message: 'engine closed' } }; return; }
    if (this.live.size >= (this.opts.maxRunning ?? 64) + (this.opts.maxQueue ?? 64)) {
      yield { type: 'error', error: { code: 'overloaded', message: 'queue full' } };
      return;
    }
    this.requests.push(req);
    let wake: () => void = () => {};
    this.live.set(req.id, () => wake());
    this.emit({ type: 'step', rows: this.live.size, prefillTokens: req.promptIds.length, decodeTokens: 0, seconds: 0.001 });
    try {
      let prev = req.promptIds[req.promptIds.length - 1] ?? 0;
      for (let n = 0; n < req.maxTokens; n++) {
        const gap = this.opts.gapMs ?? 0;
        await new Promise<void>((r) => { wake = r; if (gap > 0) setTimeout(r, gap); else setImmediate(r); });
        if (this.cancelled.has(req.id) || this.closed) {
          yield { type: 'done', finishReason: 'cancelled', promptTokens: req.promptIds.length, completionTokens: n };
          return;
        }
        prev = nextScriptedToken(prev, this.spec.vocabSize);
        const lp = req.logprobs === undefined ? {} : { logprob: -0.5, topLogprobs: Array.from({ length: req.logprobs }, (_, k) => ({ tokenId: (prev + k) % this.spec.vocabSize, logprob: -0.5 - k })) };
        this.produced++;
        yield { type: 'token', tokenId: prev, ...lp };
        if (!req.ignoreEos && req.stopTokenIds.includes(prev)) {
          yield { type: 'done', finishReason: 'stop', promptTokens: req.promptIds.length, completionTokens: n + 1 };
          return;
        }
      }
      yield { type: 'done', finishReason: 'length', promptTokens: req.promptIds.length, completionTokens: req.maxTokens };
    } finally {
      this.live.delete(req.id);
    }
  }

  cancel(id: string): void {
    this.cancelled.add(id);
    this.live.get(id)?.();
  }
  async score(): Promise<never> { throw new Error('ScriptedEngine does not score'); }
  async registerAdapters(): Promise<void> {}
  async unregisterAdapter(): Promise<void> {}
  prefetch(): void {}
  stats(): EngineStats {
    return { running: this.live.size, waiting: 0, batchSize: this.live.size, kvCapacity: 0, adapters: { cached: 0, cachedBytes: 0, active: 0 } };
  }
  onNotice(listener: (n: EngineNotice) => void): void { this.listeners.push(listener); }
  emit(n: EngineNotice): void { for (const l of this.listeners) l(n); }
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.live.values()) w();
  }
}
