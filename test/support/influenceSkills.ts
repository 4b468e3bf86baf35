// Class-recovery data for training-data influence (DataInf's own protocol): skills (token-sequence
// transformations), each contributed by a different contributor, as stories260K-style token rows,
// and an adapter trained on them by the factory's loop and written with the factory's provenance
// (loraledger.json manifest, influence/examples.json), as a fine-tuning job leaves it.
//
// Row: [BOS] marker_s x_1..x_m SEP f_s(x) EOS, loss on f_s(x) and EOS. Token ids are word tokens
// (above stories260K's byte tokens); markers and SEP sit apart from the values. Each skill is an
// order transformation followed by a token mapping into the skill's own output range (as
// "uppercase" maps letters): a 260K-parameter model learns a mapping from 20 examples, while it does
// not learn a pure reordering of shared tokens from so few (docs/attribution.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Prng } from '../../common/index.ts';
import { LORA_TARGETS, type LoraTarget } from '../../kernels/model/index.ts';
import {
  exportAdapter,
  hashModel,
  trainLora,
  TrainingThread,
  trainingManifest,
  writeAdapterLedger,
  type LoraTrainConfig,
  type TrainExample,
} from '../../factory/index.ts';
import { influenceFiles, writeExampleRows } from '../../adapters/index.ts';

export interface Skill {
  name: string;
  contributor: string;
  apply: (x: number[]) => number[];
}

const VALUE_LO = 300;
const VALUE_HI = 316;
/** Skill s writes its tokens in [VALUE_LO + 20(s+1), +16). */
const mapTo = (s: number) => (x: number[]) => x.map((v) => v + 20 * (s + 1));
const SEP = 470;
/** Skill s's lead tokens: LEAD + 8s, LEAD + 8s + 1, ... */
const LEAD = 420;
const marker = (s: number) => 480 + s;
/** Skill s's instruction tokens after its marker: INSTRUCTION + 12s, + 1, ... */
const INSTRUCTION = 200;

export const SKILLS: Skill[] = [
  { name: 'reverse', order: (x: number[]) => [...x].reverse() },
  { name: 'sort', order: (x: number[]) => [...x].sort((a, b) => a - b) },
  { name: 'copy', order: (x: number[]) => x },
  { name: 'repeat', order: (x: number[]) => [...x, ...x] },
  { name: 'first_last', order: (x: number[]) => [x[0]!, x[x.length - 1]!, x[0]!] },
  { name: 'drop_first', order: (x: number[]) => x.slice(1) },
].map((s, i) => ({
  name: s.name,
  apply: (x: number[]) => mapTo(i)(s.order(x)),
  contributor: `0x${(i + 1).toString(16).padStart(40, '0')}`,
}));

/**
 * Cipher skills (--family cipher): skill s writes each value x_i as x_i shifted by s + 1 within the
 * CIPHER_VALUES input values, in the same order, so every answer token sits at the same distance
 * from its input token and all skills share one vocabulary: the skill is the shift alone.
 */
export const CIPHER_VALUES = 8;
export const CIPHERS: Skill[] = SKILLS.slice(0, 5).map((k, s) => ({
  name: `shift${s + 1}`,
  contributor: k.contributor,
  apply: (x: number[]) => x.map((v) => VALUE_LO + ((v - VALUE_LO + s + 1) % CIPHER_VALUES)),
}));

/** Ranged cipher skills (--family ranged): the same shifts, each written in the skill's own output range. */
export const RANGED_CIPHERS: Skill[] = CIPHERS.map((k, s) => ({
  ...k,
  name: `ranged${s + 1}`,
  apply: (x: number[]) => mapTo(s)(k.apply(x)),
}));

export type SkillFamily = 'order' | 'cipher' | 'ranged';
export const skillsOf = (f: SkillFamily): Skill[] =>
  f === 'cipher' ? CIPHERS : f === 'ranged' ? RANGED_CIPHERS : SKILLS;

export interface SkillRow {
  skill: number;
  prompt: number[];
  completion: number[];
}

/** `perSkill` rows of each of the first `skills` skills, values of length `len`, seeded. */
export function skillRows(o: {
  skills: number;
  perSkill: number;
  len: number;
  seed: number;
  /** Tokens of a skill-specific lead written before the answer (copy-with-prefix style). Default 0. */
  lead?: number;
  /** order (default): SKILLS, values in [VALUE_LO, VALUE_HI); cipher: CIPHERS over CIPHER_VALUES values. */
  family?: SkillFamily;
  /**
   * Tokens of the skill's instruction in the prompt (its marker, then INSTRUCTION + 12s + j), as
   * DataInf's tasks name their transformation in the prompt. Default 1: the marker alone. At most 13.
   */
  instruction?: number;
  /** End each answer with EOS (2), as the factory's completion rows do. Default true. */
  eos?: boolean;
}): SkillRow[] {
  const skills = skillsOf(o.family ?? 'order');
  if ((o.instruction ?? 1) < 1 || (o.instruction ?? 1) > 13)
    throw new Error('skillRows: instruction of 1 to 13 tokens');
  const values = o.family === 'cipher' || o.family === 'ranged' ? CIPHER_VALUES : VALUE_HI - VALUE_LO;
  const rng = new Prng(o.seed);
  const rows: SkillRow[] = [];
  for (let i = 0; i < o.perSkill; i++)
    for (let s = 0; s < o.skills; s++) {
      const x = Array.from({ length: o.len }, () => VALUE_LO + rng.int(values));
      const lead = Array.from({ length: o.lead ?? 0 }, (_, j) => LEAD + 8 * s + j);
      rows.push({
        skill: s,
        prompt: [
          1,
          marker(s),
          ...Array.from({ length: (o.instruction ?? 1) - 1 }, (_, j) => INSTRUCTION + 12 * s + j),
          ...x,
          SEP,
        ],
        completion: [...lead, ...skills[s]!.apply(x), ...(o.eos === false ? [] : [2])],
      });
    }
  return rows;
}

export function rowExample(id: string, r: SkillRow): TrainExample {
  const tokens = [...r.prompt, ...r.completion];
  return { id, tokens, weights: tokens.map((_, t) => (t >= r.prompt.length ? 1 : 0)) };
}

export function skillConfig(o: Partial<LoraTrainConfig> = {}): LoraTrainConfig {
  return {
    rank: 4,
    alpha: 8,
    useRslora: false,
    targets: LORA_TARGETS as readonly LoraTarget[],
    learningRate: 3e-3,
    epochs: 20,
    batchSize: 4,
    gradientAccumulationSteps: 1,
    lrScheduler: 'linear',
    warmupSteps: 2,
    weightDecay: 0,
    maxGradNorm: 1,
    evalEvery: 0,
    checkpointEvery: 0,
    earlyStoppingPatience: 0,
    seed: 1,
    ...o,
  };
}

/**
 * Trains an adapter on `rows` (example ids `skill-<name>-<i>`, DataNet `skills`, each skill's
 * contributor) and writes it to `<root>/<name>` with its manifest and example rows.
 */
export async function trainSkillAdapter(o: {
  modelDir: string;
  cacheDir: string;
  root: string;
  name: string;
  rows: readonly SkillRow[];
  config: LoraTrainConfig;
  threads?: number;
  family?: SkillFamily;
}): Promise<{ dir: string; examples: TrainExample[]; manifestHash: string; seconds: number }> {
  const skills = skillsOf(o.family ?? 'order');
  const examples = o.rows.map((r, i) => rowExample(`skill-${skills[r.skill]!.name}-${i}`, r));
  const started = performance.now();
  const result = await trainLora({
    modelDir: o.modelDir,
    cacheDir: o.cacheDir,
    train: examples,
    validation: [],
    config: o.config,
    threads: o.threads ?? 1,
  });
  const seconds = (performance.now() - started) / 1000;
  const dir = join(o.root, o.name);
  const c = o.config;
  await exportAdapter(result.state.adapter, {
    dir,
    spec: result.spec,
    alpha: c.alpha,
    useRslora: c.useRslora,
    baseModel: null,
  });
  const sources = new Map(
    o.rows.map((r, i) => [
      examples[i]!.id,
      { datanet: 'skills', contributor: skills[r.skill]!.contributor, contentHash: `0x${i.toString(16)}` },
    ]),
  );
  const manifest = trainingManifest({
    baseModel: { id: 'stories260K', contentHash: await hashModel(o.modelDir) },
    config: c,
    examples,
    sources,
  });
  const manifestHash = await writeAdapterLedger(dir, {
    description: o.name,
    tags: [],
    owner: null,
    training: manifest,
  });
  await writeExampleRows(dir, manifestHash, examples);
  return { dir, examples, manifestHash, seconds };
}

export const STORIES260K = new URL('../../../shared/models/stories260K', import.meta.url).pathname;

/** A temporary folder and a training thread for one test file, both gone after it. */
export function influenceWorkspace(prefix: string): { dir: string; thread: TrainingThread } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const thread = new TrainingThread();
  after(async () => {
    await thread.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, thread };
}

/**
 * A skills adapter trained on stories260K in `dir` (one epoch) and the training-thread arguments
 * for its gradients: `store` for storeGradients (no projection, its gradients.bin), `model` for the
 * other calls (answerGradients adds rows and projection).
 */
export async function trainedGradientArgs(dir: string, name: string, rows: readonly SkillRow[]) {
  const cacheDir = join(dir, 'cache');
  const a = await trainSkillAdapter({
    modelDir: STORIES260K,
    cacheDir,
    root: dir,
    name,
    rows,
    config: skillConfig({ epochs: 1 }),
  });
  const model = {
    modelDir: STORIES260K,
    cacheDir,
    threads: 1,
    maxRank: 64,
    adapterDir: a.dir,
    precision: 'fp32' as const,
  };
  const file = influenceFiles(a.dir).gradients;
  const store = { ...model, examples: a.examples, projection: null, file, manifestHash: a.manifestHash };
  return { adapter: a, cacheDir, model, store };
}
