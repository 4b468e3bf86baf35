// The embedded default: what `loraledger` serves when no --model is given, made by the project's
// own factory on first start (nothing is downloaded, no weights are shipped):
//
//   1. a byte-level BPE tokenizer trained on the demo corpus (./corpus: general English, chats,
//      passage-copying examples, and four domain DataNets with named contributors);
//   2. the base model, pretrained from scratch on the general part and on repeated token sequences
//      that teach it to copy from its context (./inductionExamples.ts) (full-weight training
//      through the training graph: factory/train/trainBase.ts);
//   3. one LoRA adapter per domain, fine-tuned on that domain's DataNet documents
//      (factory/train/trainLora.ts), with its loraledger.json: description, tags, owner and the
//      training manifest (every example's document id, content hash, DataNet and contributor).
//
// Layout under <dir>/<EMBEDDED_DEFAULT_VERSION>/<profile>/:
//   loraledger-demo/        config.json, generation_config.json, model.safetensors, tokenizer files
//   adapters/<domain>/      adapter_config.json, adapter_model.safetensors, loraledger.json
//   datanets.json           the demo DataNets (documents, contributors) the server seeds its store with
//   loraledger-embedded.json the marker: written last; its presence means the folder is whole
//
// Deterministic: the same profile on the same machine gives the same bytes (seeded init, shuffles
// and splits). Built in a temporary sibling folder and
// renamed into place, so a crash or a concurrent start never leaves a half-written folder.
//
// Profiles: `full` (the server's default: about 2-3 minutes on 2 cores) and `quick` (a tiny shape
// and a slice of the corpus through the same code path, seconds: tests and CI).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Prng } from '../../common/index.ts';
import { LORA_TARGETS, loadTokenizer, type ModelSpec } from '../../kernels/model/index.ts';
import { generateModel } from '../generateModel.ts';
import { splitExamples } from '../train/batches.ts';
import { buildTrainExamples, type TrainExample } from '../train/trainExamples.ts';
import type { SourcedRow } from '../train/trainingRows.ts';
import { documentRow } from '../train/documentRows.ts';
import { trainBase, writeTrainedModel } from '../train/trainBase.ts';
import { trainLora, type LoraTrainConfig } from '../train/trainLora.ts';
import type { LoopConfig, StepMetrics } from '../train/trainLoop.ts';
import { exportAdapter } from '../train/exportAdapter.ts';
import { hashModel, trainingManifest, writeAdapterLedger, type ExampleSource } from '../jobs/provenance.ts';
import { writeExampleRows } from '../../adapters/index.ts';
import { inductionExamples, spreadInductionExamples } from './inductionExamples.ts';
import { ragCopyExamples } from './ragCopyExamples.ts';
import { CHATML_SPECIAL_TOKENS, writeBpeTokenizer } from './trainBpeTokenizer.ts';
import {
  COPYING_EXAMPLES,
  DEMO_DOMAINS,
  GENERAL_CHATS,
  GENERAL_DOCUMENTS,
  corpusText,
  type DemoDomain,
} from './corpus/index.ts';

/** Bump whenever anything below (or the corpus, or the trainers) changes the output. */
export const EMBEDDED_DEFAULT_VERSION = 'v5';
export const EMBEDDED_MODEL_NAME = 'loraledger-demo';
const MARKER = 'loraledger-embedded.json';
const DATANETS_FILE = 'datanets.json';

export type EmbeddedProfile = 'full' | 'quick';

interface ProfileSettings {
  shape: Omit<ModelSpec, 'vocabSize'>;
  tokenizerVocab: number;
  /** Longest training example, tokens. */
  contextLength: number;
  base: Omit<LoopConfig, 'seed' | 'evalEvery' | 'checkpointEvery' | 'earlyStoppingPatience'>;
  adapter: Omit<LoraTrainConfig, 'seed' | 'evalEvery' | 'checkpointEvery' | 'earlyStoppingPatience' | 'targets'>;
  /** Repeated-sequence examples in the base pretraining (./inductionExamples.ts). */
  inductionExamples: number;
  /** Keep every k-th general document / chat / copying example, and the first n documents per domain. */
  generalStride: number;
  domainDocuments: number;
}

const SHAPE_COMMON = {
  architecture: 'LlamaForCausalLM',
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: null,
  slidingWindow: null,
  attentionBias: false,
  tieWordEmbeddings: true,
  bosTokenId: 1, // <|im_start|>
  eosTokenIds: [2, 0], // <|im_end|>, <|endoftext|>
} as const;

const SCHEDULE = { lrScheduler: 'cosine', gradientAccumulationSteps: 1, maxGradNorm: 1 } as const;

const PROFILES: Record<EmbeddedProfile, ProfileSettings> = {
  full: {
    shape: {
      ...SHAPE_COMMON,
      eosTokenIds: [...SHAPE_COMMON.eosTokenIds],
      hiddenSize: 192,
      intermediateSize: 512,
      numLayers: 4,
      numHeads: 6,
      numKvHeads: 2,
      headDim: 32,
      maxPositions: 1024,
    },
    tokenizerVocab: 1024,
    contextLength: 256,
    // 3 epochs with 3,000 repeated sequences, not 6 epochs without them: 8 s more, and the base
    // copies from its context (planted-evidence top-1 0.61 -> 0.94 over 150 cases, ./inductionExamples.ts)
    base: { ...SCHEDULE, learningRate: 3e-3, epochs: 3, batchSize: 16, warmupSteps: 30, weightDecay: 0.1 },
    adapter: {
      ...SCHEDULE,
      rank: 16,
      alpha: 32,
      useRslora: false,
      learningRate: 5e-3,
      epochs: 16,
      batchSize: 4,
      warmupSteps: 5,
      weightDecay: 0,
    },
    inductionExamples: 3000,
    generalStride: 1,
    domainDocuments: Infinity,
  },
  quick: {
    shape: {
      ...SHAPE_COMMON,
      eosTokenIds: [...SHAPE_COMMON.eosTokenIds],
      hiddenSize: 64,
      intermediateSize: 128,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 16,
      maxPositions: 4096, // long enough for tests that need a stream still running after seconds
    },
    tokenizerVocab: 512,
    contextLength: 192,
    base: { ...SCHEDULE, learningRate: 3e-3, epochs: 1, batchSize: 16, warmupSteps: 2, weightDecay: 0.1 },
    adapter: {
      ...SCHEDULE,
      rank: 4,
      alpha: 8,
      useRslora: false,
      learningRate: 3e-3,
      epochs: 1,
      batchSize: 8,
      warmupSteps: 1,
      weightDecay: 0,
    },
    inductionExamples: 32,
    generalStride: 8,
    domainDocuments: 16,
  },
};

const SEED = 2026;
const EMBED_INIT_STD = 0.02;
/** Longest chat-format copying example, tokens: a RAG prompt over 3 demo documents is about 260. */
const RAG_CONTEXT = 384;
/** Share of the base model's examples held out to report its validation loss. */
const BASE_VALIDATION = 0.05;

/** How the server's DataNet store names a document (attribution/data/datanetStore.ts). */
export type DocumentIdentity = (datanet: string, text: string) => { docId: string; contentHash: string };

/** A demo DataNet as the server's store is seeded with it. */
export interface DemoDatanetSeed {
  id: string;
  title: string;
  documents: Array<{ text: string; contributor: string; metadata?: Record<string, unknown> }>;
}

export interface EmbeddedDefault {
  modelDir: string;
  adaptersDir: string;
  /** The demo DataNets, to seed the DataNet store with. */
  datanets: DemoDatanetSeed[];
}

export interface EmbeddedProgress {
  stage: 'tokenizer' | 'base' | 'adapter' | 'done';
  /** What is being made, e.g. "base model" or "adapter dermatology". */
  label: string;
  /** Overall share done, in [0, 1] (by training tokens). */
  fraction: number;
  /** Seconds since the build started. */
  elapsed: number;
  step?: number;
  totalSteps?: number;
  loss?: number;
}

export interface EmbeddedOptions {
  /** Default `full`. */
  profile?: EmbeddedProfile;
  /** The DataNet store's document id and content hash (the adapters' manifests name documents by them). */
  identity: DocumentIdentity;
  /** The RAG prompt the server builds from passages and a question (its template). */
  ragPrompt: (passages: readonly string[], question: string) => string;
  /** Training threads; 0 = onnxruntime's default (every core). */
  threads?: number;
  onProgress?: (p: EmbeddedProgress) => void;
}

/** Ensures the embedded default exists under `dir` (building it on first use) and returns its folders. */
export async function ensureEmbeddedDefault(dir: string, o: EmbeddedOptions): Promise<EmbeddedDefault> {
  const profile = o.profile ?? 'full';
  const root = join(dir, EMBEDDED_DEFAULT_VERSION, profile);
  const result = async (): Promise<EmbeddedDefault> => ({
    modelDir: join(root, EMBEDDED_MODEL_NAME),
    adaptersDir: join(root, 'adapters'),
    datanets: JSON.parse(await readFile(join(root, DATANETS_FILE), 'utf8')) as DemoDatanetSeed[],
  });
  if (existsSync(join(root, MARKER))) return result();
  await mkdir(join(dir, EMBEDDED_DEFAULT_VERSION), { recursive: true });
  await removeAbandonedBuilds(join(dir, EMBEDDED_DEFAULT_VERSION));
  const tmp = join(dir, EMBEDDED_DEFAULT_VERSION, `.tmp-${profile}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await buildInto(tmp, profile, o);
    try {
      await rename(tmp, root);
    } catch (err) {
      // Another process finished first (the folder exists and is complete): use theirs.
      if (!existsSync(join(root, MARKER))) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return result();
}

/** Deletes the temporary folders of builds whose process is gone (a first start killed midway). */
async function removeAbandonedBuilds(versionDir: string): Promise<void> {
  for (const name of await readdir(versionDir)) {
    const pid = Number(/^\.tmp-\w+-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0); // still running: its build is in progress
    } catch {
      await rm(join(versionDir, name), { recursive: true, force: true });
    }
  }
}

/** The documents of a domain this profile trains on. */
function profileDocuments(d: DemoDomain, p: ProfileSettings): DemoDomain['documents'] {
  return d.documents.slice(0, Math.min(d.documents.length, p.domainDocuments));
}

/** The base model's training rows: general prose, chats, and passage-copying chats (RAG format). */
function baseRows(ragPrompt: EmbeddedOptions['ragPrompt'], stride: number, copying: boolean): SourcedRow[] {
  const keep = <T>(xs: readonly T[]) => xs.filter((_, i) => i % stride === 0);
  return [
    ...keep(GENERAL_DOCUMENTS).map((text, i) => ({ id: `general-${i}`, row: { kind: 'text' as const, text } })),
    ...keep(GENERAL_CHATS).map((messages, i) => ({ id: `chat-${i}`, row: { kind: 'chat' as const, messages } })),
    ...(copying ? keep(COPYING_EXAMPLES).map((c, i) => copyingRow(`copy-${i}`, ragPrompt, c)) : []),
  ];
}

/** A copying example as the chat the server's RAG prompt makes of it: passages and question, then the answer. */
function copyingRow(
  id: string,
  ragPrompt: EmbeddedOptions['ragPrompt'],
  c: { passages: readonly string[]; question: string; answer: string },
): SourcedRow {
  return {
    id,
    row: {
      kind: 'chat',
      messages: [
        { role: 'user', content: ragPrompt(c.passages, c.question) },
        { role: 'assistant', content: c.answer },
      ],
    },
  };
}

/**
 * What goes into the base pretraining besides prose and chats. The build takes the defaults (the
 * profile's repeated sequences and the copying chats); bench/probes/baseCopying.ts varies them.
 * Long-distance repeats and chat-format copies did not teach this base to copy a RAG passage in
 * the time budget (docs/benchmarks.md, "The embedded default"), so the build has none.
 */
export interface BaseMix {
  /** BOS, a span, the span again (./inductionExamples.ts). Default: the profile's. */
  induction?: number;
  /** Chat-format copies (./ragCopyExamples.ts). Default 0. */
  ragCopies?: number;
  /** Half the chat-format copies drawn from the DataNets' training documents. Default false. */
  ragCopyDocuments?: boolean;
  /** Long-distance repeats (spreadInductionExamples). Default 0. */
  spread?: number;
  /** The templated passage-copying chats (COPYING_EXAMPLES). Default true. */
  copying?: boolean;
}

/**
 * The base model's examples: `baseRows` (5% held out for its validation loss) plus the repeated
 * sequences and the chat-format copies, which are only trained on.
 */
export function embeddedBaseExamples(
  tok: Awaited<ReturnType<typeof loadTokenizer>>,
  ragPrompt: EmbeddedOptions['ragPrompt'],
  profile: EmbeddedProfile,
  mix: BaseMix = {},
): { train: TrainExample[]; validation: TrainExample[] } {
  const p = PROFILES[profile];
  const build = (rows: SourcedRow[], contextLength = p.contextLength) =>
    buildTrainExamples(rows, tok, { contextLength, overflow: 'truncate' }).examples;
  const rows = build(baseRows(ragPrompt, p.generalStride, mix.copying ?? true));
  const split = splitExamples(rows, { validationFraction: BASE_VALIDATION, seed: SEED });
  const general = GENERAL_DOCUMENTS.filter((_, i) => i % p.generalStride === 0);
  const inductionOptions = {
    count: mix.induction ?? p.inductionExamples,
    seed: SEED + 100,
    bos: tok.bosTokenId ?? SHAPE_COMMON.bosTokenId,
    firstToken: CHATML_SPECIAL_TOKENS.length,
    vocabSize: tok.vocabSize,
    corpusTokens: general.flatMap((d) => tok.encode(d, { addSpecialTokens: false })),
  };
  const induction = [
    ...inductionExamples(inductionOptions),
    ...spreadInductionExamples({
      ...inductionOptions,
      count: mix.spread ?? 0,
      seed: SEED + 300,
    }),
  ];
  const ragCopies = ragCopyExamples({
    count: mix.ragCopies ?? 0,
    seed: SEED + 200,
    words: general.flatMap((d) => d.split(/\s+/)),
    ...(mix.ragCopyDocuments ? { documents: DEMO_DOMAINS.flatMap((d) => d.documents.map((x) => x.text)) } : {}),
  }).map((c, i) => copyingRow(`ragcopy-${i}`, ragPrompt, c));
  return { train: [...split.train, ...induction, ...build(ragCopies, RAG_CONTEXT)], validation: split.validation };
}

/** Pretrains the profile's base model from a seeded random init under `work` (the init and the graphs). */
export async function trainEmbeddedBase(o: {
  profile: EmbeddedProfile;
  vocabSize: number;
  work: string;
  train: readonly TrainExample[];
  validation: readonly TrainExample[];
  threads: number;
  /** Overrides of the profile's base schedule (the probes'). */
  schedule?: { epochs?: number; batchSize?: number; learningRate?: number };
  onStep?: (m: StepMetrics) => void;
}): Promise<Awaited<ReturnType<typeof trainBase>>> {
  const p = PROFILES[o.profile];
  const initDir = join(o.work, 'init');
  // generateModel's init, except the (tied) embedding: std EMBED_INIT_STD keeps the first logits
  // near uniform (std sqrt(D) * 0.02), as GPT-2-style pretraining starts
  const embed = new Prng(SEED).fillUniform(new Float32Array(o.vocabSize * p.shape.hiddenSize), EMBED_INIT_STD);
  await generateModel({
    dir: initDir,
    seed: SEED,
    ...p.shape,
    vocabSize: o.vocabSize,
    overrides: { 'model.embed_tokens.weight': embed },
  });
  return trainBase({
    modelDir: initDir,
    cacheDir: join(o.work, 'graphs'),
    train: o.train,
    validation: o.validation,
    config: {
      ...p.base,
      ...o.schedule,
      seed: SEED,
      evalEvery: 0,
      checkpointEvery: 0,
      earlyStoppingPatience: 0,
    },
    threads: o.threads,
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
}

async function buildInto(root: string, profile: EmbeddedProfile, o: EmbeddedOptions): Promise<void> {
  const p = PROFILES[profile];
  const started = performance.now();
  const threads = o.threads ?? 0;
  const modelDir = join(root, EMBEDDED_MODEL_NAME);
  const work = join(root, '.work'); // the random init and the training graphs; removed at the end
  const report = (x: Omit<EmbeddedProgress, 'elapsed'>) =>
    o.onProgress?.({ ...x, elapsed: (performance.now() - started) / 1000 });

  // 1. tokenizer, on the whole corpus: domain words get tokens of their own (measured: with a
  // tokenizer of the general part only, domain text took twice the tokens and fitted worse per
  // character)
  report({ stage: 'tokenizer', label: 'tokenizer', fraction: 0 });
  const vocabSize = await writeBpeTokenizer(modelDir, {
    corpus: corpusText(),
    vocabSize: p.tokenizerVocab,
    modelMaxLength: p.shape.maxPositions,
  });
  const tok = await loadTokenizer(modelDir);
  const examplesOf = (rows: SourcedRow[]) =>
    buildTrainExamples(rows, tok, { contextLength: p.contextLength, overflow: 'truncate' }).examples;

  // the work, measured in training tokens, for the progress fraction
  const baseSplit = embeddedBaseExamples(tok, o.ragPrompt, profile);
  const domains = DEMO_DOMAINS.map((d) => {
    const docs = profileDocuments(d, p).map((doc) => ({ doc, ...o.identity(d.datanet, doc.text) }));
    const rows = docs.map(({ doc, docId }) =>
      documentRow({ docId, text: doc.text, metadata: (doc.metadata ?? {}) as Record<string, unknown> }, 'datanet'),
    );
    return { domain: d, docs, examples: examplesOf(rows) };
  });
  const tokensOf = (xs: readonly TrainExample[]) => xs.reduce((n, e) => n + e.tokens.length, 0);
  const baseWork = tokensOf(baseSplit.train) * p.base.epochs;
  const adapterWork = domains.map((d) => tokensOf(d.examples) * p.adapter.epochs);
  const total = baseWork + adapterWork.reduce((a, b) => a + b, 0);
  let done = 0;
  const onStep = (stage: 'base' | 'adapter', label: string, work: number) => (m: StepMetrics) =>
    report({
      stage,
      label,
      fraction: (done + (work * m.step) / m.totalSteps) / total,
      step: m.step,
      totalSteps: m.totalSteps,
      loss: m.trainLoss,
    });

  // 2. the base model, from scratch
  const base = await trainEmbeddedBase({
    profile,
    vocabSize,
    work,
    train: baseSplit.train,
    validation: baseSplit.validation,
    threads,
    onStep: onStep('base', 'base model', baseWork),
  });
  await writeTrainedModel(modelDir, base.spec, base.weights, modelDir);
  done += baseWork;
  const baseHash = await hashModel(modelDir);

  // 3. one adapter per domain, on its DataNet
  const datanets: DemoDatanetSeed[] = [];
  for (const [i, { domain: d, docs, examples }] of domains.entries()) {
    const config: LoraTrainConfig = {
      ...p.adapter,
      targets: LORA_TARGETS,
      seed: SEED + i + 1,
      evalEvery: 0,
      checkpointEvery: 0,
      earlyStoppingPatience: 0,
    };
    const label = `adapter ${d.id}`;
    const trained = await trainLora({
      modelDir,
      cacheDir: join(work, 'graphs'),
      train: examples,
      validation: [],
      config,
      threads,
      onStep: onStep('adapter', label, adapterWork[i]!),
    });
    const adapterDir = join(root, 'adapters', d.id);
    await exportAdapter(trained.state.adapter, {
      dir: adapterDir,
      spec: trained.spec,
      alpha: config.alpha,
      useRslora: config.useRslora,
      baseModel: EMBEDDED_MODEL_NAME,
    });
    const sources = new Map<string, ExampleSource>(
      docs.map((x) => [
        x.docId,
        { datanet: d.datanet, contributor: x.doc.contributor.toLowerCase(), contentHash: x.contentHash },
      ]),
    );
    const manifestHash = await writeAdapterLedger(adapterDir, {
      description: d.description,
      tags: [...d.tags],
      owner: d.owner,
      training: {
        ...trainingManifest({
          baseModel: { id: EMBEDDED_MODEL_NAME, contentHash: baseHash },
          config,
          examples,
          sources,
        }),
        trained_tokens: trained.state.trainedTokens,
        steps: trained.state.step,
      },
    });
    // training-data influence computes the gradients from these rows on first request
    await writeExampleRows(adapterDir, manifestHash, examples);
    datanets.push({
      id: d.datanet,
      title: d.datanetDescription,
      documents: docs.map(({ doc }) => ({
        text: doc.text,
        contributor: doc.contributor.toLowerCase(),
        ...(doc.metadata ? { metadata: doc.metadata as unknown as Record<string, unknown> } : {}),
      })),
    });
    done += adapterWork[i]!;
  }

  await rm(work, { recursive: true, force: true });
  await writeFile(join(root, DATANETS_FILE), JSON.stringify(datanets, null, 2) + '\n');
  await writeFile(
    join(root, MARKER),
    JSON.stringify(
      {
        version: EMBEDDED_DEFAULT_VERSION,
        profile,
        model: EMBEDDED_MODEL_NAME,
        vocabSize,
        adapters: DEMO_DOMAINS.map((d) => d.id),
        base: { trainedTokens: base.trainedTokens, validationLoss: base.bestValidationLoss },
      },
      null,
      2,
    ) + '\n',
  );
  report({ stage: 'done', label: 'done', fraction: 1 });
}
