// The issue's performance targets, checked against a report (reported honestly, never asserted).
import type { ScenarioResult, TargetCheck } from './reportTypes.ts';
import type { SystemName } from '../scenarios.ts';

function usable(results: ScenarioResult[], scenario: string, system: SystemName): ScenarioResult | null {
  const r = results.find((x) => x.name === scenario && x.system === system);
  return r && r.status === 'ok' && r.greedy_check.pass !== false ? r : null;
}

function ratioTarget(results: ScenarioResult[], scenario: string, peer: SystemName, wanted: number): TargetCheck {
  const ours = usable(results, scenario, 'loraledger');
  const theirs = usable(results, scenario, peer);
  const target = `${scenario}: loraledger vs ${peer} tokens/s`;
  if (!ours || !theirs || theirs.throughput_tok_s <= 0) {
    const missing = !ours ? 'loraledger' : peer;
    return {
      target,
      wanted: `>= ${wanted}x`,
      measured: `not measured (${missing} run missing, failed or failed its greedy check)`,
      met: null,
    };
  }
  const ratio = ours.throughput_tok_s / theirs.throughput_tok_s;
  return {
    target,
    wanted: `>= ${wanted}x`,
    measured: `${ratio.toFixed(2)}x (${ours.throughput_tok_s.toFixed(1)} vs ${theirs.throughput_tok_s.toFixed(1)} tok/s)`,
    met: ratio >= wanted,
  };
}

/** Issue 4: an adapter scenario's tokens/s over the base-only run of the same shape, same system. */
function baseRatioTarget(results: ScenarioResult[], scenario: string, wanted: number): TargetCheck {
  const ours = usable(results, scenario, 'loraledger');
  const target = `${scenario}: loraledger tokens/s vs its base-only baseline${ours?.baseline ? ` (${ours.baseline})` : ''}`;
  if (!ours || ours.ratio_to_base === null) {
    return {
      target,
      wanted: `>= ${wanted}x`,
      measured: `not measured (${!ours ? 'run missing or failed' : 'baseline run missing or failed'})`,
      met: null,
    };
  }
  return {
    target,
    wanted: `>= ${wanted}x`,
    measured: `${ours.ratio_to_base.toFixed(2)}x (${ours.throughput_tok_s.toFixed(1)} tok/s)`,
    met: ours.ratio_to_base >= wanted,
  };
}

export function checkTargets(results: ScenarioResult[]): TargetCheck[] {
  return [
    ratioTarget(results, 'mixed-32-adapters', 'naive-merged', 5),
    ratioTarget(results, 'mixed-32-adapters', 'llama.cpp', 2),
    ratioTarget(results, 'single-stream-base', 'llama.cpp', 0.7),
    baseRatioTarget(results, 'mixed-32-adapters', 0.6),
    baseRatioTarget(results, 'zipf-32-adapters', 0.75),
  ];
}
