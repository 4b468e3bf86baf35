// A listening server on the embedded default's quick profile (built in a fresh temporary folder,
// a few seconds), as `npm start` serves it with no model flags: for end-to-end tests with real clients.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted, loadConfig, type BuildOptions } from '../../server/index.ts';

export interface EmbeddedServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>/v1` */
  base: string;
  close(): Promise<void>;
}

/** Starts it with `--chain off --threads 1`, silent, plus `extraArgs` (and `build`); `close` removes its folder. */
export async function startEmbeddedServer(
  name: string,
  extraArgs: string[] = [],
  build: BuildOptions = {},
): Promise<EmbeddedServer> {
  const tmp = mkdtempSync(join(tmpdir(), `loraledger-${name}-`));
  const config = loadConfig({
    argv: [
      ...['--cache-dir', join(tmp, 'cache'), '--data-dir', join(tmp, 'data'), '--embedded-profile', 'quick'],
      ...['--chain', 'off', '--threads', '1', '--log-level', 'silent', ...extraArgs],
    ],
    env: {},
  });
  const app = await buildApp(config, { logger: false, ...build });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await engineStarted(app);
  assert.equal(app.loraledger.engine.state, 'ready', app.loraledger.engine.failure?.message);
  return {
    app,
    base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1`,
    close: async () => {
      await app.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
