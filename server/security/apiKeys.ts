// The API keys (--api-key, --api-keys-file) and their names. A key's name is what records show as
// the payer and what logs, metrics and rate limits use; the key itself is kept only as a sha256
// digest and never logged.
//
//   keys file:  one `name key` pair per line; blank lines and `# comments` are skipped;
//               names are [A-Za-z0-9._-]{1,64}, unique; keys at least 8 characters, unique.
//   --api-key:  named key-<first 8 hex of sha256(key)>: stable across restarts and flag order.
//   match(t):   compares t with EVERY key (no early exit) so the time does not say which one matched.
import { readFileSync } from 'node:fs';
import { LoraledgerError } from '../../common/index.ts';
import { digestOf, tokenMatches } from './bearer.ts';

export interface NamedKey {
  name: string;
  digest: Buffer;
}

export interface KeyRing {
  /** Number of keys; 0 = no API keys configured (inference is open). */
  readonly size: number;
  /** The name of the key `token` is, or null. */
  match(token: string): string | null;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function fail(message: string): never {
  throw new LoraledgerError('config_invalid', message);
}

/** `name key` lines of a keys file (the message names the line, never the key). */
export function parseKeysFile(text: string, where: string): Array<{ name: string; key: string }> {
  const out: Array<{ name: string; key: string }> = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) fail(`${where} line ${i + 1}: expected "name key" (two fields separated by spaces)`);
    const [name, key] = parts;
    if (!NAME.test(name)) fail(`${where} line ${i + 1}: the name must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (key.length < 8) fail(`${where} line ${i + 1}: the key of "${name}" is shorter than 8 characters`);
    out.push({ name, key });
  }
  return out;
}

/** Name of a key given with --api-key. */
export const flagKeyName = (key: string): string => `key-${digestOf(key).toString('hex').slice(0, 8)}`;

export function loadKeyRing(options: { apiKey: readonly string[]; apiKeysFile?: string }): KeyRing {
  const entries = options.apiKey.map((key) => ({ name: flagKeyName(key), key }));
  if (options.apiKeysFile !== undefined) {
    const where = `--api-keys-file ${options.apiKeysFile}`;
    let text: string;
    try {
      text = readFileSync(options.apiKeysFile, 'utf8');
    } catch (err) {
      fail(`${where}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    entries.push(...parseKeysFile(text, where));
  }
  const names = new Set<string>();
  const digests = new Set<string>();
  const keys: NamedKey[] = [];
  for (const { name, key } of entries) {
    const digest = digestOf(key);
    if (names.has(name)) fail(`API key name "${name}" is given twice`);
    if (digests.has(digest.toString('hex'))) fail(`API key "${name}" repeats another key`);
    names.add(name);
    digests.add(digest.toString('hex'));
    keys.push({ name, digest });
  }
  return {
    size: keys.length,
    match(token) {
      let found: string | null = null;
      for (const k of keys) if (tokenMatches(token, k.digest) && found === null) found = k.name;
      return found;
    },
  };
}
