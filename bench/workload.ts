// A scenario's concrete, seeded workload: which adapters exist (id, rank, seed) and, per request,
// its prompt token ids and adapter. Every system in a run gets the same workload.
import { Prng } from '../common/index.ts';
import type { ScenarioDef } from './scenarios.ts';
import { ZipfSampler } from './zipf.ts';

export interface AdapterPlan {
  id: string;
  rank: number;
  /** Seed of its generated weights (same id, same weights across scenarios). */
  seed: number;
  /** Part of the cold pool: first used by a cold request, never before. */
  cold: boolean;
}

export interface PlannedRequest {
  promptIds: number[];
  /** Index into `adapters`, or null for the base model. */
  adapter: number | null;
  maxTokens: number;
}

export interface Workload {
  adapters: AdapterPlan[];
  requests: PlannedRequest[];
}

/** Adapter ids are stable across scenarios: `r{rank}-{index}`. */
export const adapterId = (rank: number, index: number): string => `r${rank}-${String(index).padStart(4, '0')}`;

/** Prompt tokens avoid the first few ids (special tokens in every preset). */
const FIRST_PROMPT_ID = 3;

export function buildWorkload(s: ScenarioDef, vocabSize: number, seed = 1234): Workload {
  const rng = new Prng(seed);
  const prompt = (): number[] =>
    Array.from({ length: s.promptTokens }, () => FIRST_PROMPT_ID + rng.int(vocabSize - FIRST_PROMPT_ID));
  const a = s.adapters;
  if (!a)
    return {
      adapters: [],
      requests: Array.from({ length: s.requests }, () => ({
        promptIds: prompt(),
        adapter: null,
        maxTokens: s.maxTokens,
      })),
    };
  const coldCount = Math.ceil(s.requests * a.coldShare);
  const adapters: AdapterPlan[] = Array.from({ length: a.count + coldCount }, (_, i) => {
    const rank = a.ranks[i % a.ranks.length]!;
    return { id: adapterId(rank, i), rank, seed: 1000 + i, cold: i >= a.count };
  });
  const zipf = new ZipfSampler(a.count, a.popularity === 'uniform' ? 0 : a.zipfAlpha, rng);
  let nextCold = a.count;
  const requests: PlannedRequest[] = [];
  for (let j = 0; j < s.requests; j++) {
    let adapter: number;
    if (nextCold < adapters.length && rng.next() < a.coldShare) adapter = nextCold++;
    else if (a.popularity === 'round-robin') adapter = j % a.count;
    else adapter = zipf.next();
    requests.push({ promptIds: prompt(), adapter, maxTokens: s.maxTokens });
  }
  return { adapters, requests };
}
