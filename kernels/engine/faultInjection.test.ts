import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultHook } from './faultInjection.ts';
import type { ForwardFn } from './engineCore.ts';

const lines: string[] = [];
const log = { info() {}, warn: (_c: unknown, m: string) => void lines.push(m), error() {} };
const forward: ForwardFn = async () => ({ logits: new Float32Array(1), newKey: [], newValue: [] });

test('fault injection is off unless enabled: an armed fault is refused with a log line and never fires', async () => {
  const hook = faultHook(false, log);
  const f = hook.wrap(forward);
  hook.arm('step-error');
  assert.match(lines.at(-1)!, /disabled/);
  assert.equal((await f({})).logits.length, 1);
});

test('an enabled step-error fires once, inside the next forward call', async () => {
  const hook = faultHook(true, log);
  const f = hook.wrap(forward);
  assert.equal((await f({})).logits.length, 1);
  hook.arm('step-error');
  await assert.rejects(f({}), /injected step error/);
  assert.equal((await f({})).logits.length, 1, 'disarmed after firing');
});
