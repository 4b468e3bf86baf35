// Loads @mlc-ai/web-xgrammar (xgrammar compiled to WASM, the WASM inlined as base64: nothing is
// fetched) in Node. The package ships a UMD bundle but declares `"type": "module"`, so Node would
// run it as ESM, where its Emscripten prelude's `require` / `__filename` do not exist. We run the
// bundle's text as the CommonJS module it is instead, once per thread.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Xgrammar from '@mlc-ai/web-xgrammar';

export type XgrammarModule = typeof Xgrammar;

let loaded: XgrammarModule | undefined;
/** What the WASM module printed (its C++ errors: `[FATAL] file.cc:75: Regex parsing error ...`). */
let printed: string[] = [];

/** The reason of the last failure the module printed, without its source location; clears it. */
export function takeXgrammarError(): string | undefined {
  const fatal = printed.find((line) => line.includes('[FATAL]'));
  printed = [];
  return fatal?.replace(/^.*\[FATAL\]\s*\S+:\d+:\s*/, '');
}

export function loadXgrammar(): XgrammarModule {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@mlc-ai/web-xgrammar');
  const module = { exports: {} as Record<string, unknown> };
  // Its prints go to `printed` (kept short), not to the worker's stderr: a failed compile reports them.
  const record = (...args: unknown[]): void => {
    printed.push(args.map(String).join(' '));
    if (printed.length > 16) printed.shift();
  };
  const quiet = { ...console, log: record, warn: record, error: record };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the bundle's own CommonJS wrapper
  const run = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    'console',
    readFileSync(file, 'utf8'),
  );
  run(module.exports, require, module, file, dirname(file), quiet);
  loaded = module.exports as unknown as XgrammarModule;
  return loaded;
}
