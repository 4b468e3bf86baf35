import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoraledgerError } from '../common/index.ts';
import { generateAdapter } from '../factory/index.ts';
import { AdapterRegistry, type RegistryEvent } from './registry.ts';
import { ADAPTER_TEST_SPEC } from '../test/support/tinySpec.ts';

const spec = ADAPTER_TEST_SPEC;
const base = mkdtempSync(join(tmpdir(), 'registry-'));
const root = join(base, 'adapters');
const outside = join(base, 'elsewhere');
mkdirSync(root);
mkdirSync(outside);
test.after(() => rmSync(base, { recursive: true, force: true }));

const rejectsCode = (p: Promise<unknown>, code: string, pattern: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LoraledgerError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });

test('admin register validates eagerly: ready, or errored with the reason (and the error thrown)', async () => {
  await generateAdapter({ dir: join(root, 'good'), spec, seed: 1, rank: 2 });
  await generateAdapter({
    dir: join(root, 'wrong-model'),
    spec: { ...spec, hiddenSize: 32, headDim: 8 },
    seed: 1,
    rank: 2,
  });
  const reg = new AdapterRegistry({ spec, roots: [root] });
  const events: RegistryEvent[] = [];
  reg.on((e) => events.push(e));
  const e = await reg.register('good', join(root, 'good'));
  assert.equal(e.state, 'ready');
  assert.equal(e.meta?.rank, 2);
  assert.deepEqual(
    events.map((x) => (x.type === 'state' ? `${x.from}->${x.to}` : x.type)),
    ['registered', 'registered->loading', 'loading->ready'],
  );
  await rejectsCode(
    reg.register('wrong', join(root, 'wrong-model')),
    'adapter_invalid',
    /q_proj lora_A is \[2,32\] but the base model's q_proj takes 16 inputs/,
  );
  const wrong = reg.get('wrong')!;
  assert.equal(wrong.state, 'errored');
  assert.match(wrong.reason!, /adapter for another model/);
  assert.deepEqual(
    reg.list().map((x) => [x.id, x.state]),
    [
      ['good', 'ready'],
      ['wrong', 'errored'],
    ],
  );
  // Re-registering an errored id retries (and fails again); a ready id conflicts.
  await rejectsCode(reg.register('wrong', join(root, 'wrong-model')), 'adapter_invalid', /another model/);
  await rejectsCode(reg.register('good', join(root, 'good')), 'conflict', /adapter good is already registered/);
});

test('paths outside the roots are refused, including ../ and symlinks; missing folders are not found', async () => {
  await generateAdapter({ dir: join(outside, 'evil'), spec, seed: 1, rank: 2 });
  symlinkSync(join(outside, 'evil'), join(root, 'link-out'));
  const reg = new AdapterRegistry({ spec, roots: [root] });
  await rejectsCode(
    reg.register('a', '../../etc'),
    'path_not_allowed',
    /\.\.\/\.\.\/etc is outside the configured adapter roots/,
  );
  await rejectsCode(reg.register('b', join(root, '..', 'elsewhere', 'evil')), 'path_not_allowed', /outside/);
  await rejectsCode(reg.register('c', '/etc'), 'path_not_allowed', /outside/);
  await rejectsCode(reg.register('d', join(root, 'link-out')), 'path_not_allowed', /outside/);
  await rejectsCode(reg.register('e', join(root, 'no-such')), 'adapter_not_found', /no-such does not exist/);
  await generateAdapter({ dir: join(root, 'rel'), spec, seed: 2, rank: 2 });
  assert.equal(
    (await reg.register('rel', 'rel')).path,
    join(root, 'rel'),
    'relative paths resolve against the first root',
  );
  await rejectsCode(reg.register('bad id!', join(root, 'good')), 'invalid_request', /ids are 1-128 characters/);
  await rejectsCode(reg.register('auto', join(root, 'good')), 'invalid_request', /reserved/);
  const r2 = new AdapterRegistry({ spec, roots: [root], reservedIds: ['loraledger-demo'] });
  await rejectsCode(r2.register('loraledger-demo', join(root, 'good')), 'invalid_request', /reserved/);
  assert.equal(reg.has('a') || reg.has('b') || reg.has('d'), false, 'refused paths leave nothing behind');
  const scan = reg.scanRoot(root);
  assert.ok(scan.skipped.some((s) => s.name === 'link-out' && /outside/.test(s.reason)));
  assert.throws(() => reg.scanRoot(outside), /outside the configured adapter roots/);
});

test('state machine: invalid transitions throw; engine notices drive lazily registered adapters', () => {
  const dir = join(base, 'sm');
  mkdirSync(join(dir, 'x'), { recursive: true });
  writeFileSync(join(dir, 'x', 'adapter_config.json'), '{}');
  const reg = new AdapterRegistry({ spec, roots: [dir] });
  reg.scanRoot(dir);
  assert.equal(reg.get('x')!.state, 'registered');
  assert.throws(() => reg.transition('x', 'ready'), /invalid state transition registered -> ready/);
  reg.applyNotice({ type: 'adapter_cache', id: 'x', tier: 'host', outcome: 'miss' });
  assert.equal(reg.get('x')!.state, 'loading');
  assert.throws(() => reg.transition('x', 'registered'), /loading -> registered/);
  reg.applyNotice({ type: 'adapter_loaded', id: 'x', tier: 'host', seconds: 0.01, bytes: 10 });
  assert.equal(reg.get('x')!.state, 'ready');
  reg.applyNotice({
    type: 'adapter_errored',
    id: 'x',
    error: { code: 'adapter_load_failed', message: 'file vanished' },
  });
  assert.equal(reg.get('x')!.state, 'errored');
  assert.equal(reg.get('x')!.reason, 'file vanished');
  reg.unregister('x');
  assert.equal(reg.has('x'), false);
  assert.throws(() => reg.unregister('x'), /adapter x is not registered/);
});

test('meta() reads config and loraledger.json lazily; a broken folder becomes errored', async () => {
  const dir = join(base, 'lazy');
  await generateAdapter({ dir: join(dir, 'derm'), spec, seed: 1, rank: 2, description: 'skin', tags: ['rash'] });
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'adapter_config.json'), '{nope');
  writeFileSync(join(dir, 'broken', 'adapter_model.safetensors'), '');
  const reg = new AdapterRegistry({ spec, roots: [dir] });
  assert.deepEqual(reg.scanRoot(dir).registered.sort(), ['broken', 'derm']);
  assert.equal(reg.get('derm')!.meta, null, 'scan reads nothing');
  assert.deepEqual(reg.meta('derm')!.tags, ['rash']);
  assert.equal(reg.meta('broken'), null);
  assert.equal(reg.get('broken')!.state, 'errored');
  assert.match(reg.get('broken')!.reason!, /adapter_config\.json: is not valid JSON/);
});

test('scanRoot registers 2,000 folders without reading any weights (or configs)', async () => {
  const dir = join(base, 'many');
  mkdirSync(dir);
  for (let i = 0; i < 2000; i++) {
    const d = join(dir, `adapter-${i}`);
    mkdirSync(d);
    writeFileSync(join(d, 'adapter_config.json'), '{"peft_type": "LORA", "r": 4}');
    writeFileSync(join(d, 'adapter_model.safetensors'), 'garbage that fails to parse');
  }
  mkdirSync(join(dir, 'not-an-adapter'));
  const reg = new AdapterRegistry({ spec, roots: [dir] });
  const res = reg.scanRoot(dir);
  assert.equal(res.registered.length, 2000);
  assert.equal(reg.size, 2000);
  assert.ok(
    reg.list().every((e) => e.state === 'registered' && e.reason === null),
    'had any weights been read, they would have failed',
  );
  // Proof the weights would have failed: validating one reads its header and errors.
  const e = await reg.validate('adapter-7');
  assert.equal(e.state, 'errored');
  assert.match(e.reason!, /adapter_model\.safetensors/);
});
