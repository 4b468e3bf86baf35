import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { GENERATED_BLOCKS, regenerate } from './apiDocs.ts';

const docs = ['README.md'].map((p) => new URL(`../../${p}`, import.meta.url).pathname).filter(existsSync);

test('generated README tables (flags, errors) match the config schema and the error catalogue', () => {
  let checked = 0;
  for (const file of docs) {
    const text = readFileSync(file, 'utf8');
    for (const name of Object.keys(GENERATED_BLOCKS)) if (text.includes(`<!-- generated:${name} -->`)) checked++;
    assert.equal(regenerate(text), text, `${file} is stale: run npx tsx server/apiDocs.ts ${file}`);
  }
  assert.ok(checked >= 2, 'the flag and error tables are present in at least one README');
});
