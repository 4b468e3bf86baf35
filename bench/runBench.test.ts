import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineRounds } from './runBench.ts';
import type { ScenarioResult } from './report/reportTypes.ts';

const run = (
  name: string,
  tok: number,
  ratio: number | null,
  status: ScenarioResult['status'] = 'ok',
): ScenarioResult =>
  ({
    name,
    system: 'loraledger',
    status,
    throughput_tok_s: tok,
    ratio_to_base: ratio,
    notes: [],
  }) as unknown as ScenarioResult;

test('combineRounds: one round passes through unchanged', () => {
  const r = [run('base-32-streams', 100, 1), run('zipf-32-adapters', 70, 0.7)];
  assert.deepEqual(combineRounds([r]), r);
});

test('combineRounds: median-throughput round shown, ratio = median of the per-round (paired) ratios', () => {
  // Round 2's machine was slow for both runs: its paired ratio is still 0.8.
  const rounds = [
    [run('base-32-streams', 100, 1), run('zipf-32-adapters', 78, 0.78)],
    [run('base-32-streams', 60, 1), run('zipf-32-adapters', 48, 0.8)],
    [run('base-32-streams', 90, 1), run('zipf-32-adapters', 81, 0.9)],
  ];
  const [base, zipf] = combineRounds(rounds);
  assert.equal(base!.throughput_tok_s, 90);
  assert.equal(zipf!.throughput_tok_s, 78); // median of 78, 48, 81
  assert.equal(zipf!.ratio_to_base, 0.8); // median of 0.78, 0.8, 0.9 (not 78 / 90)
  assert.match(zipf!.notes.at(-1)!, /3 of 3 rounds ok.*78\.0 \(0\.78x\) \/ 48\.0 \(0\.80x\) \/ 81\.0 \(0\.90x\)/);
});

test('combineRounds: failed rounds are left out; an even count averages the middle ratios', () => {
  const rounds = [
    [run('zipf-32-adapters', 70, 0.7)],
    [run('zipf-32-adapters', 0, null, 'failed')],
    [run('zipf-32-adapters', 80, 0.8)],
  ];
  const [zipf] = combineRounds(rounds);
  assert.equal(zipf!.throughput_tok_s, 70); // lower middle of two
  assert.ok(Math.abs(zipf!.ratio_to_base! - 0.75) < 1e-12);
  assert.match(zipf!.notes.at(-1)!, /2 of 3 rounds ok/);
  const allFailed = combineRounds([[run('x', 0, null, 'failed')], [run('x', 0, null, 'failed')]]);
  assert.equal(allFailed[0]!.status, 'failed');
});
