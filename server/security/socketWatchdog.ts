// Two slow-client cut-offs, swept by ONE timer over the open sockets
// (1,000 sockets cost one timer, not 1,000):
//
//   silent:  a socket that has not completed the headers of its first request headerTimeout
//            seconds after connecting is destroyed. Node 20.20's own headersTimeout closes such a
//            socket too, even one that never sends a byte (with a 408, checked every
//            connectionsCheckingInterval), whichever comes first; this rule keeps the cut-off from
//            depending on that. Each sweep that cut sockets off is reported (onCutOff: a log line).
//   stalled: a socket whose send buffer stays full (s.writableNeedDrain: it passed the high-water
//            mark and has not drained, because the client stopped reading an SSE stream, a
//            WebSocket or a large response) for sendTimeout seconds is destroyed; closing it
//            cancels the request's generation through the usual close handlers.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface SocketWatchdog {
  /** Sockets destroyed by each rule, since start. */
  readonly cutOff: { silent: number; stalled: number };
  /** The socket's first request has arrived (called from an onRequest hook, so WebSocket upgrades count). */
  spoke(socket: Socket): void;
  stop(): void;
}

interface Watch {
  openedAt: number;
  /** false until the first request's headers arrived. */
  spoke: boolean;
  /** When the send buffer was first seen full (undefined: not full). */
  stalledSince?: number;
}

/** What one sweep cut off, and what stays open (sent to `onCutOff` after a sweep that closed a socket). */
export interface SweepReport {
  silent: number;
  stalled: number;
  /** Sockets still open, and of those, the ones whose first request has not arrived. */
  open: number;
  waitingForHeaders: number;
}

export function startSocketWatchdog(
  server: Server,
  options: {
    headerTimeoutSeconds: number;
    sendTimeoutSeconds: number;
    sweepMs?: number;
    onCutOff?: (report: SweepReport) => void;
  },
): SocketWatchdog {
  const open = new Map<Socket, Watch>();
  const cutOff = { silent: 0, stalled: 0 };
  const onConnection = (socket: Socket) => {
    open.set(socket, { openedAt: Date.now(), spoke: false });
    socket.once('close', () => open.delete(socket));
  };
  server.on('connection', onConnection);
  const headerMs = options.headerTimeoutSeconds * 1000;
  const sendMs = options.sendTimeoutSeconds * 1000;
  const timer = setInterval(() => {
    const now = Date.now();
    const sweep: SweepReport = { silent: 0, stalled: 0, open: 0, waitingForHeaders: 0 };
    for (const [socket, w] of open) {
      if (!w.spoke) {
        if (now - w.openedAt >= headerMs) {
          sweep.silent++;
          socket.destroy();
        } else sweep.waitingForHeaders++;
        continue;
      }
      if (!socket.writableNeedDrain) w.stalledSince = undefined;
      else if (w.stalledSince === undefined) w.stalledSince = now;
      else if (now - w.stalledSince >= sendMs) {
        sweep.stalled++;
        socket.destroy();
      }
    }
    cutOff.silent += sweep.silent;
    cutOff.stalled += sweep.stalled;
    sweep.open = open.size - sweep.silent - sweep.stalled;
    if (sweep.silent + sweep.stalled > 0) options.onCutOff?.(sweep);
  }, options.sweepMs ?? 250);
  timer.unref();
  return {
    cutOff,
    spoke(socket) {
      const w = open.get(socket);
      if (w) w.spoke = true;
    },
    stop() {
      clearInterval(timer);
      server.off('connection', onConnection);
    },
  };
}
