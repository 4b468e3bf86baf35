// Which cheap subset designs rank the planted passage first as often as exact Shapley does? Runs the
// planted-evidence experiment (test/support/plantedEvidence.ts, stories260K) and keeps, per case, the
// values v(S) of all 2^K subsets that exact Shapley scored; every design is then evaluated on those
// same values, offline (a design's weights: the least-squares linear fit over its subsets, as
// linear-surrogate-v1 does; exact Shapley from all 2^K).
//
//   npx tsx bench/probes/plantedDesigns.ts --k 6 --seed 2000 [--cases 50]
//
// Designs, in the served passage order 0..K-1:
//   surrogate   ∅, the singletons, the prefixes {0..i}          (linear-surrogate-v1)
//   chain       ∅ and the prefixes: the marginal of each passage along the served order
//   adaptive-m  the chain, then the singletons of the m passages (of 1..K-1) with the largest marginals
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineClient } from '../../kernels/index.ts';
import { linearSurrogate, shapley, sharesPpm } from '../../attribution/scoring/scoreSources.ts';
import { runPlantedEvidence, spelledTokenizer, startPlantedEngine } from '../../test/support/plantedEvidence.ts';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '6' },
    seed: { type: 'string', default: '2000' },
    cases: { type: 'string', default: '50' },
  },
});
const k = Number(values.k);
const full = (1 << k) - 1;
const prefix = (i: number): number => (1 << (i + 1)) - 1; // {0..i}
const chain = [0, ...Array.from({ length: k }, (_, i) => prefix(i))];
const singles = Array.from({ length: k }, (_, i) => 1 << i);

/** The designs: name -> weights from v (indexed by mask). */
const designs: Record<string, (v: Float64Array) => number[]> = {
  shapley: (v) => shapley(k, (m) => v[m]!),
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

const tmp = mkdtempSync(join(tmpdir(), 'planted-designs-'));
const engine = await startPlantedEngine({
  modelDir: new URL('../../../shared/models/stories260K', import.meta.url).pathname,
  graphsDir: join(tmp, 'graphs'),
  maxBatchSize: 32,
  maxBatchTokens: 4096,
  threads: 0,
});
const hits: Record<string, number> = Object.fromEntries(Object.keys(designs).map((d) => [d, 0]));
let planted = -1;
let cases = 0;
// Exact Shapley's call is the one with 2^K variants, in mask order (no adapter: no base variant).
const recording = new Proxy(engine, {
  get(target, prop, receiver) {
    if (prop !== 'score') return Reflect.get(target, prop, receiver) as unknown;
    return async (...args: Parameters<EngineClient['score']>) => {
      const r = await target.score(...args);
      if (args[0].length === 1 << k) {
        const v = Float64Array.from(r, (x) => x.total);
        cases++;
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
  await runPlantedEvidence(
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
      onCase: (p) => (planted = p),
    },
    spelledTokenizer(1),
  );
  const top1 = Object.fromEntries(Object.entries(hits).map(([d, h]) => [d, +(h / cases).toFixed(3)]));
  console.log(JSON.stringify({ k, seed: Number(values.seed), cases, top1, full }));
} finally {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
}
