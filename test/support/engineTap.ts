// A transparent tap on a REAL EngineClient (kernels' worker engine), for tests that must see what
// the HTTP layer does with the engine: which requests it sent, which it cancelled or abandoned,
// how many token events it READ (the client stream is pull-based: the worker generates ahead and
// buffers, the consumer pulls), and how many tokens the worker GENERATED (its step notices).
// Every call goes straight through to the real engine; nothing is simulated.
import type {
  AdapterRegistration,
  EngineClient,
  EngineNotice,
  EngineOptions,
  EngineStats,
  GenerateEvent,
  GenerateRequest,
  ScoreOptions,
  ScoreResult,
  ScoreVariant,
} from '../../kernels/index.ts';
import type { ModelSpec } from '../../kernels/model/index.ts';
import { startEngine } from '../../kernels/index.ts';

export class EngineTap implements EngineClient {
  /** Every generate() the consumer started reading, in order. */
  readonly requests: GenerateRequest[] = [];
  /** Request ids the consumer cancelled, abandoned before their end, or saw end `cancelled`. */
  readonly cancelled = new Set<string>();
  /** Token events consumers have read so far, in all and per request id. */
  pulled = 0;
  readonly pulledBy = new Map<string, number>();
  /** Tokens the worker generated so far: the sum of `rows` over its step notices. */
  generated = 0;
  /** Requests whose stream a consumer is still reading. */
  readonly live = new Set<string>();

  constructor(readonly inner: EngineClient) {
    inner.onNotice((n) => {
      if (n.type === 'step') this.generated += n.rows;
    });
  }

  get spec(): ModelSpec {
    return this.inner.spec;
  }

  async *generate(req: GenerateRequest): AsyncGenerator<GenerateEvent> {
    this.requests.push(req);
    this.live.add(req.id);
    let ended = false;
    try {
      for await (const e of this.inner.generate(req)) {
        if (e.type === 'token') {
          this.pulled++;
          this.pulledBy.set(req.id, (this.pulledBy.get(req.id) ?? 0) + 1);
        } else {
          ended = true;
          if (e.type === 'done' && e.finishReason === 'cancelled') this.cancelled.add(req.id);
        }
        yield e;
      }
    } finally {
      this.live.delete(req.id);
      if (!ended) this.cancelled.add(req.id);
    }
  }

  cancel(id: string): void {
    this.cancelled.add(id);
    this.inner.cancel(id);
  }
  score(variants: ScoreVariant[], options?: ScoreOptions): Promise<ScoreResult[]> {
    return this.inner.score(variants, options);
  }
  registerAdapters(adapters: AdapterRegistration[]): Promise<void> {
    return this.inner.registerAdapters(adapters);
  }
  unregisterAdapter(id: string): Promise<void> {
    return this.inner.unregisterAdapter(id);
  }
  prefetch(ids: string[]): void {
    this.inner.prefetch(ids);
  }
  stats(): EngineStats {
    return this.inner.stats();
  }
  onNotice(listener: (n: EngineNotice) => void): void {
    this.inner.onNotice(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** kernels' startEngine with a tap around the engine it starts; `onTap` receives the tap. */
export function tappedStartEngine(onTap: (tap: EngineTap) => void) {
  return async (options: EngineOptions & { adapters?: AdapterRegistration[] }): Promise<EngineClient> => {
    const tap = new EngineTap(await startEngine(options));
    onTap(tap);
    return tap;
  };
}

/** Polls `cond` every 10 ms until it holds or `ms` pass; returns whether it held. */
export async function waitFor(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

/**
 * Waits until a consumer has stopped reading a still-generating engine: `pulled` unchanged over
 * two 300 ms looks while the worker has generated at least `margin` more tokens than were read
 * (since the call).
 * Returns the stalled `pulled`, or null if that never happened within `ms`.
 */
export async function waitForStalledReader(tap: EngineTap, margin = 64, ms = 20_000): Promise<number | null> {
  const deadline = Date.now() + ms;
  const backlog = tap.generated - tap.pulled; // generated but never read before this call (cancelled requests)
  let last = -1;
  while (Date.now() < deadline) {
    const now = tap.pulled;
    if (now === last && tap.generated - now - backlog >= margin) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 300));
  }
  return null;
}
