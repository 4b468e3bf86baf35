// GET /metrics: Prometheus text exposition of the app's own registry.
import type { FastifyPluginAsync } from 'fastify';

export const metricsRoute: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['ops'] } }, async (_request, reply) => {
    const registry = app.loraledger.metrics.registry;
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
};
