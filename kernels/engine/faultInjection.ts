// Test-only fault injection for the engine worker (issue 19: "the engine fails, the server does
// not"). A test arms a fault through EngineClient.injectFault(); the worker fires it inside the next
// forward call, i.e. in the middle of a scheduler step, with requests in flight:
//
//   'throw'      an uncaught exception escapes the step: the worker thread dies with an error
//   'exit'       the worker thread calls process.exit(70) mid-step
//   'step-error' the forward call rejects: the step's own catch ends the in-flight requests with
//                engine_failed and the worker lives on (no restart)
//   'loader-throw' / 'loader-exit'  the adapter loader thread throws (uncaught) or exits in the
//                middle of its next load (adapters/adapterLoader.ts restarts it and retries)
//
// Faults are honoured only when the engine was started with `faultInjection: true`, which no
// config flag or environment variable sets: only tests (BuildOptions.faultInjection) can.
// Otherwise the command is refused with a log line and does nothing.
import type { Logger } from '../../common/index.ts';
import type { ForwardFn } from './engineCore.ts';
import type { EngineFault } from './engineContract.ts';

/** Exit code of an injected 'exit' (tests expect it in the restart log line). */
export const FAULT_EXIT_CODE = 70;

export interface FaultHook {
  /** Wraps the forward pass: the armed fault fires inside its next call. */
  wrap(forward: ForwardFn): ForwardFn;
  /** Arms a fault (ignored, with a warning, unless fault injection is enabled). */
  arm(fault: EngineFault): void;
}

/** The adapter loader thread's side of fault injection (adapters/adapterLoader.ts). */
export interface FaultableLoader {
  injectFault(kind: 'throw' | 'exit'): void;
}

export function faultHook(enabled: boolean, log: Logger, loader?: () => FaultableLoader): FaultHook {
  let armed: EngineFault | null = null;
  return {
    wrap: (forward) => async (feeds) => {
      const fault = armed;
      if (fault === null) return forward(feeds);
      armed = null;
      log.warn({ fault }, 'engine worker: injected fault fires now');
      if (fault === 'exit') process.exit(FAULT_EXIT_CODE);
      if (fault === 'step-error') throw new Error('injected step error');
      // 'throw': escapes the step's try/catch, so the thread dies as it would of an uncaught bug
      process.nextTick(() => {
        throw new Error('injected uncaught engine fault');
      });
      return new Promise<never>(() => {});
    },
    arm: (fault) => {
      if (!enabled) {
        log.warn({ fault }, 'engine worker: fault injection is disabled (tests only); command ignored');
        return;
      }
      if (fault === 'loader-throw' || fault === 'loader-exit')
        loader?.().injectFault(fault === 'loader-exit' ? 'exit' : 'throw');
      else armed = fault;
    },
  };
}
