import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSignerKey, SIGNER_KEY_FILE } from './signerKey.ts';
import { AttributionError } from '../../common/index.ts';

test('generates a 0600 key on first start and reuses it', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'll-key-')), 'data');
  try {
    const k1 = loadOrCreateSignerKey({ dataDir: dir });
    assert.match(k1, /^0x[0-9a-f]{64}$/);
    const path = join(dir, SIGNER_KEY_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8').trim(), k1);
    assert.equal(loadOrCreateSignerKey({ dataDir: dir }), k1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a configured key wins and nothing is written; bad keys are refused without echoing them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-key-'));
  try {
    const key = '0x' + 'ab'.repeat(32);
    assert.equal(loadOrCreateSignerKey({ key, dataDir: dir }), key);
    assert.equal(existsSync(join(dir, SIGNER_KEY_FILE)), false);
    const secretish = '0x' + 'cd'.repeat(31);
    assert.throws(
      () => loadOrCreateSignerKey({ key: secretish, dataDir: dir }),
      (e: unknown) => e instanceof AttributionError && !e.message.includes(secretish),
    );
    assert.throws(
      () => loadOrCreateSignerKey({ key: '0x' + '00'.repeat(32), dataDir: dir }),
      /out of the secp256k1 range/,
    );
    writeFileSync(join(dir, SIGNER_KEY_FILE), 'garbage', { mode: 0o644 });
    assert.throws(
      () => loadOrCreateSignerKey({ dataDir: dir }),
      (e: unknown) => e instanceof AttributionError && !e.message.includes('garbage'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
