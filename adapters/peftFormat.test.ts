import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError } from '../common/index.ts';
import { isTargeted, loraScale, readAdapterMeta } from './peftFormat.ts';
import { peftConfigJson } from '../factory/index.ts';

const root = mkdtempSync(join(tmpdir(), 'peft-format-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A folder with the given config (object or raw text) and an (unread) weights file. */
function folder(config: unknown, opts: { weights?: string | null; ledger?: unknown } = {}): string {
  const dir = join(root, `a${n++}`);
  mkdirSync(dir);
  if (config !== undefined)
    writeFileSync(join(dir, 'adapter_config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  if (opts.weights !== null) writeFileSync(join(dir, opts.weights ?? 'adapter_model.safetensors'), 'not read');
  if (opts.ledger !== undefined)
    writeFileSync(
      join(dir, 'loraledger.json'),
      typeof opts.ledger === 'string' ? opts.ledger : JSON.stringify(opts.ledger),
    );
  return dir;
}
const good = (over: Record<string, unknown> = {}) => ({
  ...peftConfigJson({ rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'], useRslora: false, baseModel: 'x' }),
  ...over,
});

function rejects(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AdapterError, `expected AdapterError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

test('reads a PEFT config and the optional loraledger.json', () => {
  const owner = '0x' + 'ab'.repeat(20);
  const m = readAdapterMeta(folder(good(), { ledger: { description: 'skin', tags: ['derm'], owner } }), 'x');
  assert.equal(m.rank, 4);
  assert.equal(m.alpha, 8);
  assert.deepEqual(m.targets, ['q_proj', 'v_proj']);
  assert.equal(m.description, 'skin');
  assert.deepEqual(m.tags, ['derm']);
  assert.equal(m.owner, owner);
  assert.equal(m.baseModel, 'x');
  assert.equal(loraScale(m), 2);
  assert.equal(loraScale({ ...m, useRslora: true }), 4);
  const bare = readAdapterMeta(folder(good()), 'y');
  assert.equal(bare.description, null);
  assert.deepEqual(bare.tags, []);
});

test('target_modules: suffix names, regex, all-linear, default, layers_to_transform, exclude_modules', () => {
  const suffix = readAdapterMeta(folder(good({ target_modules: ['self_attn.k_proj', 'down_proj'] })), 's');
  assert.deepEqual(suffix.targets, ['k_proj', 'down_proj']);
  const re = readAdapterMeta(folder(good({ target_modules: '.*layers\\.[01]\\..*(q_proj|up_proj)' })), 'r');
  assert.deepEqual(re.targets, ['q_proj', 'up_proj']);
  assert.equal(isTargeted(re, 1, 'q_proj'), true);
  assert.equal(isTargeted(re, 2, 'q_proj'), false);
  assert.equal(isTargeted(re, 0, 'k_proj'), false);
  assert.equal(readAdapterMeta(folder(good({ target_modules: 'all-linear' })), 'a').targets.length, 7);
  assert.deepEqual(readAdapterMeta(folder(good({ target_modules: null })), 'd').targets, ['q_proj', 'v_proj']);
  const lt = readAdapterMeta(folder(good({ layers_to_transform: [1] })), 'l');
  assert.equal(isTargeted(lt, 0, 'q_proj'), false);
  assert.equal(isTargeted(lt, 1, 'q_proj'), true);
  const ex = readAdapterMeta(folder(good({ exclude_modules: ['model.layers.0.self_attn.v_proj'] })), 'e');
  assert.equal(isTargeted(ex, 0, 'v_proj'), false);
  assert.equal(isTargeted(ex, 1, 'v_proj'), true);
});

test('missing folder is adapter_not_found', () => {
  rejects(() => readAdapterMeta(join(root, 'nope'), 'nope'), 'adapter_not_found', /nope does not exist/);
});

test('folder without adapter_config.json', () => {
  rejects(() => readAdapterMeta(folder(undefined), 'x'), 'adapter_invalid', /adapter_config\.json.*missing/);
});

test('pickle adapter_model.bin is refused with the reason', () => {
  rejects(
    () => readAdapterMeta(folder(good(), { weights: 'adapter_model.bin' }), 'x'),
    'adapter_invalid',
    /adapter_model\.bin.*pickle weights can execute code; convert to safetensors/,
  );
});

test('missing weights file', () => {
  rejects(
    () => readAdapterMeta(folder(good(), { weights: null }), 'x'),
    'adapter_invalid',
    /adapter_model\.safetensors: missing/,
  );
});

test('malformed and invalid configs name the file and field', () => {
  rejects(
    () => readAdapterMeta(folder('{"peft_type": "LORA", r: 4'), 'x'),
    'adapter_invalid',
    /adapter_config\.json: is not valid JSON/,
  );
  rejects(() => readAdapterMeta(folder('[1,2]'), 'x'), 'adapter_invalid', /JSON object/);
  rejects(
    () => readAdapterMeta(folder(good({ peft_type: 'IA3' })), 'x'),
    'adapter_invalid',
    /peft_type is "IA3"; only LORA/,
  );
  rejects(() => readAdapterMeta(folder(good({ r: 0 })), 'x'), 'adapter_invalid', /r must be a positive integer, got 0/);
  rejects(
    () => readAdapterMeta(folder(good({ r: '8' })), 'x'),
    'adapter_invalid',
    /r must be a positive integer, got "8"/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ lora_alpha: -1 })), 'x'),
    'adapter_invalid',
    /lora_alpha must be a positive number/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ use_rslora: 'yes' })), 'x'),
    'adapter_invalid',
    /use_rslora must be true or false/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ fan_in_fan_out: 1 })), 'x'),
    'adapter_invalid',
    /fan_in_fan_out must be true or false/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ use_dora: true })), 'x'),
    'adapter_invalid',
    /DoRA adapters are not supported/,
  );
  rejects(() => readAdapterMeta(folder(good({ rank_pattern: { q_proj: 4 } })), 'x'), 'adapter_invalid', /rank_pattern/);
  rejects(
    () => readAdapterMeta(folder(good({ modules_to_save: ['lm_head'] })), 'x'),
    'adapter_invalid',
    /modules_to_save/,
  );
  rejects(() => readAdapterMeta(folder(good({ bias: 'all' })), 'x'), 'adapter_invalid', /bias "all" is not supported/);
  rejects(
    () => readAdapterMeta(folder(good({ layers_to_transform: ['a'] })), 'x'),
    'adapter_invalid',
    /layers_to_transform/,
  );
});

test('unknown or unsupported target modules are refused clearly', () => {
  rejects(
    () => readAdapterMeta(folder(good({ target_modules: ['q_proj', 'lm_head'] })), 'x'),
    'adapter_invalid',
    /target_modules entry "lm_head" is not supported/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ target_modules: ['query_key_value'] })), 'x'),
    'adapter_invalid',
    /"query_key_value" is not supported/,
  );
  rejects(() => readAdapterMeta(folder(good({ target_modules: [] })), 'x'), 'adapter_invalid', /empty list/);
  rejects(
    () => readAdapterMeta(folder(good({ target_modules: 42 })), 'x'),
    'adapter_invalid',
    /list of module names or a regex/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ target_modules: '.*' })), 'x'),
    'adapter_invalid',
    /also selects model\.embed_tokens/,
  );
  rejects(
    () => readAdapterMeta(folder(good({ target_modules: '.*c_attn' })), 'x'),
    'adapter_invalid',
    /selects none of/,
  );
  rejects(() => readAdapterMeta(folder(good({ target_modules: '(' })), 'x'), 'adapter_invalid', /does not compile/);
});

test('loraledger.json is validated', () => {
  rejects(
    () => readAdapterMeta(folder(good(), { ledger: { owner: '0x123' } }), 'x'),
    'adapter_invalid',
    /loraledger\.json: owner must be a 0x-prefixed 20-byte hex address/,
  );
  rejects(
    () => readAdapterMeta(folder(good(), { ledger: { tags: 'derm' } }), 'x'),
    'adapter_invalid',
    /tags must be a list of strings/,
  );
  rejects(
    () => readAdapterMeta(folder(good(), { ledger: '{' }), 'x'),
    'adapter_invalid',
    /loraledger\.json: is not valid JSON/,
  );
});
