// The planted-evidence experiment (test/support/plantedEvidence.ts) at any K and seed range: top-1 of
// exact Shapley, the linear surrogate and leave-one-out on the same cases (stories260K, the real
// engine and attribution service). The table in docs/attribution.md ("Why 4") comes from these runs:
//
//   npx tsx bench/probes/plantedMethods.ts --k 6 --seed 3000 [--cases 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPlantedEvidence, spelledTokenizer, startPlantedEngine } from '../../test/support/plantedEvidence.ts';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '6' },
    seed: { type: 'string', default: '2000' },
    cases: { type: 'string', default: '50' },
  },
});
const k = Number(values.k);
const tmp = mkdtempSync(join(tmpdir(), 'planted-methods-'));
const engine = await startPlantedEngine({
  modelDir: new URL('../../../shared/models/stories260K', import.meta.url).pathname,
  graphsDir: join(tmp, 'graphs'),
  maxBatchSize: 32,
  maxBatchTokens: 4096,
  threads: 0,
});
try {
  // The spelled prompt tokenizer maps "[i]" back to id i, as the real stories260K tokenizer does (the test uses that one).
  const r = await runPlantedEvidence(
    engine,
    {
      k,
      passage: 20,
      key: 6,
      answer: 8,
      cases: Number(values.cases),
      seedBase: Number(values.seed),
      bos: 1,
      model: 'stories260K',
    },
    spelledTokenizer(1),
  );
  const top1 = (hits: number) => +(hits / r.cases).toFixed(3);
  console.log(
    JSON.stringify({
      k,
      seed: Number(values.seed),
      cases: r.cases,
      top1: { shapley: top1(r.shapleyHits), linearSurrogate: top1(r.surrogateHits), leaveOneOut: top1(r.looHits) },
    }),
  );
} finally {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
}
