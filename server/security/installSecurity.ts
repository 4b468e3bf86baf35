// The security and overload layer of buildApp (docs/security.md), in request order:
//
//   connection   --header-timeout / --connection-timeout / --keep-alive-timeout (Node's own timers,
//                see serverTimeouts) and --send-timeout and silent sockets (socketWatchdog) cut slow clients off
//   onRequest    1. key:        protected routes need an API key (or the admin key, named "admin")
//                               when keys are configured; /metrics needs --metrics-key when set;
//                               request.payer = the key's name (never the key)
//                2. admission:  generation routes while --max-pending-requests are held -> 429 overloaded,
//                               before their body is read
//                3. per key:    --max-concurrent-per-key in flight -> 429 rate_limit_exceeded
//                4. rate:       --rate-limit-per-minute (@fastify/rate-limit, keyed by payer or address)
//   preValidation  admission slot taken once the whole body has arrived (429 overloaded if the limit
//                filled meanwhile): a body still arriving, however slowly, holds no slot
//   /v1/ws       each generation on a socket takes and releases a slot of the same limit (app.admission)
//   CORS         only with --cors-origin (@fastify/cors); helmet's headers on the factory page
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { RequestError } from '../../common/index.ts';
import type { Config } from '../configSchema.ts';
import { RETRY_AFTER_SECONDS } from '../http/errorHandler.ts';
import { bearerToken, digestOf, tokenMatches } from './bearer.ts';
import { loadKeyRing } from './apiKeys.ts';
import { isGeneration, isWebSocketRoute, routeClass } from './routeClass.ts';
import { Slots } from './slots.ts';
import { startSocketWatchdog } from './socketWatchdog.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Name of the API key that pays for this request (null: keys are off, or an open route). */
    payer: string | null;
  }
  interface FastifyInstance {
    /** The generation admission limit (--max-pending-requests), shared by the HTTP routes and /v1/ws. */
    admission: Admission;
  }
}

/** Generation slots, HTTP and WebSocket together (--max-pending-requests). */
export interface Admission {
  /** 0 = unlimited. */
  readonly limit: number;
  readonly inUse: number;
  /** One slot for a generation: its release (idempotent), or null when all `limit` are held. */
  take(): (() => void) | null;
  /** The 429 overloaded error a refused generation gets. */
  refused(): RequestError;
  /**
   * One of the request's key's --max-concurrent-per-key slots, for a generation on a /v1/ws socket
   * (the socket itself holds none; each of its generations is a request in flight): its release
   * (idempotent), or null when the key holds all of them.
   */
  takeForKey(request: FastifyRequest): (() => void) | null;
  /** The 429 rate_limit_exceeded error a key over --max-concurrent-per-key gets. */
  keyRefused(): RequestError;
}

/** Node's slow-client timers, as Fastify server options (seconds in config, ms here). */
export function serverTimeouts(config: Config): Partial<FastifyServerOptions> & { http: Record<string, number> } {
  return {
    requestTimeout: config.connectionTimeout * 1000,
    keepAliveTimeout: config.keepAliveTimeout * 1000,
    // headersTimeout is checked every connectionsCheckingInterval (Node's default is 30 s)
    http: {
      headersTimeout: config.headerTimeout * 1000,
      connectionsCheckingInterval: Math.min(1000, config.headerTimeout * 1000),
    },
  };
}

const unauthorized = (message: string) => new RequestError('invalid_api_key', message);
const ADMIN = 'admin';
/** The admission limit's one key: every generation counts against the same limit. */
const ALL = 'all';

function clientKey(request: FastifyRequest): string {
  return request.payer ?? `address:${request.ip}`;
}

export async function installSecurity(app: FastifyInstance, config: Config): Promise<void> {
  const keys = loadKeyRing({ apiKey: config.apiKey, apiKeysFile: config.apiKeysFile });
  const admin = config.adminKey === undefined ? null : digestOf(config.adminKey);
  const metricsKey = config.metricsKey === undefined ? null : digestOf(config.metricsKey);
  const pendingLimit = config.maxPendingRequests || config.maxBatchSize + config.maxQueue;
  const admission = new Slots(pendingLimit);
  const perKey = new Slots(config.maxConcurrentPerKey);
  const keyOverLimit = () =>
    new RequestError(
      'rate_limit_exceeded',
      `This key already has ${config.maxConcurrentPerKey} requests in flight (--max-concurrent-per-key).`,
    );
  const overloaded = () =>
    new RequestError(
      'overloaded',
      `The server already holds ${pendingLimit} generation requests (--max-pending-requests); retry after ${RETRY_AFTER_SECONDS} s.`,
    );
  app.decorate('admission', {
    limit: pendingLimit,
    get inUse() {
      return admission.inUse;
    },
    take: () => admission.take(ALL),
    refused: overloaded,
    takeForKey: (request) => perKey.take(clientKey(request)),
    keyRefused: keyOverLimit,
  } satisfies Admission);
  app.decorateRequest('payer', null);
  app.log.info(
    { apiKeys: keys.size, metricsKey: metricsKey !== null, maxPendingRequests: pendingLimit },
    'request security',
  );

  const watchdog = startSocketWatchdog(app.server, {
    headerTimeoutSeconds: config.headerTimeout,
    sendTimeoutSeconds: config.sendTimeout,
    onCutOff: (sweep) => app.log.info(sweep, 'slow clients cut off'),
  });
  app.addHook('onRequest', async (request, reply) => {
    watchdog.spoke(request.raw.socket);
    const kind = routeClass(request);
    if (kind === 'metrics' && metricsKey !== null) {
      const token = bearerToken(request);
      if (token === null || !tokenMatches(token, metricsKey))
        throw unauthorized('GET /metrics needs "Authorization: Bearer <metrics key>" (--metrics-key).');
    }
    if (kind !== 'protected') return;
    if (keys.size > 0) {
      const token = bearerToken(request);
      if (token === null)
        throw unauthorized('This server needs an API key: send "Authorization: Bearer <key>" (--api-key).');
      const name = keys.match(token) ?? (admin !== null && tokenMatches(token, admin) ? ADMIN : null);
      if (name === null) throw unauthorized('The API key is not valid for this server.');
      request.payer = name;
    }
    // a full server refuses before reading the body; the slot itself is taken once the body is in
    if (isGeneration(request) && admission.full(ALL)) throw overloaded();
    // a /v1/ws socket is not itself a request in flight: each generation on it takes a key slot (ws.ts)
    if (!isWebSocketRoute(request) && !perKey.acquire(clientKey(request), reply)) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      throw keyOverLimit();
    }
  });

  // After the body arrived (parsed, before validation): a slow or dripping body holds no slot while
  // it arrives (it is cut off by --connection-timeout), so it cannot crowd out real clients.
  app.addHook('preValidation', async (request, reply) => {
    if (isGeneration(request) && !admission.acquire(ALL, reply)) throw overloaded();
  });

  if (config.rateLimitPerMinute > 0)
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: clientKey,
      allowList: (request) => routeClass(request) !== 'protected',
      errorResponseBuilder: (_request, ctx) =>
        new RequestError(
          'rate_limit_exceeded',
          `Rate limit of ${ctx.max} requests per minute reached (--rate-limit-per-minute); retry after ${ctx.after}.`,
        ),
    });

  if (config.corsOrigin.length > 0)
    await app.register(cors, {
      origin: config.corsOrigin.includes('*') ? '*' : [...config.corsOrigin],
      exposedHeaders: ['x-request-id', 'retry-after'],
    });

  // helmet on the factory page's routes only: the JSON API has nothing for a browser to render
  app.addHook('onRoute', (route) => {
    if (route.url === '/factory' || route.url.startsWith('/factory/')) route.helmet ??= {};
  });
  await app.register(helmet, { global: false });

  app.addHook('onClose', async () => watchdog.stop());
}
