// The short fuzz run of npm test (the long one: npm run fuzz): a few hundred hostile requests
// across every route and a hundred WebSocket frames, with a fixed seed; see test/support/fuzzRun.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './support/fuzzRun.ts';

test('fuzz (short): no 5xx, no stack trace, OpenAI-shaped errors, no pollution, still serving afterwards', async () => {
  const report = await runFuzz({ requests: 200, wsFrames: 60, bounds: 8, seed: 19 });
  assert.ok(report.routes >= 45, `every route is fuzzed (${report.routes})`);
  assert.deepEqual(report.failures, []);
  assert.equal(report.bounds.tried, 8);
  assert.ok((report.byStatus['200'] ?? 0) > 0 && (report.byStatus['400'] ?? 0) > 0, JSON.stringify(report.byStatus));
});
