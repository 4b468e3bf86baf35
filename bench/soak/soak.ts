// `npm run soak [-- --minutes 10 --clients 256 --out DIR --chart docs/soak.svg --profile full]`
// (`--server-node-arg --cpu-prof`, repeatable, passes a flag to the server's node):
// the issue-19 soak on the embedded default (bench/soak/runSoak.ts), its verdicts printed, the
// figures written to <out>/soak.json and the chart (RSS and latency over time) to --chart.
// Exits 1 when a requirement fails. The full model build is kept in --cache-dir (default
// .loraledger, the server's own) so that a second run starts in seconds.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { runSoak } from './runSoak.ts';
import { soakChart } from './soakChart.ts';

const { values: a } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '256' },
    profile: { type: 'string', default: 'full' },
    'cache-dir': { type: 'string', default: '.loraledger' },
    out: { type: 'string' },
    chart: { type: 'string', default: 'docs/soak.svg' },
    seed: { type: 'string', default: '19' },
    'server-node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const out = a.out ?? mkdtempSync(join(tmpdir(), 'loraledger-soak-'));
mkdirSync(out, { recursive: true });
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
const result = await runSoak({
  clients: Number(a.clients),
  seconds: Number(a.minutes) * 60,
  profile: a.profile as 'full' | 'quick',
  cacheDir: a['cache-dir']!,
  dataDir: join(out, 'data'),
  logFile: join(out, 'server.log'),
  maxBatchSize: 32,
  maxQueue: 256,
  maxTokens: [16, 64],
  seed: Number(a.seed),
  progress: (line) => console.log(line),
  serverNodeArgs: a['server-node-arg'],
});
writeFileSync(join(out, 'soak.json'), JSON.stringify(result, null, 2));
mkdirSync(dirname(a.chart!), { recursive: true });
writeFileSync(
  a.chart!,
  soakChart(
    result,
    `${a.clients} streaming clients, ${a.minutes} min, embedded default (${a.profile}), commit ${commit}; ${result.ok} requests served, ${result.records.acknowledged} records settled ${result.records.settled}`,
  ),
);
const { samples: _s, ...summary } = result;
console.log(
  JSON.stringify(
    { ...summary, options: undefined, records: { ...result.records, missing: result.records.missing.length } },
    null,
    2,
  ),
);
for (const [k, v] of Object.entries(result.verdicts)) console.log(`${v ? 'PASS' : 'FAIL'}  ${k}`);
console.log(`figures: ${join(out, 'soak.json')}; chart: ${a.chart}`);
process.exit(Object.values(result.verdicts).every(Boolean) ? 0 : 1);
