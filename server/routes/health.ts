// GET /health: 200 when the engine is ready, 503 (with the state) before, while draining, or failed.
import type { FastifyPluginAsync } from 'fastify';

export const healthRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    { schema: { summary: 'Readiness: 200 when the model is loaded', tags: ['ops'] } },
    async (_request, reply) => {
      const h = app.loraledger.engine;
      const ready = h.state === 'ready' && !h.draining;
      const body: Record<string, unknown> = {
        status: ready ? 'ok' : h.draining ? 'draining' : h.state,
        model: app.loraledger.baseModelId,
      };
      if (h.failure) body.error = h.failure.message;
      return reply.code(ready ? 200 : 503).send(body);
    },
  );
};
