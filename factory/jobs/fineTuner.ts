// ModelFactory's job service: the OpenAI fine-tuning API's files and jobs, run one at a time on
// the training thread, durable across restarts, and deployed into the serving tiers when done.
//
//   upload   JSONL validated (a bad line named by number), stored (FineTuneStore)
//   create   request validated (jobRequest.ts) -> validating_files: rows -> token examples,
//            validation split, provenance manifest -> queued -> running (one job at a time)
//   running  training thread notices -> metrics events, checkpoints (PEFT folders), ETA
//   done     the adapter folder moves into the adapters root with loraledger.json (owner,
//            description, tags, training manifest + its hash), deploy(id) registers it with the
//            registry and the engine (no restart) -> succeeded, fine_tuned_model = the adapter id
//   then     training-data influence: the examples' token rows and per-example LoRA gradients are
//            stored beside the adapter (<adapter>/influence/, attribution/scoring/influence) on the
//            training thread; a failure there is logged and leaves the job succeeded
//   restart  validating_files | queued | running jobs are queued again; a running one resumes from
//            its last checkpoint (at most the steps since then are lost)
//   crash    a training thread that dies mid-job (a crash or an exit) is replaced and the job
//            resumes from its last checkpoint on the fresh thread, up to TRAINING_THREAD_RESTARTS
//            times; then it ends `failed` with training_failed
// A failing job ends `failed` with its error; the server keeps serving.
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LoraledgerError,
  RequestError,
  WorkerExitError,
  serializeError,
  stderrLogger,
  type Logger,
} from '../../common/index.ts';
import { loadTokenizer } from '../../kernels/model/index.ts';
import { splitExamples } from '../train/batches.ts';
import { documentRow, type TrainingDocument } from '../train/documentRows.ts';
import { parseTrainingJsonl } from '../train/parseTrainingJsonl.ts';
import { buildTrainExamples, type TrainExample, type TruncatedRow } from '../train/trainExamples.ts';
import type { LoraTrainConfig } from '../train/trainLora.ts';
import { TrainingThread, type ThreadGradients } from '../train/trainingThread.ts';
import type { TrainingNotice } from '../train/trainingProtocol.ts';
import type { SourcedRow } from '../train/trainingRows.ts';
import {
  FineTuneStore,
  type CheckpointRow,
  type EventRow,
  type FileRow,
  type JobRow,
  type JobStatus,
} from './fineTuneStore.ts';
import { canonical, hashModel, sha256, trainingManifest, writeAdapterLedger } from './provenance.ts';
import { parseJobRequest, resolveAuto, type JobSpec } from './jobRequest.ts';
import { influenceFiles, rowBytes, writeExampleRows } from '../../adapters/index.ts';

/** A DataNet document as training data (attribution's DataDocument fits). */
export interface SourceDocument extends TrainingDocument {
  datanet: string;
  contributor: string;
  contentHash: string;
}

export interface FineTunerOptions {
  /** Durable state: <dir>/finetune.sqlite, uploaded files, job folders. */
  dir: string;
  /** Where finished adapters go: an adapter root the server scans at start. */
  adaptersRoot: string;
  modelDir: string;
  baseModelId: string;
  cacheDir: string;
  maxLoraRank: number;
  /** Intra-op threads of the training session (0 = onnxruntime's default). */
  threads: number;
  /** Longest training example, tokens. */
  contextLength: number;
  /** A DataNet's approved documents, or those of a published version; throws datanet_not_found. Absent: DataNet training is off. */
  documents?: (datanet: string, version?: number) => SourceDocument[];
  /** The folder of a registered adapter (init_adapter by id), or null. */
  adapterPath: (id: string) => string | null;
  /** Registers a finished adapter with the registry and the engine. */
  deploy: (id: string, path: string) => Promise<void>;
  /** Store each example's LoRA gradient beside a finished adapter (training-data influence). Default true. */
  influence?: boolean;
  log?: Logger;
  /** Tests only (no flag sets it): injectFault() crashes the training thread mid-job. */
  faultInjection?: boolean;
}

/** A job whose training thread dies is resumed on a fresh thread from its last checkpoint this many times. */
export const TRAINING_THREAD_RESTARTS = 2;

/** What happened to a job (jobs.result). */
export interface JobResult {
  finishedAt: number | null;
  fineTunedModel: string | null;
  trainedTokens: number | null;
  error: { code: string; message: string; param: string | null } | null;
  estimatedFinish: number | null;
  hyperparameters: { n_epochs: number; batch_size: number; learning_rate_multiplier: number } | null;
  step: number;
  totalSteps: number | null;
}

interface Prepared {
  learningRateMultiplier: number;
  train: TrainExample[];
  validation: TrainExample[];
  config: LoraTrainConfig;
  manifest: Record<string, unknown>;
  truncated: TruncatedRow[];
}

const FINAL: JobStatus[] = ['succeeded', 'failed', 'cancelled'];
const now = () => Math.floor(Date.now() / 1000);

export class FineTuner {
  readonly store: FineTuneStore;
  private readonly thread: TrainingThread;
  private readonly log: Logger;
  private readonly queue: string[] = [];
  private readonly prepared = new Map<string, Prepared>();
  private running: string | null = null;
  /** A cancel or pause of the running job, kept until the training thread has it. */
  private requested: 'continue' | 'cancel' | 'pause' = 'continue';
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private tokenizer: ReturnType<typeof loadTokenizer> | null = null;
  private modelHash: Promise<string> | null = null;

  constructor(private readonly o: FineTunerOptions) {
    this.store = new FineTuneStore(o.dir);
    this.log = o.log ?? stderrLogger;
    this.thread = new TrainingThread(this.log, { faultInjection: o.faultInjection });
  }

  /** Queues the jobs a previous process left unfinished (a running one resumes from its last checkpoint). */
  start(): void {
    for (const job of this.store.jobsWithStatus<JobSpec, JobResult>(['validating_files', 'queued', 'running'])) {
      this.event(job.id, 'info', `Job queued again after a restart (was ${job.status}).`);
      this.store.updateJob(job.id, 'validating_files', job.result);
      this.validate(job.id);
    }
  }

  // --- files ---

  async uploadFile(f: { filename: string; purpose: unknown; content: Buffer }): Promise<FileRow> {
    if (f.purpose !== 'fine-tune')
      throw new RequestError('invalid_request', 'purpose must be "fine-tune" (the only purpose this server stores)', {
        param: 'purpose',
      });
    const rows = parseTrainingJsonl(f.content.toString('utf8'), { param: 'file' });
    return this.store.addFile({ filename: f.filename, purpose: 'fine-tune', content: f.content, rows: rows.length });
  }

  file(id: string): FileRow {
    const f = this.store.file(id);
    if (!f) throw new RequestError('not_found', `no file ${id}`, { param: 'file_id' });
    return f;
  }

  // --- jobs ---

  createJob(body: unknown): JobRow<JobSpec, JobResult> {
    const spec = parseJobRequest(body, { baseModel: this.o.baseModelId, maxLoraRank: this.o.maxLoraRank });
    for (const [param, id] of [
      ['training_file', spec.trainingFile],
      ['validation_file', spec.validationFile],
    ] as const) {
      if (id !== null && !this.store.file(id))
        throw new RequestError('invalid_request', `${param} ${id} is not an uploaded file`, { param });
    }
    if (spec.datanets.length > 0 && !this.o.documents)
      throw new RequestError('invalid_request', 'DataNets are not available on this server', {
        param: 'training_data.datanets',
      });
    // datanet_not_found, a version that cannot be trained on, or no documents at all, now rather than
    // after queueing: every DataNet is asked (not only up to the first with documents)
    const counts = spec.datanets.map((d) => this.o.documents!(d, spec.datanetVersions?.[d]).length);
    if (counts.length > 0 && counts.every((n) => n === 0))
      throw new RequestError('invalid_request', `DataNet(s) ${spec.datanets.join(', ')} have no documents`, {
        param: 'training_data.datanets',
      });
    const h = spec.hyperparameters;
    if (h.initAdapter !== null && !this.o.adapterPath(h.initAdapter) && !this.store.checkpoint(h.initAdapter))
      throw new RequestError(
        'invalid_request',
        `init_adapter ${h.initAdapter} is neither an adapter nor a checkpoint`,
        {
          param: 'hyperparameters.init_adapter',
        },
      );
    const job = this.store.addJob<JobSpec, JobResult>(spec, {
      finishedAt: null,
      fineTunedModel: null,
      trainedTokens: null,
      error: null,
      estimatedFinish: null,
      hyperparameters: null,
      step: 0,
      totalSteps: null,
    });
    this.event(job.id, 'info', 'Created fine-tuning job.');
    this.validate(job.id);
    return job;
  }

  job(id: string): JobRow<JobSpec, JobResult> {
    const j = this.store.job<JobSpec, JobResult>(id);
    if (!j) throw new RequestError('not_found', `no fine-tuning job ${id}`, { param: 'fine_tuning_job_id' });
    return j;
  }

  cancel(id: string): JobRow<JobSpec, JobResult> {
    const job = this.job(id);
    if (FINAL.includes(job.status))
      throw new RequestError('invalid_request', `job ${id} is already ${job.status}`, { param: 'fine_tuning_job_id' });
    if (this.running === id) this.request('cancel');
    else this.finish(id, 'cancelled', {}, 'Job cancelled.');
    return this.job(id);
  }

  pause(id: string): JobRow<JobSpec, JobResult> {
    const job = this.job(id);
    if (job.status !== 'running' && job.status !== 'queued')
      throw new RequestError('invalid_request', `job ${id} is ${job.status}; only a queued or running job pauses`, {
        param: 'fine_tuning_job_id',
      });
    if (this.running === id) this.request('pause');
    else {
      this.dequeue(id);
      this.setStatus(id, 'paused');
      this.event(id, 'info', 'Job paused.');
    }
    return this.job(id);
  }

  resume(id: string): JobRow<JobSpec, JobResult> {
    const job = this.job(id);
    if (job.status !== 'paused')
      throw new RequestError('invalid_request', `job ${id} is ${job.status}; only a paused job resumes`, {
        param: 'fine_tuning_job_id',
      });
    this.setStatus(id, 'queued');
    this.event(id, 'info', 'Job resumed.');
    this.enqueue(id);
    return this.job(id);
  }

  events(id: string, o: { after?: string; limit: number }): { data: EventRow[]; hasMore: boolean } {
    this.job(id);
    return this.store.events(id, o);
  }

  checkpoints(id: string): CheckpointRow[] {
    this.job(id);
    return this.store.checkpoints(id);
  }

  /** Resolves when no job is running or queued (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.running) this.request('pause');
    await this.idle.catch(() => undefined);
    await this.thread.close();
    this.store.close();
  }

  // --- the runner ---

  private enqueue(id: string): void {
    if (!this.queue.includes(id)) this.queue.push(id);
    if (this.running === null) this.idle = this.drain();
  }

  /**
   * validating_files -> queued: rows to examples, the split, the manifest, right away (not behind
   * the job that is training); a failure ends the job `failed`.
   */
  private validate(id: string): void {
    void this.prepare(this.job(id)).then(
      (p) => {
        const job = this.job(id);
        if (job.status !== 'validating_files') return; // cancelled meanwhile
        this.prepared.set(id, p);
        const hyperparameters = {
          n_epochs: p.config.epochs,
          batch_size: p.config.batchSize,
          learning_rate_multiplier: p.learningRateMultiplier,
        };
        this.store.updateJob(id, 'queued', { ...job.result, hyperparameters });
        const truncated = p.truncated.length
          ? `; ${p.truncated.length} rows truncated to ${this.o.contextLength} tokens`
          : '';
        this.event(
          id,
          'info',
          `Files validated: ${p.train.length} training and ${p.validation.length} validation examples${truncated}.`,
          p.truncated.length ? { truncated: p.truncated } : null,
        );
        this.enqueue(id);
      },
      (err: unknown) => this.fail(id, err),
    );
  }

  /** Tests only (FineTunerOptions.faultInjection): the training thread throws or exits at its next step. */
  injectFault(kind: 'throw' | 'exit'): void {
    this.thread.injectFault(kind);
  }

  /** Ends a job `failed` with the error's code and message (a full disk said plainly). */
  private fail(id: string, err: unknown): void {
    const e = diskFull(err) ?? serializeError(err);
    this.log.error({ err, job: id }, 'fine-tuning job failed');
    const error = { code: e.code, message: e.message, param: e.param ?? null };
    this.finish(id, 'failed', { error }, e.message, 'error');
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.running = id;
      this.requested = 'continue';
      try {
        await this.runJob(id);
      } catch (err) {
        this.fail(id, err);
      } finally {
        this.running = null;
        this.prepared.delete(id);
      }
    }
  }

  private async runJob(id: string): Promise<void> {
    const job = this.job(id);
    if (job.status !== 'queued') return; // cancelled or paused while it waited
    const p = this.prepared.get(id) ?? (await this.prepare(job)); // a resumed job validates again
    const jobDir = join(this.o.dir, 'jobs', id);
    let latest = this.store.checkpoints(id)[0];
    const adapterId = `ft-${job.spec.suffix ?? 'adapter'}-${id.slice(-8)}`;
    const outputDir = join(jobDir, 'final');
    this.setStatus(id, 'running');
    this.event(id, 'info', latest ? `Fine-tuning resumed from step ${latest.step}.` : 'Fine-tuning started.');
    const init = job.spec.hyperparameters.initAdapter;
    const initFrom = init === null ? undefined : (this.o.adapterPath(init) ?? this.store.checkpoint(init)?.dir);
    const progress = { startedAt: Date.now(), firstStep: null as number | null };
    const train = () =>
      this.thread.train(
        {
          modelDir: this.o.modelDir,
          cacheDir: this.o.cacheDir,
          checkpointsDir: join(jobDir, 'checkpoints'),
          outputDir,
          baseModel: this.o.baseModelId,
          train: p.train,
          validation: p.validation,
          config: p.config,
          precision: job.spec.hyperparameters.precision,
          threads: this.o.threads,
          maxRank: this.o.maxLoraRank,
          resumeFrom: latest?.dir,
          control: this.requested,
          initFrom: latest ? undefined : initFrom,
        },
        (n) => this.onNotice(id, n, progress),
      );
    let result: Awaited<ReturnType<typeof train>>;
    for (let crashes = 0; ; crashes++) {
      try {
        result = await train();
        break;
      } catch (err) {
        // the thread died (a crash or an exit): a fresh one resumes from the last checkpoint
        if (!(err instanceof WorkerExitError) || this.closed) throw err;
        if (crashes >= TRAINING_THREAD_RESTARTS)
          throw new LoraledgerError(
            'training_failed',
            `the training thread stopped ${crashes + 1} times (last: ${err.message})`,
            { cause: err },
          );
        latest = this.store.checkpoints(id)[0];
        this.log.error(
          { err, job: id, step: latest?.step ?? 0 },
          'training thread stopped: resuming on a fresh thread',
        );
        this.event(
          id,
          'warn',
          `The training thread stopped (${err.message}); a fresh thread resumes ${latest ? `from step ${latest.step}` : 'from the start'}.`,
        );
      }
    }
    const summary = { step: result.step, trainedTokens: result.trainedTokens };
    if (result.outcome === 'cancelled') return this.finish(id, 'cancelled', summary, 'Job cancelled.');
    if (result.outcome === 'paused') {
      this.store.updateJob(id, this.closed ? 'running' : 'paused', { ...this.job(id).result, ...summary });
      this.event(
        id,
        'info',
        this.closed ? 'Job interrupted by shutdown; it resumes on the next start.' : 'Job paused.',
      );
      return;
    }
    if (result.outcome === 'early_stopped') this.event(id, 'info', `Early stopping at step ${result.step}.`);
    const dir = join(this.o.adaptersRoot, adapterId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(this.o.adaptersRoot, { recursive: true });
    await rename(outputDir, dir);
    const ledger = {
      description:
        job.spec.description ??
        `Fine-tuned from ${job.spec.datanets.length ? `DataNets ${job.spec.datanets.join(', ')}` : `file ${job.spec.trainingFile}`}`,
      tags: [...new Set([...job.spec.tags, ...job.spec.datanets])],
      owner: job.spec.owner,
      training: { ...p.manifest, job: id, trained_tokens: result.trainedTokens, steps: result.step },
    };
    const manifestHash = await writeAdapterLedger(dir, ledger);
    await writeExampleRows(dir, manifestHash, p.train);
    await this.o.deploy(adapterId, dir);
    this.finish(
      id,
      'succeeded',
      { ...summary, fineTunedModel: adapterId },
      `New fine-tuned model created: ${adapterId}`,
    );
    this.event(id, 'info', 'The job has successfully completed.');
    if (this.o.influence !== false) await this.storeInfluence(id, dir, p.train, manifestHash);
  }

  /** The influence scorer's gradient source: this factory's training thread. */
  influenceGradients(): ThreadGradients & {
    recoverRows(training: Parameters<FineTuner['recoverExampleRows']>[0]): Promise<TrainExample[] | null>;
  } {
    const thread = this.thread.influenceGradients({
      modelDir: this.o.modelDir,
      cacheDir: this.o.cacheDir,
      threads: this.o.threads,
      maxRank: this.o.maxLoraRank,
    });
    return { ...thread, recoverRows: (training) => this.recoverExampleRows(training) };
  }

  /**
   * An older adapter's example rows, rebuilt from the job that trained it (loraledger.json
   * `training.job`): its file or DataNet documents tokenized again, the same seeded split. null
   * when the job is not this server's, or an example is gone or changed (its content hash differs).
   */
  async recoverExampleRows(training: {
    job: string | null;
    examples: ReadonlyArray<{ id: string; content_hash: string }>;
  }): Promise<TrainExample[] | null> {
    const job = training.job === null ? undefined : this.store.job<JobSpec, JobResult>(training.job);
    if (!job) return null;
    let p: Prepared;
    try {
      p = await this.prepare(job);
    } catch {
      return null; // the file or a DataNet is gone
    }
    const now = new Map(
      (p.manifest.examples as Array<{ id: string; content_hash: string }>).map((e) => [e.id, e.content_hash]),
    );
    const same =
      now.size === training.examples.length && training.examples.every((e) => now.get(e.id) === e.content_hash);
    return same ? p.train : null;
  }

  /** Per-example gradients of a finished adapter; a failure is logged, the job stays succeeded. */
  private async storeInfluence(id: string, dir: string, train: TrainExample[], manifestHash: string): Promise<void> {
    try {
      const { header, seconds } = await this.influenceGradients().storeGradients({
        adapterDir: dir,
        precision: this.job(id).spec.hyperparameters.precision,
        examples: train,
        projection: 'auto',
        file: influenceFiles(dir).gradients,
        manifestHash,
      });
      const bytes = rowBytes(header);
      this.event(
        id,
        'info',
        `Influence gradients stored for ${train.length} examples (${bytes} bytes each, ${header.projection ? `projected to k=${header.projection.k}` : 'exact'}) in ${seconds.toFixed(1)} s.`,
      );
    } catch (err) {
      this.log.warn({ err, job: id }, 'influence gradients not stored; they are computed on first request');
      this.event(id, 'warn', `Influence gradients not stored (${(err as Error).message}); computed on first request.`);
    }
  }

  /** Steps, evaluations and checkpoints of the running job (ETA from this run's steps so far). */
  private onNotice(id: string, n: TrainingNotice, progress: { startedAt: number; firstStep: number | null }): void {
    if (n.t === 'step') {
      const m = n.metrics;
      progress.firstStep ??= m.step;
      const perStep = (Date.now() - progress.startedAt) / 1000 / (m.step - progress.firstStep + 1);
      const result = {
        ...this.job(id).result,
        step: m.step,
        totalSteps: m.totalSteps,
        trainedTokens: m.trainedTokens,
        estimatedFinish: now() + Math.round(perStep * (m.totalSteps - m.step)),
      };
      this.store.updateJob(id, 'running', result);
      this.store.addEvent({
        jobId: id,
        level: 'info',
        type: 'metrics',
        message: `Step ${m.step}/${m.totalSteps}: training loss=${m.trainLoss.toFixed(4)}`,
        data: {
          step: m.step,
          total_steps: m.totalSteps,
          train_loss: m.trainLoss,
          learning_rate: m.learningRate,
          grad_norm: m.gradNorm,
          tokens_per_second: m.tokensPerSecond,
        },
      });
    } else if (n.t === 'eval') {
      this.store.addEvent({
        jobId: id,
        level: 'info',
        type: 'metrics',
        message: `Step ${n.step}: validation loss=${n.validationLoss.toFixed(4)}`,
        data: { step: n.step, valid_loss: n.validationLoss },
      });
    } else {
      this.store.addCheckpoint({ jobId: id, step: n.step, dir: n.dir, metrics: { step: n.step, ...n.metrics } });
      this.event(id, 'info', `Checkpoint saved at step ${n.step}.`);
    }
  }

  /** Rows -> examples, the validation split, the training config and the provenance manifest. */
  private async prepare(job: JobRow<JobSpec, JobResult>): Promise<Prepared> {
    const spec = job.spec;
    const tok = await (this.tokenizer ??= loadTokenizer(this.o.modelDir));
    const sources = new Map<string, { datanet: string | null; contributor: string | null; contentHash: string }>();
    let rows: SourcedRow[];
    if (spec.trainingFile !== null) {
      rows = parseTrainingJsonl(await this.store.fileContent(spec.trainingFile), { param: 'training_file' });
      for (const r of rows)
        sources.set(r.id, { datanet: null, contributor: spec.owner, contentHash: `0x${sha256(canonical(r.row))}` });
    } else {
      rows = [];
      for (const d of spec.datanets) {
        const docs = this.o.documents!(d, spec.datanetVersions?.[d]);
        for (const doc of docs) {
          try {
            rows.push(documentRow(doc, 'training_data.datanets'));
            sources.set(doc.docId, { datanet: d, contributor: doc.contributor, contentHash: doc.contentHash });
          } catch (err) {
            if (!(err instanceof LoraledgerError)) throw err;
            this.event(job.id, 'warn', `Skipped document ${doc.docId} of DataNet ${d}: ${err.message}`);
          }
        }
      }
      if (rows.length === 0)
        throw new RequestError('invalid_request', `DataNet(s) ${spec.datanets.join(', ')} have no usable documents`, {
          param: 'training_data.datanets',
        });
    }
    const opts = { contextLength: this.o.contextLength, overflow: 'truncate' as const };
    const built = buildTrainExamples(rows, tok, opts);
    if (built.examples.length === 0)
      throw new RequestError('invalid_request', 'no training example has a loss target left', {
        param: 'training_file',
      });
    const h = spec.hyperparameters;
    const auto = resolveAuto(h, built.examples.length);
    let train = built.examples;
    let validation: TrainExample[] = [];
    if (spec.validationFile !== null) {
      const vrows = parseTrainingJsonl(await this.store.fileContent(spec.validationFile), { param: 'validation_file' });
      validation = buildTrainExamples(vrows, tok, { ...opts, param: 'validation_file' }).examples;
    } else if (auto.validationSplit > 0) {
      ({ train, validation } = splitExamples(built.examples, {
        validationFraction: auto.validationSplit,
        seed: spec.seed,
      }));
    }
    const config: LoraTrainConfig = {
      rank: h.loraR,
      alpha: h.loraAlpha,
      useRslora: h.useRslora,
      targets: h.targetModules,
      learningRate: auto.learningRate,
      epochs: auto.nEpochs,
      batchSize: auto.batchSize,
      gradientAccumulationSteps: h.gradientAccumulationSteps,
      lrScheduler: h.lrScheduler,
      warmupSteps: h.warmupSteps,
      weightDecay: h.weightDecay,
      maxGradNorm: h.maxGradNorm,
      evalEvery: h.evalEvery,
      checkpointEvery: h.checkpointEvery,
      earlyStoppingPatience: h.earlyStoppingPatience,
      seed: spec.seed,
    };
    const manifest = trainingManifest({
      baseModel: { id: this.o.baseModelId, contentHash: await (this.modelHash ??= hashModel(this.o.modelDir)) },
      config,
      precision: h.precision,
      examples: train,
      sources,
    });
    if (spec.datanetVersions !== undefined) manifest.datanet_versions = spec.datanetVersions; // the versions trained on
    return {
      learningRateMultiplier: auto.learningRateMultiplier,
      train,
      validation,
      config,
      manifest,
      truncated: built.truncated,
    };
  }

  /** Asks the running job to stop; a job not yet on the thread gets it with its arguments. */
  private request(action: 'cancel' | 'pause'): void {
    if (this.requested !== 'cancel') this.requested = action;
    this.thread.control(this.requested);
  }

  private dequeue(id: string): void {
    const i = this.queue.indexOf(id);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private setStatus(id: string, status: JobStatus): void {
    this.store.updateJob(id, status, this.job(id).result);
  }

  private finish(
    id: string,
    status: JobStatus,
    patch: Partial<JobResult>,
    message: string,
    level: EventRow['level'] = 'info',
  ): void {
    this.dequeue(id);
    this.prepared.delete(id);
    this.store.updateJob(id, status, { ...this.job(id).result, ...patch, finishedAt: now(), estimatedFinish: null });
    this.event(id, level, message);
  }

  private event(jobId: string, level: EventRow['level'], message: string, data: Record<string, unknown> | null = null) {
    this.store.addEvent({ jobId, level, type: 'message', message, data });
  }
}

/** A full disk, said plainly (the job's error names the file it could not write). */
function diskFull(err: unknown): { code: 'training_failed'; message: string; param?: undefined } | null {
  const e = err as NodeJS.ErrnoException;
  if (e?.code !== 'ENOSPC') return null;
  return {
    code: 'training_failed',
    message: `the disk is full: could not write ${e.path ?? 'a job file'} (${e.message})`,
  };
}
