// OpenAI's files and fine-tuning routes over ModelFactory's job service (factory/jobs/fineTuner.ts).
//
//   POST   /v1/files                          multipart: file (JSONL), purpose "fine-tune"
//   GET    /v1/files, /v1/files/:id, /v1/files/:id/content;  DELETE /v1/files/:id
//   POST   /v1/fine_tuning/jobs               OpenAI's body + loraledger's extras (jobRequest.ts)
//   GET    /v1/fine_tuning/jobs               ?after=<job id>&limit=1..100 (20), newest first
//   GET    /v1/fine_tuning/jobs/:id;  POST .../cancel, .../pause, .../resume
//   GET    /v1/fine_tuning/jobs/:id/events    ?after=<event id>&limit (20), newest first
//   GET    /v1/fine_tuning/jobs/:id/checkpoints
//   GET    /v1/fine_tuning/jobs/:id/provenance    the adapter's training manifest, by contributor
// Objects are OpenAI's shapes (file, fine_tuning.job, fine_tuning.job.event,
// fine_tuning.job.checkpoint); errors are catalogue errors in OpenAI's error shape.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { CheckpointRow, EventRow, FileRow, FineTuner, JobResult, JobRow, JobSpec } from '../../factory/index.ts';
import { ADAPTER_LEDGER_FILE } from '../../adapters/index.ts';
import { RequestError } from '../../common/index.ts';

const fileJson = (f: FileRow) => ({
  id: f.id,
  object: 'file',
  bytes: f.bytes,
  created_at: f.createdAt,
  filename: f.filename,
  purpose: f.purpose,
  status: 'processed',
  status_details: null,
});

export function jobJson(j: JobRow<JobSpec, JobResult>) {
  const h = j.result.hyperparameters;
  const hyperparameters = {
    n_epochs: h?.n_epochs ?? j.spec.hyperparameters.nEpochs,
    batch_size: h?.batch_size ?? j.spec.hyperparameters.batchSize,
    learning_rate_multiplier: h?.learning_rate_multiplier ?? j.spec.hyperparameters.learningRateMultiplier,
  };
  return {
    id: j.id,
    object: 'fine_tuning.job',
    created_at: j.createdAt,
    finished_at: j.result.finishedAt,
    model: j.spec.model,
    fine_tuned_model: j.result.fineTunedModel,
    organization_id: 'loraledger',
    status: j.status,
    hyperparameters,
    method: { type: 'supervised', supervised: { hyperparameters } },
    training_file: j.spec.trainingFile ?? `datanets:${j.spec.datanets.join(',')}`,
    validation_file: j.spec.validationFile,
    result_files: [],
    trained_tokens: j.result.trainedTokens,
    error: j.result.error,
    seed: j.spec.seed,
    estimated_finish: j.result.estimatedFinish,
    integrations: null,
    user_provided_suffix: j.spec.suffix,
    metadata: null,
    // loraledger's extras
    training_data: j.spec.datanets.length ? { datanets: j.spec.datanets } : null,
    step: j.result.step,
    total_steps: j.result.totalSteps,
  };
}

const eventJson = (e: EventRow) => ({
  object: 'fine_tuning.job.event',
  id: e.id,
  created_at: e.createdAt,
  level: e.level,
  message: e.message,
  data: e.data,
  type: e.type,
});

const checkpointJson = (c: CheckpointRow) => ({
  object: 'fine_tuning.job.checkpoint',
  id: c.id,
  created_at: c.createdAt,
  fine_tuned_model_checkpoint: c.id,
  fine_tuning_job_id: c.jobId,
  metrics: c.metrics,
  step_number: c.step,
});

interface ManifestExample {
  id: string;
  datanet: string | null;
  contributor: string | null;
  content_hash: string;
}

/** The trained adapter's loraledger.json `training` manifest, with its examples grouped by contributor. */
async function provenanceJson(jobId: string, adapter: { id: string; path: string }) {
  const ledger = JSON.parse(await readFile(join(adapter.path, ADAPTER_LEDGER_FILE), 'utf8')) as {
    training?: { examples?: ManifestExample[] } & Record<string, unknown>;
    training_manifest_hash?: string;
  };
  const examples = ledger.training?.examples ?? [];
  const groups = new Map<string | null, { contributor: string | null; examples: number; datanets: Set<string> }>();
  for (const e of examples) {
    const g = groups.get(e.contributor) ?? { contributor: e.contributor, examples: 0, datanets: new Set<string>() };
    g.examples += 1;
    if (e.datanet !== null) g.datanets.add(e.datanet);
    groups.set(e.contributor, g);
  }
  const contributors = [...groups.values()]
    .sort((a, b) => b.examples - a.examples)
    .map((g) => ({ contributor: g.contributor, examples: g.examples, datanets: [...g.datanets].sort() }));
  return {
    object: 'fine_tuning.job.provenance',
    fine_tuning_job_id: jobId,
    fine_tuned_model: adapter.id,
    training_manifest_hash: ledger.training_manifest_hash ?? null,
    contributors,
    training: ledger.training ?? null,
  };
}

function page(q: unknown): { after?: string; limit: number } {
  const { after, limit } = (q ?? {}) as Record<string, string | undefined>;
  let n = 20;
  if (limit !== undefined) {
    n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > 100)
      throw new RequestError('invalid_request', 'limit must be an integer in [1, 100]', { param: 'limit' });
  }
  return { after: after || undefined, limit: n };
}

/** The multipart upload: its `file` part (bytes and name) and `purpose` field. */
async function upload(req: FastifyRequest): Promise<{ filename: string; purpose: unknown; content: Buffer }> {
  if (!req.isMultipart())
    throw new RequestError('invalid_request', 'upload a file as multipart/form-data with fields file and purpose', {
      param: 'file',
    });
  let file: { filename: string; content: Buffer } | null = null;
  const fields: Record<string, unknown> = {};
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          await part.toBuffer();
          continue;
        }
        file = { filename: part.filename || 'upload.jsonl', content: await part.toBuffer() };
      } else fields[part.fieldname] = part.value;
    }
  } catch (err) {
    // busboy's parse errors (no boundary, a cut-off form) carry no status: they are the client's
    if (typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
    throw new RequestError('invalid_request', `the multipart body is malformed: ${(err as Error).message}`, {
      param: 'file',
      cause: err,
    });
  }
  if (!file) throw new RequestError('invalid_request', 'the upload has no file part', { param: 'file' });
  if (file.content.byteLength === 0)
    throw new RequestError('invalid_request', 'the uploaded file is empty', { param: 'file' });
  return { ...file, purpose: fields.purpose };
}

export function fineTuningRoutes(factory: FineTuner, opts: { maxFileBytes: number }): FastifyPluginAsync {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: opts.maxFileBytes, files: 1 }, throwFileSizeLimit: true });
    const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

    app.post('/v1/files', async (req) => fileJson(await factory.uploadFile(await upload(req))));
    app.get('/v1/files', async () => ({ object: 'list', data: factory.store.files().map(fileJson), has_more: false }));
    app.get('/v1/files/:id', async (req) => fileJson(factory.file(idOf(req))));
    app.get('/v1/files/:id/content', async (req, reply) => {
      const f = factory.file(idOf(req));
      reply.type('application/jsonl');
      return factory.store.fileContent(f.id);
    });
    app.delete('/v1/files/:id', async (req) => {
      const f = factory.file(idOf(req));
      return { id: f.id, object: 'file', deleted: await factory.store.deleteFile(f.id) };
    });

    app.post('/v1/fine_tuning/jobs', async (req) => jobJson(factory.createJob(req.body)));
    app.get('/v1/fine_tuning/jobs', async (req) => {
      const { data, hasMore } = factory.store.jobs<JobSpec, JobResult>(page(req.query));
      return { object: 'list', data: data.map(jobJson), has_more: hasMore };
    });
    app.get('/v1/fine_tuning/jobs/:id', async (req) => jobJson(factory.job(idOf(req))));
    app.post('/v1/fine_tuning/jobs/:id/cancel', async (req) => jobJson(factory.cancel(idOf(req))));
    app.post('/v1/fine_tuning/jobs/:id/pause', async (req) => jobJson(factory.pause(idOf(req))));
    app.post('/v1/fine_tuning/jobs/:id/resume', async (req) => jobJson(factory.resume(idOf(req))));
    app.get('/v1/fine_tuning/jobs/:id/events', async (req) => {
      const { data, hasMore } = factory.events(idOf(req), page(req.query));
      return { object: 'list', data: data.map(eventJson), has_more: hasMore };
    });
    app.get('/v1/fine_tuning/jobs/:id/checkpoints', async (req) => {
      const data = factory.checkpoints(idOf(req)).map(checkpointJson);
      return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
    });
    app.get('/v1/fine_tuning/jobs/:id/provenance', async (req) => {
      const job = factory.job(idOf(req));
      const model = job.result.fineTunedModel;
      if (job.status !== 'succeeded' || !model)
        throw new RequestError('not_found', `job ${job.id} has no trained adapter yet (status ${job.status})`, {
          param: 'fine_tuning_job_id',
        });
      const adapter = app.loraledger.adapters.get(model);
      if (!adapter)
        throw new RequestError('not_found', `the adapter ${model} of job ${job.id} is no longer served`, {
          param: 'fine_tuning_job_id',
        });
      return provenanceJson(job.id, adapter);
    });
  };
}
