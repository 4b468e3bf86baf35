import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { GENERATED_BLOCKS, regenerate } from './apiDocs.ts';

/** Each doc page and the generated blocks it must hold (paths from the repository root). */
const DOCS: Record<string, string[]> = {
  'docs/configuration.md': ['flags'],
  'docs/errors.md': ['errors'],
};

test('generated doc tables (flags, errors) are present and match the config schema and the error catalogue', () => {
  const placed = new Set(Object.values(DOCS).flat());
  for (const name of Object.keys(GENERATED_BLOCKS))
    assert.ok(placed.has(name), `no doc page holds the generated ${name} table`);
  for (const [path, blocks] of Object.entries(DOCS)) {
    const file = new URL(`../../${path}`, import.meta.url).pathname;
    assert.ok(existsSync(file), `${path} is missing`);
    const text = readFileSync(file, 'utf8');
    for (const name of blocks) {
      assert.ok(
        text.includes(`<!-- generated:${name} -->`) && text.includes(`<!-- /generated:${name} -->`),
        `${path} lacks the generated ${name} block`,
      );
    }
    assert.equal(regenerate(text), text, `${path} is stale: run npx tsx server/http/apiDocs.ts ${path}`);
  }
});
