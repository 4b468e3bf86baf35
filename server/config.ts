// Loads the config once, at the door (house style §9): flags > env (LORALEDGER_*) > JSON config
// file (--config FILE) > schema defaults; validates types, ranges and cross-field rules with
// messages that name the flag; returns a frozen object. The ONLY module that reads process.env.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema, crossFieldRules, type Config, type ConfigKey } from './configSchema.ts';
import { LoraledgerError } from '../common/index.ts';

export { ConfigSchema, type Config } from './configSchema.ts';

export interface ConfigSources {
  /** Command-line arguments after the script name. Default: process.argv.slice(2). */
  argv?: readonly string[];
  /** Environment. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

const props = ConfigSchema.properties as Record<ConfigKey, TSchema>;
const keys = Object.keys(props) as ConfigKey[];

/** `maxLoraRank` -> `max-lora-rank` (or the field's explicit `flag`). */
export function flagOf(key: ConfigKey): string {
  return (props[key].flag as string | undefined) ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
/** `maxLoraRank` -> `LORALEDGER_MAX_LORA_RANK`. */
export function envOf(key: ConfigKey): string {
  return `LORALEDGER_${flagOf(key).replace(/-/g, '_').toUpperCase()}`;
}

function fail(message: string): never {
  throw new LoraledgerError('config_invalid', message);
}

/** Turns one text value (flag or env) into the field's type; arrays split on commas. */
function coerce(key: ConfigKey, text: string, where: string): unknown {
  const s = props[key];
  const type = s.type ?? (s.anyOf ? 'string' : undefined);
  if (type === 'integer' || type === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) fail(`${where}: expected a number, got "${text}"`);
    return n;
  }
  if (type === 'boolean') {
    if (text === '' || text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    fail(`${where}: expected true or false, got "${text}"`);
  }
  if (type === 'array')
    return text
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
  return text;
}

/** Parses `--flag value`, `--flag=value`; repeated array flags accumulate. */
function parseArgv(argv: readonly string[]): { values: Partial<Record<ConfigKey, unknown>>; configFile?: string } {
  const byFlag = new Map(keys.map((k) => [flagOf(k), k]));
  const values: Partial<Record<ConfigKey, unknown>> = {};
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) fail(`unexpected argument "${arg}" (flags look like --port 8000; see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const key = byFlag.get(name);
    if (name !== 'config' && key === undefined) fail(`unknown flag --${name} (see --help)`);
    const isBool = key !== undefined && props[key].type === 'boolean';
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (isBool && (next === undefined || next.startsWith('--'))) text = 'true';
      else if (next === undefined) fail(`flag --${name} needs a value`);
      else {
        text = next;
        i++;
      }
    }
    if (key === undefined) {
      configFile = text;
      continue;
    }
    const v = coerce(key, text, `--${name}`);
    values[key] = Array.isArray(v) && Array.isArray(values[key]) ? [...(values[key] as unknown[]), ...v] : v;
  }
  return { values, configFile };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`--config ${path}: cannot read (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail(`--config ${path}: expected a JSON object of settings`);
  for (const k of Object.keys(parsed))
    if (!(k in props))
      fail(`--config ${path}: unknown setting "${k}" (settings use the camelCase field names, e.g. maxLoraRank)`);
  return parsed as Record<string, unknown>;
}

/** Merges the sources, validates once, and freezes. Throws LoraledgerError('config_invalid'). */
export function loadConfig(sources: ConfigSources = {}): Config {
  const argv = sources.argv ?? process.argv.slice(2);
  const env = sources.env ?? process.env;
  const cli = parseArgv(argv);
  const configPath = cli.configFile ?? env.LORALEDGER_CONFIG;
  const merged: Record<string, unknown> = configPath ? readConfigFile(configPath) : {};
  for (const key of keys) {
    const e = env[envOf(key)];
    if (e !== undefined && e !== '') merged[key] = coerce(key, e, envOf(key));
  }
  Object.assign(merged, cli.values);
  merged.replicaId ??= replicaIdFromHost(hostname());
  const config = Value.Default(ConfigSchema, merged) as Record<string, unknown>;
  const first = Value.Errors(ConfigSchema, config).First();
  if (first) {
    const key = first.path.split('/')[1] as ConfigKey;
    const shown = props[key]?.secret ? '(hidden)' : JSON.stringify(first.value);
    fail(key in props ? `--${flagOf(key)}: ${first.message}, got ${shown}` : `${first.path}: ${first.message}`);
  }
  const typed = config as Config;
  for (const rule of crossFieldRules) {
    const msg = rule(typed);
    if (msg) fail(msg);
  }
  (config.adapters as string[]) = Object.freeze([...(config.adapters as string[])]) as string[];
  return Object.freeze(typed);
}

/** The default --replica-id: the host name lowercased, other characters turned into '-', at most 63; r0 if empty. */
export function replicaIdFromHost(host: string): string {
  const id = host
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 63);
  return id.length > 0 ? id : 'r0';
}

/** True when argv asks for help. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** The --help text: every flag with its default, units and env variable. */
export function helpText(): string {
  const lines = ['Usage: npm start -- [flags]', '', 'Flags (precedence: flag > env > --config FILE > default):', ''];
  lines.push(
    '  --config FILE',
    '      JSON file of settings keyed by field name (e.g. {"maxLoraRank": 32}). Env: LORALEDGER_CONFIG.',
    '',
  );
  for (const key of keys) {
    const s = props[key];
    const def = s.default === undefined ? 'none' : JSON.stringify(s.default);
    lines.push(`  --${flagOf(key)}  (default ${def}; env ${envOf(key)})`, `      ${s.description as string}`, '');
  }
  lines.push('  --help', '      Print this text.');
  return lines.join('\n');
}

/** Config for logs: secrets replaced by "(set)". */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of keys) {
    const v = out[key];
    if (props[key].secret && v !== undefined && !(Array.isArray(v) && v.length === 0)) out[key] = '(set)';
  }
  return out;
}
