// Span matching (infini-gram style) cost: the persisted index built one document at a time as
// uploads arrive, its size per million tokens, and the time of one answer's span search.
//
//   npm run bench:spans                                   # 1M tokens, 300-token documents
//   npm run bench:spans -- --tokens 4000000 --queries 400
//   npm run bench:spans -- --worker                   # merges past 2^16 tokens on the worker thread (as served)
//
// Corpus: seeded Zipf(1.0) token ids over a 32000-token vocabulary (the shape of natural-language
// token frequencies), documents of 300 tokens. Answers: 128 tokens, either fresh Zipf draws (no
// copy, the common case) or with a 32-token run copied from a random document planted in the middle.
// Prints one JSON object (machine, commit, figures).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSegment, SpanIndex, workerSegmentMerger } from '../attribution/index.ts';
import { mulberry32 } from '../common/index.ts';
import { machineInfo } from './machineInfo.ts';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '1000000' },
    'doc-tokens': { type: 'string', default: '300' },
    queries: { type: 'string', default: '200' },
    'min-tokens': { type: 'string', default: '8' },
    /** Run merges past 2^16 tokens on the worker thread, as the server does. */
    worker: { type: 'boolean', default: false },
  },
});
const TOKENS = Number(values.tokens);
const DOC = Number(values['doc-tokens']);
const QUERIES = Number(values.queries);
const MIN = Number(values['min-tokens']);
const VOCAB = 32_000;

const rand = mulberry32(42);
// Zipf(1) by inverse CDF over the harmonic weights
const cdf = new Float64Array(VOCAB); // [V]
let acc = 0;
for (let r = 0; r < VOCAB; r++) cdf[r] = acc += 1 / (r + 1);
const zipf = (): number => {
  const u = rand() * acc;
  let lo = 0;
  let hi = VOCAB - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const docs = Array.from({ length: Math.ceil(TOKENS / DOC) }, (_, k) => ({
  docId: `0x${k.toString(16).padStart(64, '0')}`,
  datanet: 'bench',
  tokens: Array.from({ length: DOC }, zipf),
}));
const text = new Map(docs.map((d) => [d.docId, d.tokens.join(' ')]));

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (x: number, d = 3): number => Number(x.toFixed(d));

const dir = mkdtempSync(join(tmpdir(), 'loraledger-bench-spans-'));
try {
  const path = join(dir, 'spans.sqlite');
  const index = new SpanIndex({
    path,
    tokenize: (t) => t.split(' ').map(Number),
    tokenizerId: 'bench',
    merger: values.worker ? workerSegmentMerger() : undefined,
  });
  const addMs: number[] = [];
  const t0 = performance.now();
  for (const d of docs) {
    const t = performance.now();
    index.add({ docId: d.docId, datanet: d.datanet, text: text.get(d.docId)! });
    addMs.push(performance.now() - t);
  }
  const addsS = (performance.now() - t0) / 1000;
  await index.idle(); // background merges finish
  const buildS = (performance.now() - t0) / 1000;
  const stats = index.stats();

  const t1 = performance.now();
  buildSegment(docs);
  const oneShotS = (performance.now() - t1) / 1000;

  const answers = Array.from({ length: QUERIES }, (_, q) => {
    const a = Array.from({ length: 128 }, zipf);
    if (q % 2 === 1) {
      const src = docs[Math.floor(rand() * docs.length)]!;
      const at = Math.floor(rand() * (DOC - 32));
      a.splice(48, 32, ...src.tokens.slice(at, at + 32));
    }
    return a;
  });
  for (const answer of answers.slice(0, 10)) index.match({ answer, datanets: ['bench'], minTokens: MIN }); // warm-up
  const fresh: number[] = [];
  const copied: number[] = [];
  let found = 0;
  for (const [q, answer] of answers.entries()) {
    const t = performance.now();
    const m = index.match({ answer, datanets: ['bench'], minTokens: MIN });
    (q % 2 ? copied : fresh).push(performance.now() - t);
    if (q % 2 === 1 && m.some((d) => d.longest >= 32)) found++;
  }
  await index.close();
  const diskBytes = statSync(path).size; // after close: the WAL is checkpointed; includes pages freed by merges
  const perM = 1e6 / stats.tokens;
  console.log(
    JSON.stringify(
      {
        machine: await machineInfo(new URL('..', import.meta.url).pathname),
        command: `npm run bench:spans -- --tokens ${TOKENS} --doc-tokens ${DOC} --queries ${QUERIES} --min-tokens ${MIN}${values.worker ? ' --worker' : ''}`,
        corpus: { tokens: stats.tokens, documents: stats.documents, vocab: VOCAB, zipf: 1.0 },
        build: {
          incremental_total_s: round(buildS),
          adds_returned_s: round(addsS),
          merges_on_worker: values.worker,
          add_ms: {
            p50: round(quantile(addMs, 0.5)),
            p99: round(quantile(addMs, 0.99)),
            max: round(Math.max(...addMs)),
          },
          one_segment_at_once_s: round(oneShotS),
          segments: stats.segments,
        },
        size: {
          memory_bytes: stats.bytes,
          memory_mb_per_million_tokens: round((stats.bytes * perM) / 1e6, 2),
          disk_bytes: diskBytes,
          disk_mb_per_million_tokens: round((diskBytes * perM) / 1e6, 2),
        },
        query_ms_128_tokens: {
          no_copy: { p50: round(quantile(fresh, 0.5)), p99: round(quantile(fresh, 0.99)) },
          with_32_token_copy: { p50: round(quantile(copied, 0.5)), p99: round(quantile(copied, 0.99)) },
          copies_found: `${found}/${copied.length}`,
        },
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
