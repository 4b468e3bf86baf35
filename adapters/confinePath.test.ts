// adapters/confinePath: admin adapter paths stay inside the configured roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confinePath } from './confinePath.ts';
import { LoraledgerError } from '../common/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'llconf-'));
const root = join(tmp, 'root');
mkdirSync(join(root, 'a'), { recursive: true });
mkdirSync(join(tmp, 'outside'));
symlinkSync(join(tmp, 'outside'), join(root, 'escape'));
const linkedRoot = join(tmp, 'linked-root');
symlinkSync(root, linkedRoot);

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as LoraledgerError).code;
  }
};

test('paths inside a root pass (absolute or relative to the first root, also through a symlinked root)', () => {
  assert.ok(confinePath(join(root, 'a'), [root], 'path').endsWith('/root/a'));
  assert.ok(confinePath('a', [root], 'path').endsWith('/root/a'));
  assert.equal(confinePath(join(linkedRoot, 'a'), [linkedRoot], 'path'), confinePath(join(root, 'a'), [root], 'path'));
});

test('errors name the request field', () => {
  for (const p of ['../x', join(root, 'escape'), join(root, 'missing')]) {
    assert.throws(
      () => confinePath(p, [root], 'lora_path'),
      (e: unknown) => e instanceof LoraledgerError && e.param === 'lora_path',
    );
  }
});

test('escapes are refused: .., absolute elsewhere, symlinks out, no roots', () => {
  assert.equal(
    code(() => confinePath('../../etc', [root], 'path')),
    'path_not_allowed',
  );
  assert.equal(
    code(() => confinePath('/etc', [root], 'path')),
    'path_not_allowed',
  );
  assert.equal(
    code(() => confinePath(join(root, 'escape'), [root], 'path')),
    'path_not_allowed',
  );
  assert.equal(
    code(() => confinePath(join(root, 'a'), [], 'path')),
    'path_not_allowed',
  );
  assert.equal(
    code(() => confinePath(join(root, 'missing'), [root], 'lora_path')),
    'adapter_not_found',
  );
  assert.equal(
    code(() => confinePath('', [root], 'path')),
    'invalid_request',
  );
});
