// The embedded default as a newcomer meets it, measured (issue: "an embedded default that shows the
// whole loop"):
//   1. timing: `npm start` (server/cli.ts, no model flags) on an empty --cache-dir until /health is
//      ready (the first start builds everything), then again on the same cache (second start);
//   2. transcripts: three requests to that server, printed as sent and as answered;
//   3. routing: `model: "auto"` on every held-out routing question (x-loraledger-adapter header);
//   4. copying from context: each domain's held-out questions with `rag` on the domain's DataNet,
//      greedy: does the answer copy a span of a retrieved passage, and is it the reference answer
//      (and, without RAG, how many of the adapters' own training questions come back word for word);
//   5. domain fit: held-out loss (nats per answer/text token) of the base model and of every
//      adapter on every domain's held-out documents (the training graph's forward, no gradients);
//   6. the planted-evidence experiment (test/support/plantedEvidence.ts) on the demo base model.
//
//   npm run bench:demo -- [--profile full|quick] [--cache-dir DIR] [--cases 50] [--out FILE]
// Prints a JSON report (host, commit, figures) and the transcripts in Markdown (also to --out).
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAdapterWeights, readAdapterMeta } from '../adapters/index.ts';
import { documentId } from '../attribution/index.ts';
import { DEMO_DOMAINS, EMBEDDED_DEFAULT_VERSION, EMBEDDED_MODEL_NAME, documentRow } from '../factory/index.ts';
import { buildTrainExamples, type TrainExample } from '../factory/train/trainExamples.ts';
import { meanLoss } from '../factory/train/trainLoop.ts';
import { TrainingSession, type LoraTarget } from '../kernels/index.ts';
import { loadModelSpec, loadTokenizer } from '../kernels/model/index.ts';
import { plantedOnDemoBase } from '../test/support/plantedEvidence.ts';
import { compactJson } from './report/compactJson.ts';
import { longestSharedRun } from './report/sharedRun.ts';
import { demoTrainingAnswers } from './probes/demoTrainingAnswers.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'full' },
    'cache-dir': { type: 'string' },
    cases: { type: 'string', default: '50' },
    out: { type: 'string' },
  },
});
const profile = values.profile as 'full' | 'quick';
const repo = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'bench-demo-'));
const cacheDir = values['cache-dir'] ?? join(tmp, 'cache');
const root = join(cacheDir, 'embedded', EMBEDDED_DEFAULT_VERSION, profile);
const modelDir = join(root, EMBEDDED_MODEL_NAME);

/** `npm start` as a user runs it; resolves with the base URL once /health answers 200. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; base: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', 'server/cli.ts', '--port', '0', '--cache-dir', cacheDir, '--data-dir', dataDir],
      ...['--chain', 'off', '--embedded-profile', profile, '--log-level', 'info'],
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const base = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${buf.slice(-2000)}`)));
  });
  while ((await fetch(`${base}/health`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
  return { child, base, seconds: (performance.now() - started) / 1000 };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function post(base: string, path: string, body: unknown) {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
  return { json, adapter: r.headers.get('x-loraledger-adapter') };
}

// --- 1. timing ---------------------------------------------------------------------------------
const first = await startServer(join(tmp, 'data-1'));
await stop(first.child);
const second = await startServer(join(tmp, 'data-2'));
const { base } = second;

// --- 2. transcripts ----------------------------------------------------------------------------
const QUESTION = 'What does this rash indicate?';
const transcripts: Array<{ title: string; request: unknown; adapter: string | null; response: unknown }> = [];
for (const [title, request] of [
  [
    '`auto` routes a dermatology question to the `dermatology` adapter',
    { model: 'auto', messages: [{ role: 'user', content: QUESTION }], max_tokens: 48, temperature: 0 },
  ],
  [
    'The same question on the base model',
    { model: EMBEDDED_MODEL_NAME, messages: [{ role: 'user', content: QUESTION }], max_tokens: 48, temperature: 0 },
  ],
  [
    'RAG on the dermatology DataNet: the retrieved passages, scored by Shapley, name and pay their contributors (and the adapter its owner)',
    {
      model: 'auto',
      messages: [{ role: 'user', content: QUESTION }],
      max_tokens: 48,
      temperature: 0,
      rag: { datanets: ['dermatology-notes'], top_k: 3 },
      attribution: 'inline',
    },
  ],
] as const) {
  const r = await post(base, '/v1/chat/completions', request);
  transcripts.push({ title, request, adapter: r.adapter, response: r.json });
}

// --- 3. routing --------------------------------------------------------------------------------
const routing: Record<string, { correct: number; total: number; wrong: Array<{ q: string; got: string | null }> }> = {};
for (const d of DEMO_DOMAINS) {
  const r = (routing[d.id] = { correct: 0, total: 0, wrong: [] as Array<{ q: string; got: string | null }> });
  for (const q of d.routingQuestions) {
    const { adapter } = await post(base, '/v1/chat/completions', {
      model: 'auto',
      messages: [{ role: 'user', content: q }],
      max_tokens: 1,
    });
    r.total++;
    if (adapter === d.id) r.correct++;
    else r.wrong.push({ q, got: adapter });
  }
}

// --- 4. copying from context -------------------------------------------------------------------
const COPY_RUN = 6;
const trainingQuestions = await demoTrainingAnswers(base);
const copying: Record<string, Record<string, number>> = {};
const textById = new Map<string, string>();
for (const d of DEMO_DOMAINS) for (const doc of d.documents) textById.set(documentId(d.datanet, doc.text), doc.text);
for (const d of DEMO_DOMAINS) {
  const qa = d.heldOut.filter((doc) => doc.metadata);
  const c = (copying[d.id] = { questions: qa.length, ragCopies: 0, ragExact: 0, plainExact: 0, baseRagCopies: 0 });
  for (const doc of qa) {
    const [user, assistant] = doc.metadata!.messages;
    const ask = (model: string, rag: boolean) =>
      post(base, '/v1/chat/completions', {
        model,
        messages: [{ role: 'user', content: user!.content }],
        max_tokens: 48,
        temperature: 0,
        ...(rag ? { rag: { datanets: [d.datanet], top_k: 3 }, attribution: 'inline' } : {}),
      });
    const copies = (r: Awaited<ReturnType<typeof ask>>) => {
      const answer = r.json.choices[0].message.content as string;
      const passages = (r.json.attribution?.sources ?? []).map((s: { doc_id: string }) => textById.get(s.doc_id) ?? '');
      return passages.some((p: string) => longestSharedRun(answer, p) >= COPY_RUN);
    };
    const withRag = await ask(d.id, true);
    if (copies(withRag)) c.ragCopies++;
    if ((withRag.json.choices[0].message.content as string).trim() === assistant!.content.trim()) c.ragExact++;
    const plain = await ask(d.id, false);
    if ((plain.json.choices[0].message.content as string).trim() === assistant!.content.trim()) c.plainExact++;
    if (copies(await ask(EMBEDDED_MODEL_NAME, true))) c.baseRagCopies++;
  }
}
await stop(second.child);

// --- 5. domain fit -----------------------------------------------------------------------------
const tok = await loadTokenizer(modelDir);
const spec = await loadModelSpec(modelDir);
const heldOut: TrainExample[][] = DEMO_DOMAINS.map(
  (d) =>
    buildTrainExamples(
      d.heldOut.map((doc) =>
        documentRow({ docId: doc.id, text: doc.text, metadata: (doc.metadata ?? {}) as Record<string, unknown> }),
      ),
      tok,
      { contextLength: spec.maxPositions, overflow: 'truncate' },
    ).examples,
);
const graphs = join(tmp, 'graphs');
const fit: Record<string, Record<string, number>> = {};
const baseSession = await TrainingSession.open({ modelDir, cacheDir: graphs, graph: {}, threads: 0 });
fit[EMBEDDED_MODEL_NAME] = {};
for (const [i, d] of DEMO_DOMAINS.entries())
  fit[EMBEDDED_MODEL_NAME]![d.id] = await meanLoss(baseSession, [], 0, heldOut[i]!, 16);
await baseSession.release();
for (const a of DEMO_DOMAINS) {
  const w = await loadAdapterWeights(readAdapterMeta(join(root, 'adapters', a.id), a.id), spec);
  const session = await TrainingSession.open({
    modelDir,
    cacheDir: graphs,
    graph: { lora: { rank: w.rank, targets: w.targets } },
    threads: 0,
  });
  const params = session.trainable.map((t) => {
    const m = /^lora_([ab])\.(\d+)\.(\w+)$/.exec(t.name)!;
    const pair = w.layers[Number(m[2])]!.get(m[3] as LoraTarget)!;
    return m[1] === 'a' ? pair.a : pair.b;
  });
  fit[a.id] = {};
  for (const [i, d] of DEMO_DOMAINS.entries())
    fit[a.id]![d.id] = await meanLoss(session, params, w.scale, heldOut[i]!, 16);
  await session.release();
}

// --- 6. planted evidence -----------------------------------------------------------------------
const planted = await plantedOnDemoBase({
  modelDir,
  graphsDir: graphs,
  cases: Number(values.cases),
  seedBase: 1000,
  bos: spec.bosTokenId ?? 0,
  model: EMBEDDED_MODEL_NAME,
});

const report = {
  bench: 'embedded-demo',
  profile,
  host: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
  commit: execSync('git rev-parse --short HEAD', { cwd: repo, encoding: 'utf8' }).trim(),
  firstStartSeconds: +first.seconds.toFixed(1),
  secondStartSeconds: +second.seconds.toFixed(1),
  routing: {
    accuracy: +(
      Object.values(routing).reduce((n, r) => n + r.correct, 0) /
      Object.values(routing).reduce((n, r) => n + r.total, 0)
    ).toFixed(3),
    perDomain: routing,
  },
  copying: { copyRunWords: COPY_RUN, perDomain: copying, trainingQuestions },
  domainFitNatsPerToken: Object.fromEntries(
    Object.entries(fit).map(([m, row]) => [
      m,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, +v.toFixed(3)])),
    ]),
  ),
  planted: {
    cases: planted.cases,
    shapleyTop1: +(planted.shapleyHits / planted.cases).toFixed(2),
    looTop1: +(planted.looHits / planted.cases).toFixed(2),
    marginNats: +planted.margin.toFixed(2),
  },
};
const markdown = transcripts
  .map(
    (t) =>
      `#### ${t.title}\n\n\`\`\`\nPOST /v1/chat/completions ${JSON.stringify(t.request)}\n\`\`\`\n\n` +
      `\`x-loraledger-adapter: ${t.adapter}\`\n\n\`\`\`json\n${compactJson(t.response)}\n\`\`\`\n`,
  )
  .join('\n');
console.log(JSON.stringify(report, null, 2));
console.log(markdown);
if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n\n' + markdown);
rmSync(tmp, { recursive: true, force: true });
