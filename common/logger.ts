// The logger the core is given (house style §3): the server injects its pino logger (Fastify's
// `app.log`, which has this shape), so core log lines carry the request ids and go where the
// operator reads them. Core code never calls `console.*`.
//
//   log.error({ err, id: 'dermatology' }, 'adapter listener failed')

/** A structured log call: context fields first, then the message (pino's argument order). */
export type LogFn = (context: Record<string, unknown>, message: string) => void;

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
}

/**
 * The logger used when none is injected (tests, benches, CLIs): one JSON line per call on
 * stderr, in pino's field names (level 50/40/30, time, msg), with an `err` field reduced to its
 * message and stack.
 */
export const stderrLogger: Logger = {
  error: (context, message) => writeLine(50, context, message),
  warn: (context, message) => writeLine(40, context, message),
  info: (context, message) => writeLine(30, context, message),
};

function writeLine(level: number, context: Record<string, unknown>, msg: string): void {
  const fields: Record<string, unknown> = { level, time: Date.now(), ...context, msg };
  if (context.err instanceof Error) fields.err = { message: context.err.message, stack: context.err.stack };
  process.stderr.write(`${JSON.stringify(fields)}\n`);
}
