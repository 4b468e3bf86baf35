// POST /v1/fine_tuning/jobs: the OpenAI request, plus loraledger's extras, validated into a JobSpec.
//
//   model                 a base model this server serves
//   training_file | training_data: {datanets: [...], versions?: {id: n}}   exactly one (versions:
//                   a governed DataNet's published version to train on; the manifest names it)
//   validation_file, suffix, seed
//   method: {type: "supervised", supervised: {hyperparameters}}  (or top-level `hyperparameters`)
//     n_epochs, batch_size, learning_rate_multiplier: a number or "auto"          (OpenAI)
//     lora_r, lora_alpha, use_rslora, target_modules                              (extras, LoRA)
//     learning_rate (overrides the multiplier), lr_scheduler, warmup_steps, weight_decay,
//     max_grad_norm (0 = off)                                                     (extras, optimizer)
//     gradient_accumulation_steps, eval_every, checkpoint_every, early_stopping_patience,
//     validation_split (held-out share when no validation_file)                  (extras, loop)
//     init_adapter (an adapter id or a checkpoint id),
//     precision (the frozen base: "fp32", "int8" or "int4", QLoRA)               (extras, start)
//   owner, description, tags          (extras: the adapter's loraledger.json; owner is paid)
// Every problem is a RequestError naming the field, in OpenAI's error shape.
import { RequestError } from '../../common/index.ts';
import { LORA_TARGETS, type LoraTarget, type WeightPrecision } from '../../kernels/model/index.ts';
import type { LrScheduleKind } from '../train/lrSchedule.ts';

/** The base learning rate that learning_rate_multiplier scales (LoRA on small models). */
export const BASE_LEARNING_RATE = 1e-3;

/** The frozen base's precisions a job may train over (the engine's --precision values). */
const PRECISIONS: readonly WeightPrecision[] = ['fp32', 'int8', 'int4'];

export interface Hyperparameters {
  nEpochs: number | 'auto';
  batchSize: number | 'auto';
  learningRateMultiplier: number | 'auto';
  learningRate: number | null;
  loraR: number;
  loraAlpha: number;
  useRslora: boolean;
  targetModules: LoraTarget[];
  lrScheduler: LrScheduleKind;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  gradientAccumulationSteps: number;
  evalEvery: number;
  checkpointEvery: number;
  earlyStoppingPatience: number;
  validationSplit: number | 'auto';
  initAdapter: string | null;
  precision: WeightPrecision;
}

export interface JobSpec {
  model: string;
  trainingFile: string | null;
  datanets: string[];
  /** Published version per governed DataNet (training_data.versions); absent: its approved documents now. */
  datanetVersions?: Record<string, number>;
  validationFile: string | null;
  suffix: string | null;
  seed: number;
  hyperparameters: Hyperparameters;
  owner: string | null;
  description: string | null;
  tags: string[];
}

const bad = (param: string, message: string): never => {
  throw new RequestError('invalid_request', message, { param });
};

function obj(v: unknown, param: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(param, `${param} must be an object`);
  return v as Record<string, unknown>;
}

function num(
  h: Record<string, unknown>,
  key: string,
  o: { def: number; min: number; max: number; int?: boolean; auto?: boolean; exclusiveMin?: boolean },
): number {
  const v = h[key];
  if (v === undefined || v === null || (o.auto && v === 'auto')) return o.def;
  const param = `hyperparameters.${key}`;
  if (typeof v !== 'number' || !Number.isFinite(v))
    return bad(param, `${param} must be a number${o.auto ? ' or "auto"' : ''}`);
  if (o.int && !Number.isInteger(v)) bad(param, `${param} must be an integer (got ${v})`);
  if ((o.exclusiveMin ? v <= o.min : v < o.min) || v > o.max)
    bad(param, `${param} must be in ${o.exclusiveMin ? '(' : '['}${o.min}, ${o.max}] (got ${v})`);
  return v;
}

const orAuto = (h: Record<string, unknown>, key: string, check: () => number): number | 'auto' =>
  h[key] === undefined || h[key] === null || h[key] === 'auto' ? 'auto' : check();

export function parseJobRequest(body: unknown, o: { baseModel: string; maxLoraRank: number }): JobSpec {
  const b = obj(body, 'body');
  if (b.model !== o.baseModel) {
    throw new RequestError(
      'model_not_found',
      `model ${JSON.stringify(b.model)} is not a base model this server serves; fine-tune "${o.baseModel}"`,
      { param: 'model' },
    );
  }
  const str = (key: string): string | null => {
    const v = b[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v === '') return bad(key, `${key} must be a non-empty string`);
    return v;
  };
  const trainingFile = str('training_file');
  let datanets: string[] = [];
  let datanetVersions: Record<string, number> | undefined;
  if (b.training_data !== undefined && b.training_data !== null) {
    const td = obj(b.training_data, 'training_data');
    const list = td.datanets;
    if (!Array.isArray(list) || list.length === 0 || list.some((d) => typeof d !== 'string' || d === ''))
      bad('training_data.datanets', 'training_data.datanets must be a non-empty list of DataNet ids');
    datanets = [...new Set(list as string[])];
    if (td.versions !== undefined) {
      const v = obj(td.versions, 'training_data.versions');
      for (const [id, n] of Object.entries(v)) {
        if (!datanets.includes(id))
          bad(
            `training_data.versions.${id}`,
            `training_data.versions names ${id}, which is not in training_data.datanets`,
          );
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
          bad(`training_data.versions.${id}`, `training_data.versions.${id} must be a published version number (>= 1)`);
      }
      datanetVersions = v as Record<string, number>;
    }
  }
  if ((trainingFile === null) === (datanets.length === 0))
    bad('training_file', 'give exactly one of training_file and training_data.datanets');
  const suffix = str('suffix');
  if (suffix !== null && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(suffix))
    bad('suffix', 'suffix must be 1-40 letters, digits, "-" or "_", starting with a letter or digit');
  const seedValue = b.seed ?? 42;
  if (typeof seedValue !== 'number' || !Number.isInteger(seedValue) || seedValue < 0 || seedValue > 2 ** 31 - 1)
    bad('seed', 'seed must be an integer in [0, 2147483647]');
  const owner = str('owner');
  if (owner !== null && !/^0x[0-9a-fA-F]{40}$/.test(owner)) bad('owner', 'owner must be a 0x address (40 hex digits)');
  const tags = b.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) bad('tags', 'tags must be a list of strings');

  let hp: Record<string, unknown> = {};
  if (b.method !== undefined && b.method !== null) {
    const m = obj(b.method, 'method');
    if (m.type !== 'supervised') bad('method.type', 'method.type must be "supervised" (the only method supported)');
    const sup = m.supervised === undefined ? {} : obj(m.supervised, 'method.supervised');
    hp = sup.hyperparameters === undefined ? {} : obj(sup.hyperparameters, 'method.supervised.hyperparameters');
  } else if (b.hyperparameters !== undefined && b.hyperparameters !== null) {
    hp = obj(b.hyperparameters, 'hyperparameters');
  }
  const rank = num(hp, 'lora_r', { def: 8, min: 1, max: o.maxLoraRank, int: true });
  const targets = hp.target_modules ?? [...LORA_TARGETS];
  if (
    !Array.isArray(targets) ||
    targets.length === 0 ||
    targets.some((t) => !(LORA_TARGETS as readonly unknown[]).includes(t))
  )
    bad('hyperparameters.target_modules', `target_modules must be a non-empty subset of ${LORA_TARGETS.join(', ')}`);
  const scheduler = hp.lr_scheduler ?? 'linear';
  if (scheduler !== 'constant' && scheduler !== 'linear' && scheduler !== 'cosine')
    bad('hyperparameters.lr_scheduler', 'lr_scheduler must be "constant", "linear" or "cosine"');
  const precision = hp.precision ?? 'fp32';
  if (!(PRECISIONS as readonly unknown[]).includes(precision))
    bad(
      'hyperparameters.precision',
      `precision must be "fp32", "int8" or "int4" (the frozen base's weights; got ${JSON.stringify(precision)})`,
    );
  const init = hp.init_adapter ?? null;
  if (init !== null && (typeof init !== 'string' || init === ''))
    bad('hyperparameters.init_adapter', 'init_adapter must be an adapter id or a checkpoint id');
  if (typeof hp.use_rslora !== 'undefined' && typeof hp.use_rslora !== 'boolean')
    bad('hyperparameters.use_rslora', 'use_rslora must be true or false');
  const hyperparameters: Hyperparameters = {
    nEpochs: orAuto(hp, 'n_epochs', () => num(hp, 'n_epochs', { def: 3, min: 1, max: 50, int: true })),
    batchSize: orAuto(hp, 'batch_size', () => num(hp, 'batch_size', { def: 8, min: 1, max: 256, int: true })),
    learningRateMultiplier: orAuto(hp, 'learning_rate_multiplier', () =>
      num(hp, 'learning_rate_multiplier', { def: 1, min: 0, max: 100, exclusiveMin: true }),
    ),
    learningRate:
      hp.learning_rate === undefined || hp.learning_rate === null
        ? null
        : num(hp, 'learning_rate', { def: 0, min: 0, max: 1, exclusiveMin: true }),
    loraR: rank,
    loraAlpha: num(hp, 'lora_alpha', { def: 2 * rank, min: 0, max: 1e4, exclusiveMin: true }),
    useRslora: hp.use_rslora === true,
    targetModules: LORA_TARGETS.filter((t) => (targets as string[]).includes(t)),
    lrScheduler: scheduler as LrScheduleKind,
    warmupSteps: num(hp, 'warmup_steps', { def: 0, min: 0, max: 1e6, int: true }),
    weightDecay: num(hp, 'weight_decay', { def: 0, min: 0, max: 1 }),
    maxGradNorm: num(hp, 'max_grad_norm', { def: 1, min: 0, max: 1e6 }),
    gradientAccumulationSteps: num(hp, 'gradient_accumulation_steps', { def: 1, min: 1, max: 1024, int: true }),
    evalEvery: num(hp, 'eval_every', { def: 0, min: 0, max: 1e6, int: true }),
    checkpointEvery: num(hp, 'checkpoint_every', { def: 0, min: 0, max: 1e6, int: true }),
    earlyStoppingPatience: num(hp, 'early_stopping_patience', { def: 0, min: 0, max: 1e4, int: true }),
    validationSplit: orAuto(hp, 'validation_split', () => num(hp, 'validation_split', { def: 0, min: 0, max: 0.5 })),
    initAdapter: init as string | null,
    precision: precision as WeightPrecision,
  };
  return {
    model: o.baseModel,
    trainingFile,
    datanets,
    ...(datanetVersions === undefined ? {} : { datanetVersions }),
    validationFile: str('validation_file'),
    suffix,
    seed: seedValue as number,
    hyperparameters,
    owner: owner?.toLowerCase() ?? null,
    description: str('description'),
    tags: tags as string[],
  };
}

/** "auto" resolved from the data, as OpenAI picks them from the dataset size. */
export function resolveAuto(h: Hyperparameters, examples: number) {
  const batchSize = h.batchSize === 'auto' ? Math.max(1, Math.min(8, Math.floor(examples / 8) || 1)) : h.batchSize;
  const nEpochs = h.nEpochs === 'auto' ? (examples < 100 ? 4 : examples < 1000 ? 3 : 2) : h.nEpochs;
  const multiplier = h.learningRateMultiplier === 'auto' ? 1 : h.learningRateMultiplier;
  const learningRate = h.learningRate ?? BASE_LEARNING_RATE * multiplier;
  const validationSplit = h.validationSplit === 'auto' ? (examples >= 20 ? 0.1 : 0) : h.validationSplit;
  return { batchSize, nEpochs, learningRateMultiplier: multiplier, learningRate, validationSplit };
}
