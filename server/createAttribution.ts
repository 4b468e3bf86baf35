// The attribution factory buildApp takes (BuildOptions.attribution): joins the settlement half
// (attribution/startSettlement: signer key, outbox, chain, epochs) and the data half
// (attribution/startDataAttribution: DataNets, retrieval, scoring) and registers their routes.
//
//   settlement = startSettlement(config)            records are signed and appended by it
//   data       = startDataAttribution({sink: settlement, embed: --rag-rerank embeddings ? mean-pooled
//                embed_tokens rows (the table buildApp read for routing, else read here) : none})
//   spans      = <data-dir>/spans.sqlite, keyed by sha256(tokenizer.json) (a new tokenizer rebuilds it)
//   training   = the adapter's loraledger.json training.examples (w.adapterDir) and the influence
//                scorer w.trainingInfluence() (DataInf, attribution/scoring/influence) when wired
//   hook       = data.service                        (prepare -> rag, onCompletion -> record)
//   routes     = /v1/attribution/* + /v1/datanets/*
//   close      = data.close (drains async records) then settlement.close
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../common/index.ts';
import { readTrainingManifest } from '../attribution/scoring/influence/influenceFiles.ts';
import {
  StorageGuard,
  loadTokenEmbeddings,
  parseAttributionRequest,
  startDataAttribution,
  startGovernance,
  startSettlement,
  tokenEmbeddingEmbedder,
  type GovernanceHandle,
} from '../attribution/index.ts';
import type { AttributionHook, AttributionPlugin, AttributionWiring } from './ports.ts';
import { makeAdminGuard } from './http/adminAuth.ts';
import { attributionRoutes } from './routes/attribution.ts';
import { datanetRoutes } from './routes/datanets.ts';
import { datanetGovernanceRoutes } from './routes/datanetGovernance.ts';

export async function createAttribution(w: AttributionWiring): Promise<AttributionPlugin> {
  const embed =
    w.config.ragRerank === 'embeddings'
      ? tokenEmbeddingEmbedder(w.tokenEmbeddings ?? (await loadTokenEmbeddings(w.modelDir)), (text) =>
          w.tokenizer.encode(text),
        )
      : undefined;
  const handle = await startSettlement(w.config, w.log);
  let data: ReturnType<typeof startDataAttribution>;
  let gov: GovernanceHandle | null = null;
  try {
    data = startDataAttribution({
      settings: w.config,
      model: w.baseModelId,
      tokenizer: w.tokenizer,
      engine: w.engine,
      adapterOwner: w.adapterOwner,
      sink: handle.settlement,
      embed,
      onError: (err, context) =>
        w.log.error({ err, ...context }, 'async attribution failed; no record for this request'),
      onTrainingError: (err, context) =>
        w.log.warn({ err, ...context }, 'training-data influence unavailable; training sources from spans only'),
      tokenizerId: tokenizerId(w.modelDir, w.baseModelId),
      trainingInfluence: w.trainingInfluence,
      trainingExamples: async (adapterId) => {
        const dir = w.adapterDir?.(adapterId) ?? null;
        return dir === null ? null : ((await readTrainingManifest(dir))?.examples ?? null);
      },
      // governed DataNets' contributor reputation (gov starts below; 1 until then and in open DataNets)
      reputation: { reputationPpm: (c, d) => gov?.governance.reputationPpm(c, d) ?? 1_000_000 },
      validatorStakes: async (datanets) => (gov === null ? new Map() : gov.governance.validatorStakes(datanets)),
      onIndexError: (err, context) =>
        w.log.error({ err, ...context }, 'span index: a document or a merge failed (retried at the next start)'),
    });
    // DataNet governance on the settlement chain (docs/datanets.md); none with --chain off
    gov = await startGovernance({
      dataDir: w.config.dataDir,
      rpcUrl: w.config.chain === 'rpc' ? (w.config.chainRpc ?? null) : handle.contractInfo().rpc_url,
      chainId: w.config.chainId,
      posterKey: w.config.posterKey,
      store: data.store,
      log: w.log,
    });
    if (w.seedDatanets?.length) {
      const added = data.store.seed(w.seedDatanets);
      w.log.info(added, 'demo DataNets seeded (missing DataNets and documents added)');
    }
  } catch (err) {
    gov?.close();
    await handle.close();
    throw err;
  }
  const adminGuard = makeAdminGuard(w.config.adminKey);
  const storage = new StorageGuard(w.config.dataDir);
  return {
    hook: guardStorage(data.service, storage),
    documents: (datanet, version) => {
      data.store.getDatanet(datanet); // datanet_not_found
      if (version === undefined) return data.store.allDocuments(datanet);
      if (gov === null)
        throw new RequestError('invalid_request', 'DataNet versions need governance (a chain); this server has none', {
          param: 'training_data.versions',
        });
      return gov.governance.versionDocuments(datanet, version);
    },
    routes: async (app: FastifyInstance) => {
      await app.register(attributionRoutes(handle, { adminGuard }));
      await app.register(
        datanetRoutes(data.store, {
          adminGuard,
          documentsRequireAdmin: w.config.documentsRequireAdmin,
          governance: gov?.governance,
        }),
      );
      if (gov !== null) await app.register(datanetGovernanceRoutes(gov.governance, { adminGuard }));
    },
    close: async () => {
      await data.close();
      gov?.close();
      await handle.close();
    },
  };
}

/**
 * A request that needs a record is refused with 503 storage_unavailable before it runs while the
 * data directory is full or read-only (attribution/settlement/storageGuard.ts); others pass.
 */
function guardStorage(hook: AttributionHook, storage: StorageGuard): AttributionHook {
  if (!hook.prepare) return hook;
  const prepare = hook.prepare.bind(hook);
  return {
    prepare: async (input) => {
      if (needsRecord(input.body)) storage.check();
      return prepare(input);
    },
    onCompletion: (input) => hook.onCompletion(input),
    retainsKv: hook.retainsKv && ((id, adapterId) => hook.retainsKv!(id, adapterId)),
    forget: hook.forget && ((id) => hook.forget!(id)),
    drain: hook.drain && (() => hook.drain!()),
  };
}

function needsRecord(body: Record<string, unknown>): boolean {
  try {
    return parseAttributionRequest(body).mode !== 'off';
  } catch {
    return false; // a bad field: the service's own prepare names it (400)
  }
}

/** sha256 of the model folder's tokenizer.json (the span index is keyed by it), else the model id. */
function tokenizerId(modelDir: string, modelId: string): string {
  const file = join(modelDir, 'tokenizer.json');
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : `model:${modelId}`;
}
