// Engine-level probe (no HTTP): S concurrent closed-loop clients through startEngine on the
// SmolLM-135M-shaped bench model, every request on the base model, on its own adapter
// (round-robin over 32), or Zipf(1) over 32 adapters. Prints output tokens/s, the p50 of steps
// that only decode (all S rows, no prefill), and how much of the wall time the engine was busy.
//
//   MODE=base|distinct|zipf [S=32] [N=64 requests] [T=64 tokens] [ACTIVE=slots] [ROWS=rows per slot] [LEN=max model len] [WARM=1] npx tsx bench/engineProbe.ts
//
// WARM=1 first sends one 1-token request per adapter, so the timed run starts with all 32 in the host tier.
//
// Needs the bench's adapters (r16-0000..0031) under .cache/bench/adapters/smollm-135m: run
// `npm run bench -- --quick --scenarios mixed-32-adapters --systems loraledger` once first.
import { join } from 'node:path';
import { startEngine } from '../../kernels/index.ts';
import { ensureModel } from '../assets.ts';
import { ZipfSampler } from '../zipf.ts';
import { Prng } from '../../common/index.ts';
const S = Number(process.env.S ?? 32),
  N = Number(process.env.N ?? 64),
  T = Number(process.env.T ?? 64);
const { dir: modelDir } = await ensureModel('.cache/bench', 'smollm-135m');
const root = '.cache/bench/adapters/smollm-135m';
const ids = Array.from({ length: 32 }, (_, i) => `r16-${String(i).padStart(4, '0')}`);
const mode = process.env.MODE ?? 'distinct';
const active = Number(process.env.ACTIVE ?? (mode === 'base' ? 1 : 32));
const engine = await startEngine({
  modelDir,
  precision: 'fp32',
  provider: 'cpu',
  loraKernel: (process.env.KERNEL ?? 'grouped') as 'grouped',
  maxLoraRank: 16,
  maxActiveAdapters: active,
  maxCachedAdapters: 32,
  maxCachedAdapterBytes: 2 ** 31,
  loraRowsPerSlot: process.env.ROWS ? Number(process.env.ROWS) : undefined,
  maxBatchSize: S,
  maxBatchTokens: S * 16,
  maxQueue: 1000,
  maxModelLen: Number(process.env.LEN ?? 128),
  cacheDir: join('.cache', 'bench', 'loraledger-cache'),
  threads: 2,
  adapters: ids.map((id) => ({ id, path: join(process.cwd(), root, id) })),
});
const steps: number[] = [];
const all: number[] = [];
const loads: Record<string, number[]> = { host: [], slot: [] }; // adapter_loaded seconds per tier, ms
engine.onNotice((n) => {
  if (n.type === 'adapter_loaded') loads[n.tier]?.push(n.seconds * 1000);
  if (n.type === 'step') {
    all.push(n.seconds * 1000);
    if (n.prefillTokens === 0 && n.rows === S) steps.push(n.seconds * 1000);
  }
});
const z = new ZipfSampler(32, 1, new Prng(11));
const pick = (j: number) => (mode === 'base' ? null : mode === 'zipf' ? ids[z.next()]! : ids[j % 32]!);
if (process.env.WARM) {
  await Promise.all(
    ids.map(async (id, j) => {
      for await (const ev of engine.generate({
        id: `w${j}`,
        promptIds: [3, 4, 5],
        adapterId: id,
        maxTokens: 1,
        sampling: { temperature: 0, topP: 1, topK: 0 },
        stopTokenIds: [],
        ignoreEos: true,
      }))
        void ev;
    }),
  );
  steps.length = 0;
  all.length = 0;
  loads.host!.length = 0;
  loads.slot!.length = 0;
}
let next = 0,
  tokens = 0;
const t0 = performance.now();
async function client(): Promise<void> {
  while (next < N) {
    const j = next++;
    const req = {
      id: `p${j}`,
      promptIds: Array.from({ length: 16 }, (_, i) => 3 + ((i * 7 + j) % 100)),
      adapterId: pick(j),
      maxTokens: T,
      sampling: { temperature: 0, topP: 1, topK: 0 },
      stopTokenIds: [],
      ignoreEos: true,
    };
    for await (const ev of engine.generate(req)) if (ev.type === 'token') tokens++;
  }
}
await Promise.all(Array.from({ length: S }, client));
const wall = (performance.now() - t0) / 1000;
steps.sort((a, b) => a - b);
const sum = all.reduce((a, b) => a + b, 0) / 1000;
console.log(
  `${mode}: ${(tokens / wall).toFixed(1)} tok/s, pure-decode step p50 ${steps[steps.length >> 1]?.toFixed(1)} ms (${steps.length}), steps ${all.length} busy ${sum.toFixed(1)}s of ${wall.toFixed(1)}s`,
);
for (const [tier, ms] of Object.entries(loads)) {
  if (ms.length === 0) continue;
  ms.sort((a, b) => a - b);
  const total = ms.reduce((a, b) => a + b, 0);
  console.log(
    `  ${tier} loads: ${ms.length}, p50 ${ms[ms.length >> 1]!.toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms, sum ${total.toFixed(0)} ms`,
  );
}
await engine.close();
