import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateContractSources, CONTRACTS_DIR, GENERATED_DIR } from './compileContracts.ts';

const fresh = generateContractSources();

test('generated contract files match a fresh solc compile (run `npm run build:contracts`)', () => {
  assert.ok(fresh.has('LoraLedgerSettlement.ts'));
  for (const [name, text] of fresh) {
    assert.equal(
      readFileSync(join(GENERATED_DIR, name), 'utf8'),
      text,
      `${name} is stale: run npm run build:contracts`,
    );
    assert.match(text, /^\/\/ generated, do not edit/);
  }
});

test('one generated file per contract declared in contracts/*.sol; imported OpenZeppelin bases and libraries are not emitted', () => {
  const declared = readdirSync(CONTRACTS_DIR)
    .filter((f) => f.endsWith('.sol'))
    .flatMap((f) =>
      [...readFileSync(join(CONTRACTS_DIR, f), 'utf8').matchAll(/^contract (\w+)/gm)].map((m) => `${m[1]}.ts`),
    );
  assert.deepEqual([...fresh.keys()].sort(), declared.sort());
  assert.deepEqual(
    readdirSync(GENERATED_DIR)
      .filter((f) => f.endsWith('.ts'))
      .sort(),
    declared.sort(),
    'stray file in contracts/generated',
  );
});

test('OpenZeppelin imports compile from the installed package, the exact version pinned in package.json', () => {
  const pinned = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies['@openzeppelin/contracts'];
  assert.match(pinned ?? '', /^\d+\.\d+\.\d+$/, 'pin @openzeppelin/contracts to an exact version');
  assert.match(
    readFileSync(join(CONTRACTS_DIR, 'LoraLedgerSettlement.sol'), 'utf8'),
    /^import \{[^}]+\} from "@openzeppelin\/contracts\//m,
  );
  assert.ok(
    fresh.get('LoraLedgerSettlement.ts')!.split('\n')[1]!.includes(`@openzeppelin/contracts ${pinned})`),
    'installed @openzeppelin/contracts differs from package.json: run npm ci',
  );
});
