// Which key a route needs. Decided from the route's pattern (what Fastify matched), so encodings
// and query strings cannot dodge it; a request that matched no route falls back to its raw path.
//
//   open       /health, /docs, /factory (the page; its API calls are protected like any client's)
//   metrics    /metrics: --metrics-key when set, else open
//   protected  every /v1 route (inference, files, fine-tuning, DataNets, attribution, /v1/ws), /tokenize, /detokenize
//   generation the protected routes that start model work: they also pass the admission limit
import type { FastifyRequest } from 'fastify';

export type RouteClass = 'open' | 'metrics' | 'protected';

const GENERATION = new Set([
  'POST /v1/completions',
  'POST /v1/chat/completions',
  'POST /v1/responses',
  'POST /v1/attribution/influence',
]);

/** The WebSocket route, whose generations take their slots one by one (server/generation/ws.ts). */
export function isWebSocketRoute(request: FastifyRequest): boolean {
  return request.routeOptions.url === '/v1/ws';
}

function pathOf(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (pattern !== undefined) return pattern;
  const raw = request.url;
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

export function routeClass(request: FastifyRequest): RouteClass {
  const path = pathOf(request);
  if (path === '/metrics') return 'metrics';
  if (path === '/v1' || path.startsWith('/v1/') || path === '/tokenize' || path === '/detokenize') return 'protected';
  return 'open';
}

/** True for the routes that queue model work (admission-limited). */
export function isGeneration(request: FastifyRequest): boolean {
  return request.routeOptions.url !== undefined && GENERATION.has(`${request.method} ${request.routeOptions.url}`);
}
