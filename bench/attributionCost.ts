// Inline attribution cost against the generation it attributes (issue 17, "attribution cheaper than
// the answer"), on the embedded default as a user meets it:
//   base loraledger-demo + the `dermatology` adapter, a DataNet of the first --docs documents of
//   `dermatology-notes`, chat prompts with `rag` top_k k (the first --questions of the domain's
//   routing questions for which BM25 finds k passages),
//   greedy --max-tokens answers (ignore_eos, so every answer has that length).
// Per question and top_k, in one process and one run:
//   generation  engine.generate of the augmented, templated prompt until the last token
//   attribution AttributionService.attribute (inline: score every variant, shares, fees, record,
//               sign, outbox append) on that answer, reading the generation's retained keys/values
//               (what the server does: GenerateRequest.retainKv, ScoreOptions.reuseKvOf)
//   no reuse    the same attribution again, feeding every token (the generation's keys/values are
//               taken by then): the figure before retention
//   floor       engine.score of the full prompt + answer under the adapter and under the base model
//               alone (what every method that reports the adapter's influence scores at least)
// The "before" figures come from the same script run on a checkout before prefix sharing.
//
//   npm run bench:attribution -- [--embedded-dir DIR | --cache-dir DIR] [--top-k 2,4,6,8]
//     [--questions 4] [--max-tokens 32] [--docs 12]
// Prints one JSON report (host, commit, load, per top_k medians). Wall-clock ratios move with other
// load on a shared host; the CPU-time ratio (process.cpuUsage over every thread) moves much less.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AttributionService,
  DatanetStore,
  Outbox,
  Retriever,
  augmentPrompt,
  createRecordSigner,
  eip712Domain,
  signAndAppend,
  validateFeeConfig,
} from '../attribution/index.ts';
import { DEMO_DOMAINS, EMBEDDED_MODEL_NAME, ensureEmbeddedDefault } from '../factory/index.ts';
import { startEngine, type ScoreOptions, type ScoreStats, type ScoreVariant } from '../kernels/index.ts';
import { loadTokenizer } from '../kernels/model/index.ts';
import { embeddedWiring } from '../server/integrations.ts';
import { machineInfo } from './machineInfo.ts';
import { percentile } from './stats.ts';

const median = (x: number[]) => percentile(x, 50);
/** CPU milliseconds of this process (every thread: main, engine worker, onnxruntime's pool) since `from`. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

const { values } = parseArgs({
  options: {
    'embedded-dir': { type: 'string' },
    'cache-dir': { type: 'string' },
    'top-k': { type: 'string', default: '2,4,6,8' },
    questions: { type: 'string', default: '4' },
    'max-tokens': { type: 'string', default: '32' },
    docs: { type: 'string', default: '12' },
    adapter: { type: 'string', default: 'dermatology' },
  },
});
const tmp = mkdtempSync(join(tmpdir(), 'bench-attribution-'));
type Seed = { id: string; documents: Array<{ text: string; contributor: string }> };
const dir = values['embedded-dir'];
const embedded = dir
  ? {
      modelDir: join(dir, EMBEDDED_MODEL_NAME),
      adaptersDir: join(dir, 'adapters'),
      datanets: JSON.parse(readFileSync(join(dir, 'datanets.json'), 'utf8')) as Seed[],
    }
  : await ensureEmbeddedDefault(values['cache-dir'] ?? join(tmp, 'cache'), { ...embeddedWiring, profile: 'full' });
const { modelDir } = embedded;
const domain = DEMO_DOMAINS.find((d) => d.id === values.adapter);
if (!domain) throw new Error(`--adapter ${values.adapter}: not a demo domain`);
const maxTokens = Number(values['max-tokens']);
const topKs = values['top-k']!.split(',').map(Number);

const tok = await loadTokenizer(modelDir);
const engine = await startEngine({
  modelDir,
  precision: 'fp32',
  provider: 'cpu',
  loraKernel: 'grouped',
  maxLoraRank: 16,
  maxActiveAdapters: 2,
  maxCachedAdapters: 2,
  maxCachedAdapterBytes: 1 << 30,
  maxBatchSize: 32,
  maxBatchTokens: 2048,
  maxQueue: 64,
  maxModelLen: 1024,
  cacheDir: join(tmp, 'graphs'),
  threads: 0,
});
await engine.registerAdapters([{ id: domain.id, path: join(embedded.adaptersDir, domain.id) }]);

const seed = (embedded.datanets as Seed[]).find((s) => s.id === domain.datanet)!;
const store = new DatanetStore(join(tmp, 'datanets.sqlite'));
const outbox = new Outbox(join(tmp, 'outbox.sqlite'));
store.createDatanet({ id: 'bench' });
for (const d of seed.documents.slice(0, Number(values.docs)))
  store.addDocument({ datanet: 'bench', text: d.text, contributor: d.contributor });

const tokenizer = {
  encode: (t: string) => tok.encode(t),
  applyChatTemplate: (m: Parameters<typeof tok.applyChatTemplate>[0]) => tok.applyChatTemplate(m),
};
/** Counts the variants and tokens the service asks the engine to score. */
let scored = { variants: 0, promptTokens: 0, ms: 0, active: 0, since: 0 };
const scorer = {
  async score(variants: ScoreVariant[], options?: ScoreOptions) {
    scored.variants += variants.length;
    scored.promptTokens += variants.reduce((n, v) => n + v.promptIds.length, 0);
    // wall time while any score call is in flight (the service overlaps two of them)
    if (scored.active++ === 0) scored.since = performance.now();
    try {
      return await engine.score(variants, options);
    } finally {
      if (--scored.active === 0) scored.ms += performance.now() - scored.since;
    }
  },
};
const common = {
  retriever: new Retriever(store),
  sink: signAndAppend(
    createRecordSigner(
      '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
      eip712Domain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3'),
    ),
    outbox,
  ),
  tokenizer,
  model: EMBEDDED_MODEL_NAME,
  adapterOwner: () => domain.owner,
  fees: validateFeeConfig({
    promptPricePer1k: '1000',
    completionPricePer1k: '1000',
    split: { model: 500_000, adapter: 200_000, data: 300_000 },
  }),
};
const service = new AttributionService({ ...common, scorer });

/** The engine's scoring counters, once the worker's stats message after the last call has arrived. */
async function scoreStats(): Promise<ScoreStats> {
  await new Promise((r) => setTimeout(r, 5));
  return engine.stats().score ?? { fedTokens: 0, reusedTokens: 0, reuseMisses: 0, calls: 0 };
}

const questions = Number(values.questions);
let n = 0;
const rows = [];
for (const topK of topKs) {
  const gen: number[] = [];
  const att: number[] = [];
  const floor: number[] = [];
  const plain: number[] = [];
  const fed = { reuse: 0, plain: 0 };
  const genCpu: number[] = [];
  const attCpu: number[] = [];
  let method = '';
  let promptTokens = 0;
  scored = { variants: 0, promptTokens: 0, ms: 0, active: 0, since: 0 };
  let asked = 0;
  for (const q of domain.routingQuestions) {
    if (asked === questions) break;
    const parts = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: q }] };
    const passages = await service.retrieve(parts, { datanets: ['bench'], topK });
    if (passages.length < topK) continue; // BM25 returns only passages sharing a word with the question
    asked++;
    const augmented = augmentPrompt(parts, passages);
    const promptIds = tok.applyChatTemplate(augmented.kind === 'chat' ? augmented.messages : []);
    promptTokens += promptIds.length;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const outputIds: number[] = [];
    for await (const e of engine.generate({
      id: `g${n}`,
      promptIds,
      adapterId: domain.id,
      maxTokens,
      sampling: { temperature: 0, topP: 1, topK: 0 },
      stopTokenIds: [],
      ignoreEos: true,
      retainKv: true,
    })) {
      if (e.type === 'token') outputIds.push(e.tokenId);
      if (e.type === 'error') throw new Error(e.error.message);
    }
    gen.push(performance.now() - t0);
    genCpu.push(cpuMs(c0));
    const req = {
      requestId: `r${n++}`,
      parts,
      passages,
      adapterId: domain.id,
      servedPromptIds: promptIds,
      outputIds,
      outputText: tok.decode(outputIds),
      usage: { promptTokens: promptIds.length, completionTokens: outputIds.length },
    };
    const s0 = await scoreStats();
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const r = await service.attribute({ ...req, retainedKv: `g${n - 1}` });
    att.push(performance.now() - t1);
    attCpu.push(cpuMs(c1));
    const s1 = await scoreStats();
    const t3 = performance.now();
    await service.attribute({ ...req, requestId: `${req.requestId}-plain` });
    plain.push(performance.now() - t3);
    const s2 = await scoreStats();
    fed.reuse += s1.fedTokens - s0.fedTokens;
    fed.plain += s2.fedTokens - s1.fedTokens;
    if (s1.reusedTokens === s0.reusedTokens) throw new Error('the scoring read none of the retained keys/values');
    // The floor of any method that reports the adapter's influence: v(all passages) under the adapter
    // and under the base model, two full prompts that share no keys/values (LoRA changes them).
    const t2 = performance.now();
    await engine.score([
      { promptIds, targetIds: outputIds, adapterId: domain.id },
      { promptIds, targetIds: outputIds, adapterId: null },
    ]);
    floor.push(performance.now() - t2);
    method = r.method;
  }
  const ratios = att.map((a, i) => a / gen[i]!);
  rows.push({
    topK,
    method,
    questions: asked,
    promptTokensMean: Math.round(promptTokens / asked),
    variantsPerRequest: scored.variants / (2 * asked),
    generationMsP50: +median(gen).toFixed(1),
    attributionMsP50: +median(att).toFixed(1),
    attributionOverGenerationP50: +median(ratios).toFixed(3),
    cpuAttributionOverGenerationP50: +median(attCpu.map((a, i) => a / genCpu[i]!)).toFixed(3),
    engineScoreShareOfAttribution: +(scored.ms / [...att, ...plain].reduce((a, b) => a + b, 0)).toFixed(3),
    fedTokensPerRequest: { reuse: Math.round(fed.reuse / asked), noReuse: Math.round(fed.plain / asked) },
    noReuseAttributionMsP50: +median(plain).toFixed(1),
    noReuseAttributionOverGenerationP50: +median(plain.map((a, i) => a / gen[i]!)).toFixed(3),
    fullPromptPairOverGenerationP50: +median(floor.map((f, i) => f / gen[i]!)).toFixed(3),
  });
  console.error(JSON.stringify(rows[rows.length - 1]));
}
console.log(
  JSON.stringify(
    {
      host: await machineInfo(new URL('..', import.meta.url).pathname),
      loadavg: loadavg(),
      command: `npm run bench:attribution -- ${process.argv.slice(2).join(' ')}`,
      setup: { model: EMBEDDED_MODEL_NAME, modelDir, adapter: domain.id, docs: values.docs, maxTokens },
      rows,
    },
    null,
    2,
  ),
);
await engine.close();
store.close();
outbox.close();
rmSync(tmp, { recursive: true, force: true });
