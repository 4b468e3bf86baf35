// npm run fuzz [-- --requests N --ws-frames N --bounds N --seed S]: the long fuzz run (10,000 hostile HTTP
// requests across every route and 1,000 WebSocket frames by default; test/support/fuzzRun.ts).
// Exits 1 and lists each distinct failure (5xx, stack trace, wrong error shape, pollution).
import { parseArgs } from 'node:util';
import { runFuzz } from './support/fuzzRun.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    'ws-frames': { type: 'string', default: '1000' },
    bounds: { type: 'string', default: '500' },
    seed: { type: 'string', default: '19' },
  },
});
const report = await runFuzz({
  requests: Number(values.requests),
  wsFrames: Number(values['ws-frames']),
  bounds: Number(values.bounds),
  seed: Number(values.seed),
  onSlow: (w) => console.error(w.slice(0, 400)),
});
console.log(JSON.stringify({ ...report, failures: report.failures.length }, null, 1));
for (const f of report.failures) console.log(`FAIL ${f.problem}\n     ${f.request}`);
process.exit(report.failures.length === 0 ? 0 : 1);
