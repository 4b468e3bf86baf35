// Model threads run below the event loop's priority. On Linux a thread's nice value is its own:
// setpriority on "process 0" changes the calling thread only, and the threads it starts later
// (onnxruntime's pool, a nested worker) inherit it. The engine, training and influence scoring
// threads call this first thing, so on an oversubscribed host the scheduler runs the event loop
// (HTTP, SSE writes, attribution records) as soon as it is ready and they take what is left. Measured
// with the soak (docs/reliability.md#soak): the event loop's lag under 256 streaming clients.

import { getPriority, setPriority } from 'node:os';

/** The nice value model threads take (0 = normal; 19 = lowest). */
export const MODEL_THREAD_NICE = 10;

/**
 * Lowers the calling thread's priority to `nice` (never raises it: lowering needs no privilege).
 * Returns the thread's nice value afterwards, or null where the OS refused (the thread runs as it was).
 */
export function lowerThreadPriority(nice = MODEL_THREAD_NICE): number | null {
  try {
    if (getPriority(0) < nice) setPriority(0, nice);
    return getPriority(0);
  } catch {
    return null;
  }
}
