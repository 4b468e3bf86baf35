// GET /metrics: Prometheus text exposition of the app's own registry: the loraledger_* families
// (server/http/metrics.ts) and the vLLM-named gauges the inference gateway's Endpoint Picker
// scrapes (server/http/vllmMetrics.ts).
import type { FastifyPluginAsync } from 'fastify';
import { registerVllmGauges } from '../http/vllmMetrics.ts';

export const metricsRoute: FastifyPluginAsync = async (app) => {
  const s = app.loraledger;
  registerVllmGauges(s.metrics.registry, {
    stats: () => s.engine.peek()?.stats() ?? null, // s.engine is replaced once the app is ready
    maxLora: s.config.maxActiveAdapters,
    modelName: s.baseModelId,
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['ops'] } }, async (_request, reply) => {
    const registry = s.metrics.registry;
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
};
