import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, effectiveScenario, findScenario, validateScenario, type ScenarioDef } from './scenarios.ts';
import { buildWorkload } from './workload.ts';

test('every scenario definition is valid, uniquely named, and its baseline exists and is base-only', () => {
  const names = new Set<string>();
  for (const s of SCENARIOS) {
    validateScenario(s);
    assert.ok(!names.has(s.name), `duplicate scenario ${s.name}`);
    names.add(s.name);
  }
  for (const s of SCENARIOS) {
    if (s.baseline === null) continue;
    const b = findScenario(s.baseline);
    assert.equal(b.adapters, null, `${s.name}'s baseline ${b.name} has no adapters`);
    assert.equal(b.streams, s.streams, `${s.name}'s baseline has the same number of streams`);
  }
  const quick = SCENARIOS.filter((s) => s.quick).map((s) => s.name);
  for (const n of ['single-stream-base', 'mixed-32-adapters']) assert.ok(quick.includes(n));
  const m = findScenario('mixed-32-adapters');
  assert.equal(m.streams, 32);
  assert.equal(m.adapters?.count, 32);
  assert.deepEqual(m.adapters?.ranks, [16]);
  assert.equal(m.adapters?.targets.length, 7);
  assert.equal(m.model, 'smollm-135m');
});

test('validation names the scenario and the field', () => {
  const good = findScenario('mixed-32-adapters');
  const broken = (patch: Partial<ScenarioDef>): ScenarioDef => ({ ...structuredClone(good), ...patch });
  assert.throws(
    () => validateScenario(broken({ streams: 0 })),
    /mixed-32-adapters: streams must be a positive integer/,
  );
  assert.throws(() => validateScenario(broken({ requests: 4 })), /requests \(4\) must be at least streams/);
  assert.throws(() => validateScenario(broken({ adapters: { ...good.adapters!, ranks: [] } })), /adapters\.ranks/);
  assert.throws(() => validateScenario(broken({ adapters: { ...good.adapters!, coldShare: 1 } })), /coldShare/);
  assert.throws(() => validateScenario(broken({ name: 'Bad Name' })), /name must be lower-case/);
  assert.throws(() => findScenario('nope'), /unknown scenario "nope"; known: single-stream-base/);
});

test('flags override fields, quick mode shrinks runs, and overrides are recorded', () => {
  const def = findScenario('mixed-32-adapters');
  const { scenario, overridden } = effectiveScenario(def, true, { streams: 8, adapterCount: 4 });
  assert.equal(scenario.streams, 8);
  assert.equal(scenario.adapters?.count, 4);
  assert.equal(scenario.maxTokens, def.quickOverrides.maxTokens);
  assert.deepEqual(overridden, ['streams', 'adapters.count']);
  assert.equal(def.adapters?.count, 32, 'the definition itself is untouched');
  assert.throws(() => effectiveScenario(def, false, { streams: -1 }), /streams must be a positive integer/);
});

test('workloads are seeded; round-robin gives each of 32 streams its own adapter; cold share adds fresh adapters', () => {
  const mixed = buildWorkload(findScenario('mixed-32-adapters'), 49152);
  assert.deepEqual(mixed, buildWorkload(findScenario('mixed-32-adapters'), 49152));
  assert.equal(new Set(mixed.requests.slice(0, 32).map((r) => r.adapter)).size, 32);
  assert.ok(mixed.requests.every((r) => r.promptIds.length === 16 && r.promptIds.every((t) => t >= 3 && t < 49152)));
  const zipf = buildWorkload(findScenario('zipf-adapters'), 49152);
  const cold = zipf.adapters.filter((a) => a.cold);
  assert.equal(cold.length, Math.ceil(128 * 0.05));
  const used = zipf.requests.map((r) => r.adapter!);
  const coldUsed = used.filter((i) => zipf.adapters[i]!.cold);
  assert.equal(new Set(coldUsed).size, coldUsed.length, 'each cold adapter is used once, on first sight');
  const hot = used.filter((i) => i === 0).length;
  const tail = used.filter((i) => i === 63).length;
  assert.ok(hot > tail, 'rank 1 is drawn more often than rank 64');
  const ranks = buildWorkload(findScenario('mixed-ranks'), 49152).adapters.map((a) => a.rank);
  assert.deepEqual(ranks.slice(0, 6), [8, 16, 64, 8, 16, 64]);
});
