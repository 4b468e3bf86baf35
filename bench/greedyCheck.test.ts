import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareGreedy } from './greedyCheck.ts';
import { checkPeer, weightBytesPerToken } from './summarize.ts';
import { SMOLLM_135M_SPEC } from '../factory/index.ts';

test('greedy comparison: equal, near tie taken the other way, real difference, length mismatch', () => {
  const none = (): undefined => undefined;
  assert.equal(compareGreedy([1, 2, 3], [1, 2, 3], none, 0.01).pass, true);
  const scores: Record<number, number> = { 7: -1.0, 8: -1.005, 9: -3 };
  const tie = compareGreedy([1, 7, 5], [1, 8, 6], (_p, t) => scores[t], 0.01);
  assert.equal(tie.pass, true);
  assert.equal(tie.divergedAt, 1);
  assert.match(tie.detail, /near tie/);
  const real = compareGreedy([1, 7], [1, 9], (_p, t) => scores[t], 0.01);
  assert.equal(real.pass, false);
  assert.match(real.detail, /differs at token 1: ours 7, theirs 9, gap 2\.0000/);
  assert.equal(compareGreedy([1, 7], [1, 9], none, 0.01).pass, false, 'no scores: a difference fails');
  assert.equal(compareGreedy([1, 2, 3], [1, 2], none, 0.01).pass, false);
});

test('peer check uses loraledger top logprobs keyed by token id', () => {
  const ours: { tokens: number[]; topLogprobs: Array<Record<string, number>> } = {
    tokens: [4, 5],
    topLogprobs: [{ '4': -0.1 }, { '5': -0.7, '6': -0.705 }],
  };
  assert.deepEqual(checkPeer(ours, { tokens: [4, 6] }), {
    pass: true,
    detail: 'vs loraledger: equal for 1 tokens, then a near tie (gap 5.00e-3 <= 0.02) taken the other way',
  });
  assert.equal(checkPeer(ours, { tokens: [3, 5] }).pass, false);
  assert.equal(checkPeer(null, { tokens: [1] }).pass, null);
});

test('weight bytes per decode step of SmolLM-135M (fp32, tied head) ~ 538 MB', () => {
  // 30 layers x (576·576·2 + 576·192·2 + 3·576·1536) + 49152·576, times 4 bytes
  assert.equal(
    weightBytesPerToken(SMOLLM_135M_SPEC),
    (30 * (576 * 576 * 2 + 576 * 192 * 2 + 3 * 576 * 1536) + 49152 * 576) * 4,
  );
});
