// buildApp(config): the ONE place that wires loraledger together (house style §3). The CLI calls
// it and listens; tests build the same app. The engine starts in the background when the app
// is ready (GET /health answers 503 until then) and closes in onClose.
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import {
  startEngine as startWorkerEngine,
  type AdapterRegistration,
  type EngineClient,
  type EngineOptions,
} from '../kernels/index.ts';
import { loadModelSpec } from '../kernels/model/index.ts';
import { AdapterRegistry } from '../adapters/index.ts';
import type { TokenEmbeddingTable } from '../attribution/index.ts';
import type { Config } from './configSchema.ts';
import { redactConfig } from './config.ts';
import { sizeEngine } from './engineSizing.ts';
import { EngineError } from '../common/index.ts';
import type { AppServices } from './appServices.ts';
import { adapterDirectory } from './adapterDirectory.ts';
import { EngineHolder } from './engineHolder.ts';
import { frameworkErrors, installErrorHandlers } from './http/errorHandler.ts';
import { Metrics } from './http/metrics.ts';
import { AUTO_MODEL } from './generation/planRequest.ts';
import { resolveToolParser, type ToolParserSetting } from './generation/tools/detectToolParser.ts';
import type { AttributionPlugin, AttributionWiring, AutoRouter, ServerTokenizer } from './ports.ts';
import { loadRoutingEmbeddings, loadServerTokenizer, makeAutoRouter, prepareModelFolders } from './integrations.ts';
import { chatCompletionsRoute, completionsRoute } from './routes/completions.ts';
import { modelsRoute } from './routes/models.ts';
import { tokenizeRoutes } from './routes/tokenize.ts';
import { adaptersRoute } from './routes/adapters.ts';
import { healthRoute } from './routes/health.ts';
import { metricsRoute } from './routes/metrics.ts';
import { wsRoute } from './generation/ws.ts';
import { ResponseStore } from './generation/responseStore.ts';
import { responsesRoute } from './routes/responses.ts';
import { createAttribution } from './createAttribution.ts';
import { createFactory, trainedAdaptersRoot } from './createFactory.ts';
import { fineTuningRoutes } from './routes/fineTuning.ts';
import { createInfluenceScorer, influenceRoutes } from './routes/influence.ts';
import type { InfluenceScorer } from '../attribution/scoring/influence/index.ts';
import { factoryPageRoute } from './routes/factoryPage.ts';
import { installSecurity, serverTimeouts } from './security/installSecurity.ts';

export interface BuildOptions {
  /** Engine factory; default: kernels' worker engine. */
  startEngine?: (options: EngineOptions & { adapters: AdapterRegistration[] }) => Promise<EngineClient>;
  /** Tokenizer; default: loaded from the model folder. */
  tokenizer?: ServerTokenizer;
  router?: AutoRouter;
  /** Attribution factory; default: server/createAttribution (DataNets, records, settlement); null = none. */
  attribution?: ((w: AttributionWiring) => Promise<AttributionPlugin>) | null;
  /** Fastify logger option; default pino at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  /** Tests only (no flag sets it): the engine honours EngineClient.injectFault (kernels/engine/faultInjection.ts). */
  faultInjection?: boolean;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel, redact: ['req.headers.authorization'] },
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
    forceCloseConnections: 'idle',
    return503OnClosing: false, // the onRequest hook below refuses with an OpenAI-shaped 503 shutting_down
    ...serverTimeouts(config), // slow clients: header, connection and keep-alive timeouts
    frameworkErrors, // router errors (bad percent-encoding, over-long parameters) in OpenAI's shape
  });
  app.log.info({ config: redactConfig(config) }, 'loraledger starting');
  const folders = await prepareModelFolders(config, app.log);
  const { modelDir } = folders;
  // fine-tuned adapters live in an adapter root of their own, scanned like the others
  const trainedRoot = trainedAdaptersRoot(config);
  mkdirSync(trainedRoot, { recursive: true });
  const adapterRoots = [...folders.adapterRoots, trainedRoot];
  const spec = await loadModelSpec(modelDir);
  config = sizeEngine(config, spec); // the sizes left at 0 ("sized at start"), from the model and the machine
  const baseModelId = basename(resolve(modelDir));
  const registry = new AdapterRegistry({
    spec,
    roots: adapterRoots,
    maxRank: config.maxLoraRank,
    reservedIds: [baseModelId, AUTO_MODEL],
    log: app.log,
  });
  for (const root of adapterRoots) {
    const r = registry.scanRoot(root);
    app.log.info({ root, registered: r.registered.length, skipped: r.skipped }, 'adapter root scanned');
  }
  const tokenizer = opts.tokenizer ?? (await loadServerTokenizer(modelDir));
  const toolParser = resolveToolParser(config.toolCallParser as ToolParserSetting, tokenizer.chatTemplate ?? null);
  const tokenEmbeddings = opts.router ? null : await loadRoutingEmbeddings(modelDir, spec);
  if (!opts.router && !tokenEmbeddings)
    app.log.warn(
      { vocab: spec.vocabSize, hidden: spec.hiddenSize },
      'input embeddings too large to keep for routing: "auto" routes on lexical similarity only',
    );
  const metrics = new Metrics({ topAdapters: config.metricsTopAdapters });
  let holder!: EngineHolder;
  const start = () => {
    const engineOptions: EngineOptions = {
      modelDir,
      precision: config.precision,
      provider: config.provider,
      loraKernel: config.loraKernel,
      maxLoraRank: config.maxLoraRank,
      maxActiveAdapters: config.maxActiveAdapters,
      maxCachedAdapters: config.maxCachedAdapters,
      maxCachedAdapterBytes: config.maxCachedAdapterBytes,
      loraRowsPerSlot: config.loraRowsPerSlot,
      maxBatchSize: config.maxBatchSize,
      maxBatchTokens: config.maxBatchTokens,
      maxQueue: config.maxQueue,
      maxModelLen: config.maxModelLen || spec.maxPositions,
      cacheDir: config.cacheDir,
      threads: config.threads,
      ortSpinning: config.ortSpinning,
      faultInjection: opts.faultInjection === true,
    };
    const adapters = registry.list().map(({ id, path }) => ({ id, path }));
    return (opts.startEngine ?? startWorkerEngine)({ ...engineOptions, adapters, log: app.log });
  };
  const onReady = (engine: EngineClient, { restart }: { restart: boolean }) => {
    engine.onNotice((n) => {
      metrics.notice(n);
      if (n.type !== 'step') registry.applyNotice(n);
    });
    // after a crash, the adapters that were loaded come back into the host tier from disk
    if (restart) engine.prefetch(registry.list().flatMap((a) => (a.state === 'ready' ? [a.id] : [])));
    app.log.info({ model: baseModelId, adapters: registry.size, restart }, 'engine ready');
  };
  const services: AppServices = {
    config,
    baseModelId,
    modelDir,
    adapterRoots,
    tokenizer,
    metrics,
    responses: new ResponseStore(config.responsesStoreSize),
    engine: undefined as unknown as EngineHolder,
    adapters: adapterDirectory(registry, () => holder.get()),
    router:
      opts.router ??
      makeAutoRouter(registry, { embeddings: tokenEmbeddings, encode: (text) => tokenizer.encode(text) }),
    planDeps: (payer = null) => {
      const engine = holder.get();
      return {
        baseModelId,
        tokenizer,
        adapters: services.adapters,
        router: services.router,
        vocabSize: engine.spec.vocabSize,
        maxModelLen: config.maxModelLen || engine.spec.maxPositions,
        timeoutSeconds: config.requestTimeout,
        attribution: services.attribution,
        toolParser,
        payer,
      };
    },
  };
  app.decorate('loraledger', services);
  app.addHook('onReady', async () => {
    holder = new EngineHolder(start, onReady, (err) => app.log.error({ err }, 'engine failed to start'), {
      onRestart: ({ error, attempt, delayMs }) => {
        metrics.engineRestarts.inc();
        app.log.error({ err: error, attempt, delayMs }, 'engine worker failed: restarting');
      },
    });
    services.engine = holder;
    metrics.useStats(() => holder.peek()?.stats() ?? null);
  });
  // Until onReady runs, routes see a holder that is still starting.
  const notStarted = new EngineHolder(
    () => new Promise<EngineClient>(() => {}),
    () => {},
    () => {},
  );
  holder = notStarted;
  services.engine = holder;

  let attribution: AttributionPlugin | null = null;
  let trainingInfluence: InfluenceScorer | null = null; // set once the factory's training thread exists (below)
  const makeAttribution = opts.attribution === undefined ? createAttribution : opts.attribution;
  if (makeAttribution) {
    attribution = await makeAttribution({
      config,
      baseModelId,
      modelDir,
      tokenEmbeddings,
      tokenizer,
      engine: () => holder.current(), // also while draining: acknowledged records are still scored
      log: app.log,
      adapterOwner: (id) => registry.meta(id)?.owner ?? null,
      adapterDir: (id) => (registry.has(id) ? (registry.meta(id)?.path ?? null) : null),
      trainingInfluence: () => trainingInfluence,
      seedDatanets: folders.datanets,
    });
    services.attribution = attribution.hook;
  }
  const factory = createFactory({
    config,
    modelDir,
    baseModelId,
    maxPositions: spec.maxPositions,
    adapters: services.adapters,
    attribution,
    log: app.log,
  });

  installErrorHandlers(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-loraledger-replica', config.replicaId);
  });
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (holder.draining && url !== '/health' && url !== '/metrics')
      throw new EngineError('shutting_down', 'The server is shutting down and accepts no new requests.');
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.requests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    });
  });
  app.addHook('preClose', async () => {
    if (holder === notStarted) return;
    holder.beginDrain(config.shutdownDeadline);
    app.log.info({ inFlight: holder.inFlight, deadlineSeconds: config.shutdownDeadline }, 'draining');
    await holder.idle();
    // then the acknowledged `async` records, while the engine and the training thread still run
    await attribution?.hook.drain?.();
  });
  app.addHook('onReady', async () => factory.start());
  app.addHook('onClose', async () => {
    await attribution?.hook.drain?.(); // records of requests that ended after preClose's drain
    await trainingInfluence?.close(); // its scoring thread
    await factory.close();
    await attribution?.close?.();
    if (holder !== notStarted) await holder.close();
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'loraledger',
        description: 'OpenAI-compatible multi-adapter LLM server with Proof of Attribution.',
        version: '0.1.0',
      },
      components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: config.bodyLimit } });
  app.websocketServer.on('headers', (headers: string[]) => headers.push(`x-loraledger-replica: ${config.replicaId}`));
  // after websocket: its onRequest hook marks upgrades first, so a refused upgrade's socket is closed
  await installSecurity(app, config); // API keys, admission, per-key limits, CORS, helmet, timeouts
  await app.register(healthRoute);
  await app.register(metricsRoute);
  await app.register(modelsRoute);
  await app.register(tokenizeRoutes);
  await app.register(completionsRoute);
  await app.register(chatCompletionsRoute);
  await app.register(responsesRoute);
  await app.register(adaptersRoute);
  await app.register(wsRoute);
  if (attribution?.routes) await app.register(attribution.routes);
  const influence = createInfluenceScorer({
    gradients: factory.influenceGradients(),
    adapters: services.adapters,
    contextLength: Math.min(config.trainingContext, spec.maxPositions),
    cacheDir: join(config.cacheDir, 'influence'), // for adapters on read-only volumes
    log: app.log,
  });
  await app.register(influenceRoutes(influence, tokenizer));
  trainingInfluence = influence; // the attribution service scores training sources with it too
  await app.register(fineTuningRoutes(factory, { maxFileBytes: config.bodyLimit }));
  await app.register(factoryPageRoute);
  return app;
}

/** Waits until the engine finished starting (ready or failed); for tests and the CLI's log line. */
export async function engineStarted(app: FastifyInstance): Promise<void> {
  await app.ready();
  await app.loraledger.engine.started;
}
