// One waiter per turn of the event loop. `await setImmediate` is not enough to spread work: every
// immediate queued before the loop's check phase runs in that one phase, so a burst of N awaiting
// tasks (the records of one engine step, the answers of one gradient call) still runs back to back
// with no I/O between them. nextTurn releases its waiters in FIFO order, one per check phase (the
// next pump is queued from inside the current one, which Node defers to the following iteration),
// so timers, sockets and SSE writes are served between them.

const waiters: Array<() => void> = [];
let scheduled = false;

function pump(): void {
  waiters.shift()?.();
  if (waiters.length > 0) setImmediate(pump);
  else scheduled = false;
}

/** Resolves on a later turn of the event loop than any other nextTurn waiter already queued. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiters.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(pump);
    }
  });
}
