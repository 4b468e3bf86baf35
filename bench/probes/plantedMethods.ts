// The planted-evidence experiment (test/support/plantedEvidence.ts) at any K and seed range, on the
// same cases (stories260K, the real engine and attribution service):
//   top1     exact Shapley, the linear surrogate and leave-one-out as the service computes them
//   designs  cheaper subset designs, evaluated offline on the values v(S) of all 2^K subsets that
//            exact Shapley's call scored (a design's weights: the least-squares linear fit over
//            its subsets, as linear-surrogate-v1 does). In the served passage order 0..K-1:
//              surrogate   ∅, the singletons, the prefixes {0..i}   (linear-surrogate-v1 again)
//              chain       ∅ and the prefixes: each passage's marginal along the served order
//              adaptive-m  the chain, then the singletons of the m passages (of 1..K-1) with the
//                          largest marginals
// The tables in docs/attribution.md ("Why 4") and docs/benchmarks.md ("Cheaper designs rank
// worse") come from these runs:
//
//   npx tsx bench/probes/plantedMethods.ts --k 6 --seed 3000 [--cases 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineClient } from '../../kernels/index.ts';
import { linearSurrogate, sharesPpm } from '../../attribution/scoring/scoreSources.ts';
import { runPlantedEvidence, spelledTokenizer, startPlantedEngine } from '../../test/support/plantedEvidence.ts';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '6' },
    seed: { type: 'string', default: '2000' },
    cases: { type: 'string', default: '50' },
  },
});
const k = Number(values.k);
const prefix = (i: number): number => (1 << (i + 1)) - 1; // {0..i}
const chain = [0, ...Array.from({ length: k }, (_, i) => prefix(i))];
const singles = Array.from({ length: k }, (_, i) => 1 << i);

/** The offline designs: name -> weights from v (indexed by mask). */
const designs: Record<string, (v: Float64Array) => number[]> = {
  surrogate: (v) => linearSurrogate(k, [...new Set([...chain, ...singles])], (m) => v[m]!),
  chain: (v) => linearSurrogate(k, chain, (m) => v[m]!),
};
for (let m = 1; m < k; m++) {
  designs[`adaptive-${m}`] = (v) => {
    const marginal = Array.from({ length: k }, (_, i) => v[prefix(i)]! - v[i === 0 ? 0 : prefix(i - 1)]!);
    const top = Array.from({ length: k - 1 }, (_, j) => j + 1)
      .sort((a, b) => marginal[b]! - marginal[a]! || a - b)
      .slice(0, m);
    return linearSurrogate(k, [...chain, ...top.map((i) => 1 << i)], (mask) => v[mask]!);
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'planted-methods-'));
const engine = await startPlantedEngine({
  modelDir: new URL('../../../shared/models/stories260K', import.meta.url).pathname,
  graphsDir: join(tmp, 'graphs'),
  maxBatchSize: 32,
  maxBatchTokens: 4096,
  threads: 0,
});
const hits: Record<string, number> = Object.fromEntries(Object.keys(designs).map((d) => [d, 0]));
let planted = -1;
let counted = true;
// Exact Shapley's call is each case's first with 2^K variants, in mask order (no adapter: no base
// variant); for K <= 2 the surrogate's call has 2^K variants too.
const recording = new Proxy(engine, {
  get(target, prop, receiver) {
    if (prop !== 'score') return Reflect.get(target, prop, receiver) as unknown;
    return async (...args: Parameters<EngineClient['score']>) => {
      const r = await target.score(...args);
      if (!counted && args[0].length === 1 << k) {
        counted = true;
        const v = Float64Array.from(r, (x) => x.total);
        for (const [name, weights] of Object.entries(designs)) {
          const shares = sharesPpm(weights(v));
          if (shares.every((s, i) => i === planted || s < shares[planted]!)) hits[name]!++;
        }
      }
      return r;
    };
  },
});
try {
  // The spelled prompt tokenizer maps "[i]" back to id i, as the real stories260K tokenizer does (the test uses that one).
  const r = await runPlantedEvidence(
    recording,
    {
      k,
      passage: 20,
      key: 6,
      answer: 8,
      cases: Number(values.cases),
      seedBase: Number(values.seed),
      bos: 1,
      model: 'stories260K',
      onCase: (p) => {
        planted = p;
        counted = false;
      },
    },
    spelledTokenizer(1),
  );
  const top1 = (n: number) => +(n / r.cases).toFixed(3);
  console.log(
    JSON.stringify({
      k,
      seed: Number(values.seed),
      cases: r.cases,
      top1: { shapley: top1(r.shapleyHits), linearSurrogate: top1(r.surrogateHits), leaveOneOut: top1(r.looHits) },
      designs: Object.fromEntries(Object.entries(hits).map(([d, n]) => [d, top1(n)])),
    }),
  );
} finally {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
}
