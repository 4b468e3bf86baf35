import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateContractSources, GENERATED_DIR } from './compileContracts.ts';

test('generated contract files match a fresh solc compile (run `npm run build:contracts`)', () => {
  const fresh = generateContractSources();
  assert.ok(fresh.has('LoraLedgerSettlement.ts'));
  for (const [name, text] of fresh) {
    assert.equal(readFileSync(join(GENERATED_DIR, name), 'utf8'), text, `${name} is stale: run npm run build:contracts`);
    assert.match(text, /^\/\/ generated, do not edit/);
  }
});
