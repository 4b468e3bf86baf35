// buildApp with the real attribution factory (server/createAttribution), configured from CLI flags
// alone (no environment), returned once its engine is ready: the RAG, settlement and fee e2e tests.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp, createAttribution, engineStarted, loadConfig } from '../../server/index.ts';

export async function startAttributedApp(argv: string[]): Promise<FastifyInstance> {
  const app = await buildApp(loadConfig({ argv, env: {} }), { attribution: createAttribution });
  await engineStarted(app);
  assert.equal(app.loraledger.engine.state, 'ready', app.loraledger.engine.failure?.message);
  return app;
}
