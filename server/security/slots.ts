// Counted slots held for the life of a request: the admission limit (all generation requests) and
// the per-key concurrency cap. A slot is released once, when the response finishes or its socket
// closes (whichever comes first; a WebSocket holds its slot until the socket closes).
import type { FastifyReply } from 'fastify';

export class Slots {
  private readonly held = new Map<string, number>();
  private total = 0;

  /** limit 0 = unlimited. */
  constructor(private readonly limit: number) {}

  /** Requests holding a slot under `key`. */
  count(key: string): number {
    return this.held.get(key) ?? 0;
  }

  get inUse(): number {
    return this.total;
  }

  /** Takes a slot for `key` until the request ends; false when `key` already holds `limit`. */
  acquire(key: string, reply: FastifyReply): boolean {
    if (this.limit === 0) return true;
    const n = this.count(key);
    if (n >= this.limit) return false;
    this.held.set(key, n + 1);
    this.total++;
    const socket = reply.raw.socket;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      reply.raw.off('close', release);
      socket?.off('close', release);
      this.total--;
      const left = this.count(key) - 1;
      if (left === 0) this.held.delete(key);
      else this.held.set(key, left);
    };
    reply.raw.once('close', release);
    socket?.once('close', release);
    return true;
  }
}
