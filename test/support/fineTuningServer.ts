// A real server for the fine-tuning tests: buildApp on stories260K in a temporary data folder,
// listening on a free port, with an admin key, no chain and one training thread.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, engineStarted, loadConfig } from '../../server/index.ts';

export const STORIES260K = new URL('../../../shared/models/stories260K', import.meta.url).pathname;

export async function startFineTuningServer(o: {
  dir: string;
  adminKey: string;
  /** More flags (e.g. --api-key). */
  argv?: string[];
  /** Fastify's logger option (default: silent). */
  logger?: NonNullable<Parameters<typeof buildApp>[1]>['logger'];
}): Promise<{
  app: FastifyInstance;
  base: string;
}> {
  const config = loadConfig({
    argv: [
      ...['--model', STORIES260K, '--cache-dir', join(o.dir, 'cache'), '--data-dir', join(o.dir, 'data')],
      ...['--admin-key', o.adminKey, '--log-level', 'silent', '--chain', 'off', '--threads', '1'],
      ...['--training-threads', '1', '--max-lora-rank', '8'],
      ...(o.argv ?? []),
    ],
    env: {},
  });
  const app = await buildApp(config, { logger: o.logger });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await engineStarted(app);
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}
