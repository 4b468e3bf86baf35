// The embedded default: what `loraledger` serves when no --model is given. Generated once,
// deterministically, in a couple of seconds (nothing is downloaded):
//
//   <dir>/<EMBEDDED_DEFAULT_VERSION>/loraledger-demo/   small random Llama + a real byte-level BPE
//                                                       tokenizer trained on kernels' embedded corpus
//   <dir>/<EMBEDDED_DEFAULT_VERSION>/adapters/{dermatology, contracts-law, cooking, python-code}/
//                                                       PEFT LoRA adapters + loraledger.json
//
// The weights are a token-bigram model of the corpus (kernels/bigramWeights.ts: input embeddings
// and an untied lm_head whose product gives the bigram logits) over random layers whose residual
// updates are scaled down, so output is English-like babble from the corpus and adapters still
// visibly change it: the demo shows the serving machinery (routing, batching, attribution), not
// medical or legal advice. Written into a temporary sibling folder and renamed into place, so
// a crash or a concurrent start never leaves a half-written folder; a new version gets a new folder.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EMBEDDED_CORPUS } from './embeddedCorpus.ts';
import { bigramWeights } from './bigramWeights.ts';
import { generateModel } from '../generateModel.ts';
import { loadTokenizer, type ModelSpec } from '../../kernels/model/index.ts';
import { writeBpeTokenizer } from './trainBpeTokenizer.ts';
import { generateAdapter } from '../generateAdapter.ts';

/** Bump whenever anything below (or the corpus, or the generators) changes the output. */
export const EMBEDDED_DEFAULT_VERSION = 'v2';
export const EMBEDDED_MODEL_NAME = 'loraledger-demo';
const MARKER = 'loraledger-embedded.json';

/**
 * The demo adapters. Owners are anvil's well-known development accounts 1-4 (public test
 * addresses from the default mnemonic), so contributors can claim on a local chain in the demo.
 */
export const DEMO_ADAPTERS = [
  {
    id: 'dermatology',
    seed: 101,
    owner: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    description:
      'Dermatology assistant: skin conditions such as rashes, eczema, acne, psoriasis, hives, moles and sunburn; symptoms, likely causes and when to see a doctor.',
    tags: ['dermatology', 'skin', 'rash', 'medical', 'health'],
  },
  {
    id: 'contracts-law',
    seed: 102,
    owner: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    description:
      'Contract law assistant: reads agreements and clauses (liability, indemnification, termination, non-compete, confidentiality), explains obligations, breach and enforceability.',
    tags: ['law', 'legal', 'contracts', 'agreement', 'clause'],
  },
  {
    id: 'cooking',
    seed: 103,
    owner: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    description:
      'Cooking assistant: recipes, ingredients, baking bread and cakes, roasting, sauces, soups, cooking times and kitchen techniques.',
    tags: ['cooking', 'recipes', 'food', 'baking', 'kitchen'],
  },
  {
    id: 'python-code',
    seed: 104,
    owner: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
    description:
      'Python programming assistant: writes and debugs Python code, functions, classes, exceptions, tracebacks, lists, dictionaries and unit tests.',
    tags: ['python', 'code', 'programming', 'debugging', 'software'],
  },
] as const;

/** The demo model's shape (vocabSize is the trained tokenizer's size). */
export const EMBEDDED_MODEL_SHAPE: Omit<ModelSpec, 'vocabSize'> = {
  architecture: 'LlamaForCausalLM',
  hiddenSize: 384,
  intermediateSize: 1024,
  numLayers: 4,
  numHeads: 6,
  numKvHeads: 2,
  headDim: 64,
  maxPositions: 1024,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: null,
  slidingWindow: null,
  attentionBias: false,
  tieWordEmbeddings: false, // lm_head holds the bigram model's output factor
  bosTokenId: 1, // <|im_start|>
  eosTokenIds: [2, 0], // <|im_end|>, <|endoftext|>
};
const TOKENIZER_VOCAB = 2048;
const MODEL_SEED = 2026;
const ADAPTER_RANK = 8;
/** Std of the demo adapters' B entries: their logit changes stay visible next to the bigram logits. */
const ADAPTER_B_STD = 0.03;
/** o_proj / down_proj init factor: layers nudge the bigram logits instead of drowning them. */
const RESIDUAL_SCALE = 0.05;

export interface EmbeddedDefault {
  modelDir: string;
  adaptersDir: string;
}

/**
 * The corpus as bigram documents: paragraphs, each closed by <|im_end|> in bigramWeights so sampled
 * replies end after one. Hard-wrapped prose is unwrapped and opened by "\n" (what a chat prompt
 * ends with); code (any indented line) keeps its lines.
 */
export function corpusDocuments(): Array<{ text: string; prose: boolean }> {
  return EMBEDDED_CORPUS.split(/\n\s*\n/)
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => {
      const prose = !d.split('\n').some((line) => /^\s/.test(line));
      return { text: prose ? '\n' + d.replace(/\n/g, ' ') : d, prose };
    });
}
/** Extra weight of "\n -> first word of a prose paragraph", so replies open like prose, not code. */
const REPLY_START_WEIGHT = 4;

async function generateInto(root: string): Promise<void> {
  const modelDir = join(root, EMBEDDED_MODEL_NAME);
  const vocabSize = await writeBpeTokenizer(modelDir, {
    corpus: EMBEDDED_CORPUS,
    vocabSize: TOKENIZER_VOCAB,
    modelMaxLength: EMBEDDED_MODEL_SHAPE.maxPositions,
  });
  const tok = await loadTokenizer(modelDir);
  const docs = corpusDocuments().map((d) => ({ ...d, ids: tok.encode(d.text, { addSpecialTokens: false }) }));
  // Chat transcripts ("user: ...") are prose too, but a reply should not open as one.
  const extraPairs = docs
    .filter((d) => d.prose && !/^\n\w+: /.test(d.text))
    .map((d) => ({ prev: d.ids[0]!, next: d.ids[1]!, count: REPLY_START_WEIGHT }));
  const { embed, lmHead } = bigramWeights({
    documents: docs.map((d) => d.ids),
    extraPairs,
    vocabSize,
    hiddenSize: EMBEDDED_MODEL_SHAPE.hiddenSize,
    endTokenId: EMBEDDED_MODEL_SHAPE.eosTokenIds[0]!,
    seed: MODEL_SEED,
  });
  const spec = await generateModel({
    dir: modelDir,
    seed: MODEL_SEED,
    ...EMBEDDED_MODEL_SHAPE,
    vocabSize,
    residualScale: RESIDUAL_SCALE,
    overrides: {
      'model.embed_tokens.weight': embed,
      'lm_head.weight': lmHead,
      'model.norm.weight': new Float32Array(EMBEDDED_MODEL_SHAPE.hiddenSize).fill(1),
    },
  });
  for (const a of DEMO_ADAPTERS) {
    await generateAdapter({
      dir: join(root, 'adapters', a.id),
      spec,
      seed: a.seed,
      rank: ADAPTER_RANK,
      alpha: 2 * ADAPTER_RANK,
      bStd: ADAPTER_B_STD,
      baseModel: EMBEDDED_MODEL_NAME,
      description: a.description,
      tags: [...a.tags],
      owner: a.owner,
    });
  }
  await writeFile(
    join(root, MARKER),
    JSON.stringify(
      {
        version: EMBEDDED_DEFAULT_VERSION,
        model: EMBEDDED_MODEL_NAME,
        vocabSize,
        adapters: DEMO_ADAPTERS.map((a) => a.id),
      },
      null,
      2,
    ) + '\n',
  );
}

/** Ensures the embedded default exists under `dir` (generating it on first use) and returns its folders. */
export async function ensureEmbeddedDefault(dir: string): Promise<EmbeddedDefault> {
  const root = join(dir, EMBEDDED_DEFAULT_VERSION);
  const result = { modelDir: join(root, EMBEDDED_MODEL_NAME), adaptersDir: join(root, 'adapters') };
  if (existsSync(join(root, MARKER))) return result;
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${EMBEDDED_DEFAULT_VERSION}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await generateInto(tmp);
    try {
      await rename(tmp, root);
    } catch (err) {
      // Another process finished first (the folder exists and is complete): use theirs.
      if (!existsSync(join(root, MARKER))) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return result;
}
