// Two slow-client cut-offs Node's own timers leave open, swept by ONE timer over the open sockets
// (1,000 sockets cost one timer, not 1,000):
//
//   silent:  a socket that has not completed the headers of its first request headerTimeout
//            seconds after connecting is destroyed. (Node's headersTimeout starts at the first
//            byte, so a socket that never says anything would otherwise stay open for good.)
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

export function startSocketWatchdog(
  server: Server,
  options: { headerTimeoutSeconds: number; sendTimeoutSeconds: number; sweepMs?: number },
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
    for (const [socket, w] of open) {
      if (!w.spoke) {
        if (now - w.openedAt >= headerMs) {
          cutOff.silent++;
          socket.destroy();
        }
        continue;
      }
      if (!socket.writableNeedDrain) w.stalledSince = undefined;
      else if (w.stalledSince === undefined) w.stalledSince = now;
      else if (now - w.stalledSince >= sendMs) {
        cutOff.stalled++;
        socket.destroy();
      }
    }
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
