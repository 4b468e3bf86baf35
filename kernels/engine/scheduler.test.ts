import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type SchedRequest, type SchedulerOptions, type StepPlan } from './scheduler.ts';
import type { AcquireResult } from '../../adapters/index.ts';
import { RequestError } from '../../common/index.ts';

const V = 50;
/** Fake model: the next token is a function of the whole sequence so far. */
const nextToken = (seq: number[]): number => seq.reduce((a, t, i) => (a * 31 + t + i) % 9973, 7) % V;

function solo(prompt: number[], maxTokens: number, stop: number[] = []): number[] {
  const s = [...prompt];
  const out: number[] = [];
  while (out.length < maxTokens) {
    const t = nextToken(s);
    s.push(t);
    out.push(t);
    if (stop.includes(t)) break;
  }
  return out;
}

/** Drives a scheduler with a fake forward pass over a simulated per-row KV cache. */
class Harness {
  sched: Scheduler;
  kv: number[][];
  out = new Map<string, number[]>();
  done = new Map<string, string>();
  steps = 0;
  constructor(opts: Partial<SchedulerOptions> = {}) {
    const o: SchedulerOptions = {
      maxBatchSize: 4,
      maxBatchTokens: 12,
      maxQueue: 8,
      maxModelLen: 64,
      vocabSize: V,
      acquire: () => ({ slot: 1 }),
      release: () => {},
      ...opts,
    };
    this.sched = new Scheduler(o);
    this.kv = Array.from({ length: o.maxBatchSize }, () => []);
  }
  add(id: string, prompt: number[], maxTokens: number, extra: Partial<SchedRequest> = {}): void {
    this.sched.add({ id, promptIds: prompt, adapterId: null, maxTokens, stopTokenIds: [], ignoreEos: false, ...extra });
    this.out.set(id, []);
  }
  step(): StepPlan {
    const plan = this.sched.schedule();
    this.steps++;
    // A KV resize keeps only rows [0, liveRows): drop the rest, so every check below also checks liveRows.
    for (let r = plan.liveRows; r < this.kv.length; r++) this.kv[r] = [];
    for (const m of plan.moves) this.kv[m.to] = this.kv[m.from].slice(0, m.len);
    for (const c of plan.cancelled) this.done.set(c.id, 'cancelled');
    for (const e of plan.errors) this.done.set(e.id, e.error.code);
    const tokens = plan.calls.map((call) => {
      if (call.kind === 'prefill') assert.ok(call.seqs.length * call.T <= 12 || call.seqs.length === 1);
      return call.seqs.map((s, b) => {
        assert.equal(s.row, call.rowStart + b, 'call rows are one contiguous range');
        assert.deepEqual(
          this.kv[s.row].slice(0, s.cached),
          s.tokens.slice(0, s.cached),
          `row ${s.row} cache holds ${s.req.id}`,
        );
        this.kv[s.row] = s.tokens.slice(0, s.cached + call.newLen[b]);
        return call.sample[b] ? nextToken(this.kv[s.row]) : null;
      });
    });
    const fin = this.sched.commit(plan, tokens);
    plan.calls.forEach((call, c) =>
      call.seqs.forEach((s, b) => {
        const t = tokens[c][b];
        if (t !== null) this.out.get(s.req.id)!.push(t);
      }),
    );
    for (const f of fin) this.done.set(f.seq.req.id, f.reason);
    this.sched.checkLayout();
    return plan;
  }
  run(limit = 500): void {
    while (this.sched.hasWork() && this.steps < limit) this.step();
    assert.ok(!this.sched.hasWork(), 'scheduler drained');
  }
}

test('concurrent requests (some joining mid-way, long prompts chunked) each produce their solo output', () => {
  const h = new Harness();
  const prompts: Record<string, [number[], number]> = {
    a: [[1, 2, 3], 10],
    b: [Array.from({ length: 30 }, (_, i) => i % V), 6],
    c: [[4], 3],
    d: [[9, 9, 9, 9, 9], 12],
    e: [[5, 6], 1],
    f: [Array.from({ length: 20 }, (_, i) => (i * 7) % V), 8],
  };
  h.add('a', ...prompts.a);
  h.add('b', ...prompts.b);
  h.step();
  h.add('c', ...prompts.c);
  h.step();
  h.step();
  for (const id of ['d', 'e', 'f']) h.add(id, ...prompts[id]);
  h.run();
  for (const [id, [p, n]] of Object.entries(prompts)) {
    assert.deepEqual(h.out.get(id), solo(p, n), id);
    assert.equal(h.done.get(id), 'length');
  }
});

test('stop ids end a request unless ignoreEos; maxModelLen caps the length', () => {
  const h = new Harness({ maxModelLen: 12 });
  const want = solo([3, 1], 20);
  const stopAt = want[2];
  h.add('s', [3, 1], 20, { stopTokenIds: [stopAt] });
  h.add('i', [3, 1], 5, { stopTokenIds: [stopAt], ignoreEos: true });
  h.add('m', [3, 1], 50);
  h.run();
  assert.deepEqual(h.out.get('s'), solo([3, 1], 20, [stopAt]));
  assert.equal(h.done.get('s'), 'stop');
  assert.deepEqual(h.out.get('i'), want.slice(0, 5));
  assert.equal(h.out.get('m')!.length, 10);
  assert.equal(h.done.get('m'), 'length');
});

test('cancel frees the row for a waiting request; queue bound and bad prompts throw RequestError', () => {
  const h = new Harness({ maxBatchSize: 2, maxQueue: 1 });
  h.add('a', [1], 40);
  h.step();
  h.add('b', [2], 40);
  h.step();
  h.add('c', [3], 4);
  assert.throws(
    () => h.add('d', [4], 4),
    (e: unknown) => e instanceof RequestError && e.code === 'overloaded',
  );
  h.step();
  assert.equal(h.out.get('c')!.length, 0, 'c waits for a row');
  h.sched.cancel('a');
  h.run(200);
  assert.equal(h.done.get('a'), 'cancelled');
  assert.deepEqual(h.out.get('c'), solo([3], 4));
  assert.deepEqual(h.out.get('b'), solo([2], 40));
  assert.throws(
    () => h.add('e', [], 4),
    (e: unknown) => e instanceof RequestError && e.code === 'empty_prompt',
  );
  assert.throws(
    () => h.add('e', [V], 4),
    (e: unknown) => e instanceof RequestError && e.code === 'invalid_request',
  );
  assert.throws(
    () => h.add('e', new Array(64).fill(1), 4),
    (e: unknown) => e instanceof RequestError && e.code === 'context_length_exceeded',
  );
});

test('a request whose adapter loads is passed by later ones, at most maxPassBy times; errors end it', () => {
  let ready = false;
  const released: string[] = [];
  const acquire = (id: string): AcquireResult => {
    if (id === 'slow') return ready ? { slot: 2 } : { pending: true };
    if (id === 'bad') return { error: { code: 'adapter_not_found', message: 'no adapter "bad"' } };
    return { slot: 1 };
  };
  const h = new Harness({ maxBatchSize: 4, maxPassBy: 2, acquire, release: (id) => released.push(id) });
  h.add('s', [1, 2], 2, { adapterId: 'slow' });
  h.add('x', [1], 2, { adapterId: 'fast' });
  h.add('y', [2], 2, { adapterId: 'fast' });
  h.add('z', [3], 2, { adapterId: 'fast' });
  h.add('q', [4], 2, { adapterId: 'bad' });
  h.step();
  assert.equal(h.sched.counts().running, 2, 'x and y passed s; z and q wait behind it');
  assert.equal(h.done.get('q'), undefined);
  for (let i = 0; i < 5; i++) h.step();
  assert.equal(h.out.get('z')!.length, 0, 'z may not pass s a third time');
  ready = true;
  h.run();
  assert.equal(h.done.get('q'), 'adapter_not_found');
  assert.deepEqual(h.out.get('s'), solo([1, 2], 2));
  assert.deepEqual(h.out.get('z'), solo([3], 2));
  assert.deepEqual(released.sort(), ['fast', 'fast', 'fast', 'slow']);
});

test('decode never waits behind a long prompt: every step decodes the running rows', () => {
  const h = new Harness({ maxBatchTokens: 8, minChunk: 4, maxModelLen: 200 });
  h.add('a', [1], 30);
  h.step();
  h.add(
    'long',
    Array.from({ length: 100 }, (_, i) => i % V),
    2,
  );
  let prefillSteps = 0;
  while (h.out.get('long')!.length === 0) {
    const plan = h.step();
    assert.ok(plan.calls.some((c) => c.kind === 'decode' && c.seqs[0].req.id === 'a'));
    const pre = plan.calls.find((c) => c.kind === 'prefill');
    if (pre) {
      prefillSteps++;
      assert.ok(pre.T <= 7);
    }
  }
  assert.ok(prefillSteps >= 100 / 7);
  h.run();
  assert.deepEqual(
    h.out.get('long'),
    solo(
      Array.from({ length: 100 }, (_, i) => i % V),
      2,
    ),
  );
});
