// Where the time of one B=32 decode step goes, per adapter mix, from onnxruntime's own profile:
// the SmolLM-135M-shaped fp32 graph with the grouped LoRA kernel, driven directly (no engine, no
// HTTP), decode steps of the mixes interleaved in ONE session so machine noise hits them alike.
// Each row is an op and its output shape with its kernel ms per decode step in each mix; the
// LoRA-only rows (absent from base) are summed, with the bytes of adapter weight each step reads.
//
//   npx tsx bench/stepProfile.ts [--mixes base,zipf,distinct] [--rows-per-slot 4] [--steps 16] [--top 24] [--rebuild] [--work .cache/bench]
//   (a mix zipf:N caps slot copies at N rows, e.g. --mixes base,tiny,zipf:1,zipf:2,zipf:4)
//
// Mixes (B=32 rows, 32 seeded rank-16 adapters on all 7 projections):
//   base      no adapter;
//   distinct  row b on adapter b;
//   tiny      row 0 on one rank-1 adapter, the rest base: every LoRA node runs on next to no data, so
//             its LoRA-only time is the node cost of the LoRA layers;
//   zipf      rows by the expected Zipf(1) counts over 32 adapters (row b takes the adapter whose
//             cumulative share first reaches (b + 0.5) / 32: 8, 4, 2, 2, 2 and 14 x 1 rows), an
//             adapter's rows spread over slot copies of at most --rows-per-slot rows each, as the
//             engine's adapter cache does (default 4, the engine's default).
// Slots are assigned and planned by the engine's own planLora (via DecoderHarness's loraFeeds).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildDecoderGraph, BUILDER_VERSION } from '../../kernels/index.ts';
import { loadCheckpoint, LORA_TARGETS } from '../../kernels/model/index.ts';
import { randomAdapter } from '../../test/support/randomAdapter.ts';
import { DecoderHarness, loraFeeds } from '../../test/support/decoderHarness.ts';
import { ensureModel } from '../assets.ts';
import { probeFlags } from './probeFlags.ts';
import { percentile } from '../stats.ts';

const args = probeFlags(process.argv.slice(2));
const work = args.get('work') ?? '.cache/bench';
const mixNames = (args.get('mixes') ?? 'base,zipf,distinct').split(',');
const rowsPerSlot = Number(args.get('rows-per-slot') ?? 4);
const steps = Number(args.get('steps') ?? 16);
const B = 32,
  C = 160,
  P = 16,
  ADAPTERS = 32;

const { dir: modelDir, spec } = await ensureModel(work, 'smollm-135m');
const dir = join('.cache', 'stepProfile', `${BUILDER_VERSION}-fp32-grouped`); // rebuilt when the builder changes
const file = join(dir, 'model.onnx');
if (args.has('rebuild') || !existsSync(file)) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  buildDecoderGraph(
    await loadCheckpoint(modelDir),
    { precision: 'fp32', loraKernel: 'grouped', maxPositions: 256 },
    file,
  );
}
const session = await ort.InferenceSession.create(file, {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  interOpNumThreads: 1,
  intraOpNumThreads: 2,
  executionMode: 'sequential',
  enableProfiling: true,
  profileFilePrefix: join(dir, 'profile'),
});

// adapters[i] for i < 32; copy j >= 1 of adapter a is index ADAPTERS + a * B + j (same weights).
const adapters = Array.from({ length: ADAPTERS }, (_, i) =>
  randomAdapter(spec, { id: `a${i}`, seed: 100 + i, rank: 16, targets: [...LORA_TARGETS] }),
);
const pool = [...adapters];
const zipfRows: number[] = [];
{
  const w = Array.from({ length: ADAPTERS }, (_, k) => 1 / (k + 1));
  const sum = w.reduce((a, b) => a + b, 0);
  for (let b = 0; b < B; b++) {
    let k = 0;
    for (let acc = w[0]! / sum; acc < (b + 0.5) / B && k < ADAPTERS - 1; acc += w[++k]! / sum);
    zipfRows.push(k);
  }
}
const rowsPerAdapter = new Map<number, number>();
for (const a of zipfRows) rowsPerAdapter.set(a, (rowsPerAdapter.get(a) ?? 0) + 1);
function zipfSlots(perSlot: number): number[] {
  const seen = new Map<number, number>();
  return zipfRows.map((a) => {
    const j = Math.floor((seen.get(a) ?? 0) / perSlot);
    seen.set(a, (seen.get(a) ?? 0) + 1);
    if (j === 0) return a;
    pool[ADAPTERS + a * B + j] = adapters[a]!;
    return ADAPTERS + a * B + j;
  });
}
const tinyAdapter = randomAdapter(spec, { id: 'tiny', seed: 99, rank: 1, targets: [...LORA_TARGETS] });
const mixes: Record<string, Array<number | null>> = {
  base: new Array(B).fill(null),
  distinct: Array.from({ length: B }, (_, b) => b),
  tiny: [0, ...new Array<null>(B - 1).fill(null)],
};
for (const m of mixNames) {
  const z = /^zipf(?::(\d+))?$/.exec(m);
  if (z) mixes[m] = zipfSlots(z[1] ? Number(z[1]) : rowsPerSlot);
  if (!mixes[m]) throw new Error(`unknown mix ${m} (base, tiny, distinct, zipf, zipf:N)`);
}
// The adapters a mix's row indices point into, and the rank the stacks are padded to.
const source = (m: string): { adapters: typeof pool; rank: number } =>
  m === 'tiny' ? { adapters: [tinyAdapter], rank: 1 } : { adapters: pool, rank: 16 };
const feeds = Object.fromEntries(
  mixNames.map((m) => [m, loraFeeds('grouped', spec, source(m).adapters, mixes[m]!, 1, source(m).rank)]),
);

const h = new DecoderHarness(session, spec, B, C);
await h.step(
  Array.from({ length: B }, (_, b) => Array.from({ length: P }, (_, i) => 3 + ((i * 7 + b) % 100))),
  loraFeeds('grouped', spec, pool, mixes.base!, P, 16),
);
const wall: Record<string, number[]> = Object.fromEntries(mixNames.map((m) => [m, []]));
for (let s = 0; s < steps; s++) {
  for (const m of mixNames) {
    const lens = [...h.lens];
    const t0 = performance.now();
    await h.step(
      Array.from({ length: B }, () => [5 + s]),
      feeds[m],
    );
    wall[m]!.push(performance.now() - t0);
    h.lens.splice(0, B, ...lens); // every step decodes at the same length
  }
}
session.endProfiling();

const profile = readdirSync(dir)
  .filter((f) => f.startsWith('profile'))
  .map((f) => join(dir, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
type Ev = {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; output_type_shape?: unknown };
};
const events = JSON.parse(readFileSync(profile, 'utf8')) as Ev[];
const runs = events
  .filter((e) => e.cat === 'Session' && e.name === 'model_run')
  .sort((a, b) => a.ts - b.ts)
  .slice(1); // [0] = prefill
const perMix = mixNames.map(() => new Map<string, number>());
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.args?.op_name === 'If') continue;
  const r = runs.findIndex((x) => e.ts >= x.ts && e.ts <= x.ts + x.dur);
  if (r < 0) continue;
  const key = `${e.args?.op_name} ${JSON.stringify(e.args?.output_type_shape ?? '').replace(/[{}"]|float:/g, '')}`;
  const m = perMix[r % mixNames.length]!;
  m.set(key, (m.get(key) ?? 0) + e.dur / 1000 / steps);
}
const baseKeys = new Set(perMix[mixNames.indexOf('base')]?.keys() ?? []);
const slotsRead = (m: string): number => new Set(mixes[m]!.filter((a) => a !== null)).size;
console.log(
  `B=${B} decode, C=${C}, ${steps} steps per mix, rows per slot ${rowsPerSlot}; zipf rows per adapter ${JSON.stringify([...rowsPerAdapter.values()])}`,
);
for (const [i, m] of mixNames.entries()) {
  const ops = [...perMix[i]!.entries()];
  const total = ops.reduce((a, [, ms]) => a + ms, 0);
  const lora = ops.filter(([k]) => !baseKeys.has(k)).reduce((a, [, ms]) => a + ms, 0);
  const mm = ops.filter(([k]) => !baseKeys.has(k) && k.startsWith('MatMul ')).reduce((a, [, ms]) => a + ms, 0);
  const mb = (slotsRead(m) * source(m).adapters[0]!.bytes) / 1e6;
  console.log(
    `${m.padEnd(9)} step p50 ${percentile(wall[m]!, 50).toFixed(1)} ms; kernels ${total.toFixed(1)} ms, LoRA-only ops ${lora.toFixed(1)} ms (MatMul ${mm.toFixed(1)} ms over ${slotsRead(m)} slots, ${mb.toFixed(0)} MB: ${mm > 0 ? (mb / mm).toFixed(1) : '-'} GB/s)`,
  );
}
const keys = [...new Set(perMix.flatMap((p) => [...p.keys()]))];
const rows = keys
  .map((k) => ({ k, ms: perMix.map((p) => p.get(k) ?? 0) }))
  .sort((a, b) => Math.max(...b.ms) - Math.max(...a.ms));
console.log(`\n${mixNames.map((m) => m.padStart(9)).join('')}  ms per decode step: op [output shapes]`);
for (const r of rows.slice(0, Number(args.get('top') ?? 24)))
  console.log(`${r.ms.map((v) => v.toFixed(2).padStart(9)).join('')}  ${r.k}${baseKeys.has(r.k) ? '' : '  (LoRA)'}`);
