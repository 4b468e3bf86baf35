import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopMatcher } from './stopMatcher.ts';

function run(stops: string[], deltas: string[]): { out: string; stopped: boolean } {
  const m = new StopMatcher(stops);
  let out = '';
  for (const d of deltas) {
    const r = m.push(d);
    out += r.text;
    if (r.stopped) return { out, stopped: true };
  }
  return { out: out + m.flush(), stopped: false };
}

test('no stop strings passes text through', () => {
  assert.deepEqual(run([], ['ab', 'c']), { out: 'abc', stopped: false });
});

test('stop string split across deltas is excluded and ends the stream', () => {
  assert.deepEqual(run(['[7][8]'], ['[5]', '[7]', '[8]', '[9]']), { out: '[5]', stopped: true });
});

test('a partial match that does not complete is released', () => {
  const m = new StopMatcher(['END']);
  assert.deepEqual(m.push('xE'), { text: 'x', stopped: false });
  assert.deepEqual(m.push('N'), { text: '', stopped: false });
  assert.deepEqual(m.push('x'), { text: 'ENx', stopped: false });
  assert.equal(m.flush(), '');
  assert.deepEqual(run(['END'], ['aEN']), { out: 'aEN', stopped: false });
});

test('earliest of several stop strings wins; text after it is dropped', () => {
  assert.deepEqual(run(['cd', 'b'], ['abcd']), { out: 'a', stopped: true });
  const m = new StopMatcher(['z']);
  assert.deepEqual(m.push('az'), { text: 'a', stopped: true, matched: 'z' });
  assert.deepEqual(m.push('more'), { text: '', stopped: true });
});
