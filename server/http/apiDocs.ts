// Generated doc tables: the config flags (from the config schema, in docs/configuration.md) and the
// error table (from ERROR_CATALOGUE, in docs/errors.md). `npx tsx server/http/apiDocs.ts FILE...`
// rewrites the marked blocks in place; apiDocs.test.ts fails when a block is missing or differs
// from what this generates.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema, type ConfigKey } from '../configSchema.ts';
import { envOf, flagOf } from '../config.ts';
import { ERROR_CATALOGUE } from '../../common/index.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function flagTable(): string {
  const rows = [
    '| flag | env | default | meaning |',
    '| --- | --- | --- | --- |',
    '| `--config FILE` | `LORALEDGER_CONFIG` | none | JSON file of settings keyed by field name (e.g. `{"maxLoraRank": 32}`). |',
  ];
  for (const [key, s] of Object.entries(ConfigSchema.properties) as Array<[ConfigKey, TSchema]>) {
    const def = s.default === undefined ? 'none' : `\`${JSON.stringify(s.default)}\``;
    rows.push(`| \`--${flagOf(key)}\` | \`${envOf(key)}\` | ${def} | ${cell(String(s.description))} |`);
  }
  return rows.join('\n');
}

export function errorTable(): string {
  const rows = ['| code | HTTP | type | meaning |', '| --- | --- | --- | --- |'];
  for (const [code, e] of Object.entries(ERROR_CATALOGUE))
    rows.push(`| \`${code}\` | ${e.status} | \`${e.type}\` | ${cell(e.doc)} |`);
  return rows.join('\n');
}

export const GENERATED_BLOCKS: Record<string, () => string> = { flags: flagTable, errors: errorTable };

/** Replaces every `<!-- generated:NAME -->...<!-- /generated:NAME -->` block with fresh output. */
export function regenerate(text: string): string {
  let out = text;
  for (const [name, make] of Object.entries(GENERATED_BLOCKS)) {
    const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`, 'g');
    out = out.replace(re, (_m, open: string, close: string) => `${open}\n${make()}\n${close}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  for (const file of process.argv.slice(2)) writeFileSync(file, regenerate(readFileSync(file, 'utf8')));
}
