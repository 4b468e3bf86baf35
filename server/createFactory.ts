// Wires ModelFactory's job service (factory/jobs/fineTuner.ts) into the app: durable state under
// <data-dir>/finetune, finished adapters into <data-dir>/adapters (an adapter root scanned at
// start), DataNet documents from the attribution plugin, deployment through the adapter directory.
import { join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { FineTuner } from '../factory/index.ts';
import type { AdapterDirectory, AttributionPlugin } from './ports.ts';
import type { Config } from './configSchema.ts';

/** The adapter root fine-tuned adapters are written to. */
export const trainedAdaptersRoot = (config: Config): string => resolve(config.dataDir, 'adapters');

export function createFactory(o: {
  config: Config;
  modelDir: string;
  baseModelId: string;
  maxPositions: number;
  adapters: AdapterDirectory;
  attribution: AttributionPlugin | null;
  log: FastifyBaseLogger;
}): FineTuner {
  const { config } = o;
  return new FineTuner({
    dir: resolve(config.dataDir, 'finetune'),
    adaptersRoot: trainedAdaptersRoot(config),
    modelDir: o.modelDir,
    baseModelId: o.baseModelId,
    cacheDir: join(config.cacheDir, 'training'),
    maxLoraRank: config.maxLoraRank,
    threads: config.trainingThreads,
    contextLength: Math.min(config.trainingContext, o.maxPositions),
    documents: o.attribution?.documents,
    adapterPath: (id) => o.adapters.get(id)?.path ?? null,
    deploy: async (id, path) => {
      await o.adapters.load(id, path);
    },
    log: o.log,
  });
}
