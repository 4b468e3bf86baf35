// Counted slots: the admission limit (all generation requests, HTTP and WebSocket) and the per-key
// concurrency cap. take() hands out one slot and its release; acquire() ties one to an HTTP request,
// released once, when the response finishes or its socket closes (whichever comes first; a
// WebSocket upgrade holds its per-key slot until the socket closes).
import type { FastifyReply } from 'fastify';

export class Slots {
  private readonly held = new Map<string, number>();
  private total = 0;

  /** limit 0 = unlimited. */
  constructor(readonly limit: number) {}

  /** Requests holding a slot under `key`. */
  count(key: string): number {
    return this.held.get(key) ?? 0;
  }

  get inUse(): number {
    return this.total;
  }

  /** True when `key` already holds `limit` slots (a take() now would fail). */
  full(key: string): boolean {
    return this.limit !== 0 && this.count(key) >= this.limit;
  }

  /** Takes a slot for `key`: its release (idempotent), or null when `key` already holds `limit`. */
  take(key: string): (() => void) | null {
    if (this.limit === 0) return () => {};
    if (this.full(key)) return null;
    this.held.set(key, this.count(key) + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = this.count(key) - 1;
      if (left === 0) this.held.delete(key);
      else this.held.set(key, left);
    };
  }

  /** Takes a slot for `key` until the request ends; false when `key` already holds `limit`. */
  acquire(key: string, reply: FastifyReply): boolean {
    const give = this.take(key);
    if (give === null) return false;
    const socket = reply.raw.socket;
    const release = () => {
      reply.raw.off('close', release);
      socket?.off('close', release);
      give();
    };
    reply.raw.once('close', release);
    socket?.once('close', release);
    return true;
  }
}
