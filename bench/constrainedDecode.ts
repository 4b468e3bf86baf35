// Constrained decoding cost (issue 16): per-token grammar mask time (p50 / p99, the engine's own
// EngineStats.constraintMask) and batched decode throughput with a JSON-schema constraint on every
// row against the same traffic unconstrained, in one run on one engine.
//
//   npm run bench:constrained -- [--model DIR --adapters DIR] [--rows 16] [--waves 6] [--max-tokens 64]
//                                [--threads 1] [--json FILE]
//
// Default model: the embedded default's quick build (byte-level BPE, V = 512, four LoRA adapters),
// built into .cache/bench/constrained. Traffic: waves of `rows` requests submitted together, each row
// on an adapter in turn (and the base), temperature 1, seeded, max_tokens each (plain rows ignore EOS;
// constrained rows write JSON lines that cannot complete sooner); the constrained waves and the plain
// waves take turns in rotating order with a second plain set (an A/A control: its ratio to the first
// shows this host's noise in the same run), so that background load hits all alike. Throughput counts
// only decode steps whose batch is full (`rows` rows), from the engine's step notices: rows / median
// step seconds (the step holds the forward pass and the sampling, so the mask and its application
// are in it).
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConstraintEngine,
  applyMask,
  startEngine,
  type ConstraintSpec,
  type EngineClient,
  type GenerateRequest,
} from '../kernels/index.ts';
import { Prng } from '../common/index.ts';
import { percentile } from './stats.ts';
import { quickEmbeddedDefault } from '../test/support/embeddedQuick.ts';
import { loadCheckpoint } from '../kernels/model/index.ts';

const SCHEMA = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer', minimum: 0, maximum: 9999 },
          name: { type: 'string', maxLength: 16 },
          kind: { enum: ['rash', 'burn', 'cut', 'bruise'] },
          ok: { type: 'boolean' },
        },
        required: ['id', 'name', 'kind', 'ok'],
        additionalProperties: false,
      },
    },
  },
  required: ['items'],
  additionalProperties: false,
};
/** JSON lines of SCHEMA objects, at least 60 of them: a row never completes within max_tokens, so
 *  constrained rows run as long as the plain ones (ignore_eos) and the full-batch steps compare alike. */
const CONSTRAINT: ConstraintSpec = {
  type: 'repeat',
  item: { type: 'json_schema', schema: SCHEMA },
  separator: '\n',
  min: 60,
};

const { values: a } = parseArgs({
  options: {
    model: { type: 'string' },
    adapters: { type: 'string' },
    rows: { type: 'string', default: '16' },
    waves: { type: 'string', default: '6' },
    'max-tokens': { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    json: { type: 'string' },
    'mask-vocab': { type: 'string', default: '49152' },
  },
});
const rows = Number(a.rows);
const waves = Number(a.waves);
const maxTokens = Number(a['max-tokens']);

async function main(): Promise<void> {
  let modelDir = a.model;
  let adaptersDir = a.adapters;
  if (!modelDir) {
    const demo = await quickEmbeddedDefault(join('.cache', 'bench', 'constrained'));
    [modelDir, adaptersDir] = [demo.modelDir, demo.adaptersDir];
  }
  const { spec } = await loadCheckpoint(modelDir);
  const adapterIds = adaptersDir ? readdirSync(adaptersDir) : [];
  mkdirSync(join('.cache', 'bench'), { recursive: true });
  const engine = await startEngine({
    modelDir,
    precision: 'fp32',
    provider: 'cpu',
    loraKernel: 'gather',
    maxLoraRank: 64,
    maxActiveAdapters: Math.max(1, adapterIds.length),
    maxCachedAdapters: Math.max(1, adapterIds.length),
    maxCachedAdapterBytes: 1e9,
    maxBatchSize: rows,
    maxBatchTokens: rows * 32,
    maxQueue: rows * 4,
    maxModelLen: Math.min(spec.maxPositions, 1024),
    cacheDir: join('.cache', 'bench', 'graphs'),
    threads: Number(a.threads),
    adapters: adapterIds.map((id) => ({ id, path: join(adaptersDir!, id) })),
  });
  // plainB repeats plain (an A/A control): plainB / plain is the noise of this host in this run.
  type Mode = 'plain' | 'constrained' | 'plainB';
  const steps: Record<Mode, number[]> = { plain: [], constrained: [], plainB: [] }; // full-batch step seconds
  let mode: Mode = 'plain';
  engine.onNotice((n) => {
    if (n.type === 'step' && n.rows === rows && n.prefillTokens === 0) steps[mode].push(n.seconds);
  });
  const models = [null, ...adapterIds];
  const prompt = Array.from({ length: 12 }, (_, i) => (i * 37 + 11) % Math.min(spec.vocabSize, 256));
  const wall = { plain: 0, constrained: 0, plainB: 0 };
  const produced = { plain: 0, constrained: 0, plainB: 0 };
  const orders: Mode[][] = [
    ['plain', 'constrained', 'plainB'],
    ['plainB', 'constrained', 'plain'],
    ['constrained', 'plain', 'plainB'],
  ];
  // one warm-up wave each (graph load, grammar compile), then alternate
  for (let w = -1; w < waves; w++) {
    for (const m of orders[(w + 3) % 3]!) {
      mode = m;
      const t0 = performance.now();
      const done = await Promise.all(
        Array.from({ length: rows }, (_, r) =>
          run(engine, {
            id: `${m}-${w}-${r}`,
            promptIds: prompt,
            adapterId: models[r % models.length]!,
            maxTokens,
            sampling: { temperature: 1, topP: 1, topK: 0, seed: 1000 * (w + 2) + r },
            stopTokenIds: spec.eosTokenIds,
            ignoreEos: m !== 'constrained', // plain rows run their full max_tokens, as constrained ones do
            ...(m === 'constrained' ? { constraint: CONSTRAINT } : {}),
          }),
        ),
      );
      if (w < 0) {
        steps[m] = [];
        continue;
      }
      wall[m] += (performance.now() - t0) / 1000;
      produced[m] += done.reduce((s, d) => s + d.tokens, 0);
    }
  }
  const mask = engine.stats().constraintMask!;
  await engine.close();
  const large = await maskOnly(Number(a['mask-vocab']), 40);
  // rows tokens per full-batch step: by the median step (robust to bursts of background load) and by the total
  const tps = (m: Mode) => ({
    median: rows / (percentile(steps[m], 50) ?? NaN),
    total: (rows * steps[m].length) / steps[m].reduce((x, y) => x + y, 0),
    steps: steps[m].length,
  });
  const [plain, constrained, plainB] = [tps('plain'), tps('constrained'), tps('plainB')];
  const host = hostInfo();
  const result = {
    host,
    model: {
      dir: modelDir,
      vocab: spec.vocabSize,
      hidden: spec.hiddenSize,
      layers: spec.numLayers,
      adapters: adapterIds,
    },
    rows,
    waves,
    maxTokens,
    maskMs: { p50: mask.p50Ms, p99: mask.p99Ms, tokens: mask.tokens },
    fullBatchDecodeTokPerS: { plain, constrained, plainB },
    ratio: constrained.median / plain.median,
    noiseRatio: plainB.median / plain.median,
    largeVocabMask: large,
    endToEnd: {
      plainTokPerS: produced.plain / wall.plain,
      constrainedTokPerS: produced.constrained / wall.constrained,
      plainBTokPerS: produced.plainB / wall.plainB,
    },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `\n| rows | mask p50 ms | mask p99 ms | plain tok/s | constrained tok/s | constrained / plain | plain again / plain (noise) |\n|---|---|---|---|---|---|---|\n` +
      `| ${rows} | ${mask.p50Ms.toFixed(4)} | ${mask.p99Ms.toFixed(4)} | ${plain.median.toFixed(0)} | ${constrained.median.toFixed(0)} | ${result.ratio.toFixed(3)} | ${result.noiseRatio.toFixed(3)} |`,
  );
  console.log(
    `\nmask only, synthetic byte-level vocab V = ${large.vocab}: grammar mask p50 ${large.maskMs.p50.toFixed(3)} ms, ` +
      `p99 ${large.maskMs.p99.toFixed(3)} ms; applying it to the logits p50 ${large.applyMs.p50.toFixed(3)} ms ` +
      `(${large.tokens} tokens, vocabulary preprocessing ${large.setupMs.toFixed(0)} ms, first compile ${large.compileMs.toFixed(1)} ms)`,
  );
  if (a.json) writeFileSync(a.json, JSON.stringify(result, null, 2));
}

/**
 * The grammar alone at a realistic vocabulary size (no model: the benches' models have tiny or
 * id-only vocabularies): a synthetic byte-level vocabulary (every printable ASCII character, then
 * random 2..8-character pieces, a third with a leading space), random walks through SCHEMA picking
 * uniformly among the allowed tokens.
 */
async function maskOnly(V: number, walks: number) {
  const rng = new Prng(5);
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  const pieces = new Set<string>(printable.map((c) => c.replace(' ', 'Ġ')));
  const letters = 'etaoinshrdlucmfwypvbgkqjxz0123456789{}[]":,_-.';
  while (pieces.size < V - 1) {
    const n = 2 + Math.floor(rng.next() * 7);
    let t = rng.next() < 0.33 ? 'Ġ' : '';
    for (let i = 0; i < n; i++) t += letters[Math.floor(rng.next() * rng.next() * letters.length)];
    pieces.add(t);
  }
  const encoded = ['', ...pieces]; // id 0: end of sequence
  let t0 = performance.now();
  const engine = await ConstraintEngine.create({ encoded, vocabType: 'byte_level' }, [0]);
  const setupMs = performance.now() - t0;
  const spec: ConstraintSpec = { type: 'json_schema', schema: SCHEMA };
  t0 = performance.now();
  (await engine.open(spec, [0])).dispose();
  const compileMs = performance.now() - t0;
  const logits = new Float32Array(encoded.length).map(() => rng.next());
  const apply: number[] = [];
  for (let w = 0; w < walks; w++) {
    const row = await engine.open(spec, [0]);
    for (let step = 0; step < 64; step++) {
      const mask = await row.mask();
      const t1 = performance.now();
      applyMask(logits, mask);
      apply.push(performance.now() - t1);
      const ok: number[] = [];
      for (let id = 0; id < encoded.length; id++) if ((mask[id >> 5]! >>> (id & 31)) & 1) ok.push(id);
      const pick = ok[Math.floor(rng.next() * ok.length)]!;
      row.accept(pick);
      if (pick === 0) break;
    }
    row.dispose();
  }
  const m = engine.maskTimes.stats();
  return {
    vocab: encoded.length,
    tokens: m.tokens,
    setupMs,
    compileMs,
    maskMs: { p50: m.p50Ms, p99: m.p99Ms },
    applyMs: { p50: percentile(apply, 50), p99: percentile(apply, 99) },
  };
}

async function run(engine: EngineClient, req: GenerateRequest): Promise<{ tokens: number; finish: string }> {
  let tokens = 0;
  for await (const e of engine.generate(req)) {
    if (e.type === 'token') tokens++;
    else if (e.type === 'done') return { tokens, finish: e.finishReason };
    else throw new Error(`${req.id}: ${e.error.message}`);
  }
  throw new Error(`${req.id}: stream ended without done`);
}

function hostInfo(): Record<string, unknown> {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const flags = sh('sh', ['-c', "lscpu | grep -E '^Flags'"]);
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    avx512: /avx512f/.test(flags),
    vnni: /avx512_vnni|avx_vnni/.test(flags),
    commit: sh('git', ['rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['status', '--porcelain', '--untracked-files=no']) !== '',
    node: process.version,
  };
}

await main();
