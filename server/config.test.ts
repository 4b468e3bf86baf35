import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { envOf, flagOf, helpText, loadConfig, redactConfig, replicaIdFromHost } from './config.ts';
import { ConfigSchema } from './configSchema.ts';
import { LoraledgerError } from '../common/index.ts';
import { feeConfigFromSettings } from '../attribution/index.ts';

const load = (argv: string[], env: Record<string, string> = {}) => loadConfig({ argv, env });

function throwsConfig(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) => err instanceof LoraledgerError && err.code === 'config_invalid' && pattern.test(err.message),
  );
}

test('defaults fill every field and the result is frozen', () => {
  const c = load([]);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8000);
  assert.equal(c.precision, 'fp32');
  assert.equal(c.maxLoraRank, 16);
  assert.equal(c.maxActiveAdapters, 0); // sized at start (server/engineSizing.ts)
  assert.equal(c.maxCachedAdapters, 0);
  assert.equal(c.ortSpinning, false);
  assert.equal(c.maxBatchSize, 32);
  assert.equal(c.cacheDir, '.loraledger');
  assert.equal(c.model, undefined);
  assert.deepEqual(c.adapters, []);
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.adapters));
  assert.throws(() => {
    (c as { port: number }).port = 1;
  });
});

test('precedence: flag > env > config file > default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llcfg-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ port: 1111, maxQueue: 5, threads: 3 }));
  const c = load(['--config', file, '--port', '3333'], { LORALEDGER_PORT: '2222', LORALEDGER_MAX_QUEUE: '7' });
  assert.equal(c.port, 3333); // flag
  assert.equal(c.maxQueue, 7); // env over file
  assert.equal(c.threads, 3); // file over default
  assert.equal(load([`--config=${file}`]).port, 1111);
});

test('flags: --x=v form, repeated and comma-separated adapters, --model alias', () => {
  const c = load([
    '--model',
    '/m',
    '--adapters',
    '/a,/b',
    '--adapters=/c',
    '--max-lora-rank=32',
    '--precision',
    'int8',
  ]);
  assert.equal(c.model, '/m');
  assert.deepEqual(c.adapters, ['/a', '/b', '/c']);
  assert.equal(c.maxLoraRank, 32);
  assert.equal(c.precision, 'int8');
});

test('admin key from env LORALEDGER_ADMIN_KEY, and redacted for logs', () => {
  const c = load([], { LORALEDGER_ADMIN_KEY: 'secret-key-123' });
  assert.equal(c.adminKey, 'secret-key-123');
  assert.equal(redactConfig(c).adminKey, '(set)');
  assert.ok(!JSON.stringify(redactConfig(c)).includes('secret-key-123'));
});

test('bad values name the flag', () => {
  throwsConfig(() => load(['--port', 'abc']), /--port: expected a number, got "abc"/);
  throwsConfig(() => load(['--port', '70000']), /--port: .*65535/);
  throwsConfig(() => load(['--precision', 'fp8']), /--precision/);
  throwsConfig(() => load(['--max-lora-rank', '1.5']), /--max-lora-rank: Expected integer/);
  throwsConfig(() => load(['--nope', '1']), /unknown flag --nope/);
  throwsConfig(() => load(['--port']), /--port needs a value/);
  throwsConfig(() => load(['stray']), /unexpected argument "stray"/);
  throwsConfig(() => load([], { LORALEDGER_MAX_QUEUE: 'many' }), /LORALEDGER_MAX_QUEUE: expected a number/);
  throwsConfig(() => load(['--admin-key', 'short']), /--admin-key: .*\(hidden\)/);
});

test('cross-field rules', () => {
  throwsConfig(
    () => load(['--max-active-adapters', '10', '--max-cached-adapters', '4']),
    /--max-cached-adapters \(4\) must be >= --max-active-adapters \(10\)/,
  );
  throwsConfig(
    () => load(['--max-batch-size', '64', '--max-batch-tokens', '16']),
    /--max-batch-tokens \(16\) must be >= --max-batch-size \(64\)/,
  );
});

test('config file errors: missing, not JSON, unknown key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llcfg-'));
  throwsConfig(() => load(['--config', join(dir, 'none.json')]), /cannot read/);
  writeFileSync(join(dir, 'bad.json'), '{nope');
  throwsConfig(() => load(['--config', join(dir, 'bad.json')]), /not valid JSON/);
  writeFileSync(join(dir, 'unk.json'), '{"portt": 1}');
  throwsConfig(() => load(['--config', join(dir, 'unk.json')]), /unknown setting "portt"/);
});

test('--help lists every field with its flag, default and env variable; every field is documented', () => {
  const help = helpText();
  for (const key of Object.keys(ConfigSchema.properties) as Array<keyof typeof ConfigSchema.properties>) {
    const s = ConfigSchema.properties[key] as { description?: string };
    assert.ok(s.description && s.description.length > 10, `${key} has a description`);
    assert.ok(help.includes(`--${flagOf(key)}`), `help lists --${flagOf(key)}`);
    assert.ok(help.includes(envOf(key)), `help lists ${envOf(key)}`);
  }
  assert.match(help, /--port {2}\(default 8000; env LORALEDGER_PORT\)/);
});

test('server config: fee fractions not summing to 1e6 are refused at start-up; defaults give a valid fee config', () => {
  assert.throws(
    () => loadConfig({ argv: ['--fee-model-ppm', '600000'], env: {} }),
    (e: unknown) =>
      e instanceof LoraledgerError &&
      e.code === 'config_invalid' &&
      /--fee-model-ppm \(600000\) \+ --fee-adapter-ppm \(200000\) \+ --fee-data-ppm \(300000\) must sum to 1000000/.test(
        e.message,
      ),
  );
  assert.throws(
    () => loadConfig({ argv: ['--prompt-price-per-1k', '-1'], env: {} }),
    (e: unknown) => e instanceof LoraledgerError && e.code === 'config_invalid',
  );
  const fees = feeConfigFromSettings(
    loadConfig({ argv: ['--fee-model-ppm', '400000', '--fee-data-ppm', '400000'], env: {} }),
  );
  assert.deepEqual(fees.split, { model: 400_000, adapter: 200_000, data: 400_000 });
  assert.equal(fees.promptPricePer1k, 1_000_000_000_000n);
});

test('training-data attribution flags: --fee-training-ppm and --span-min-tokens take their defaults and refuse out-of-range values', () => {
  const c = load([]);
  assert.equal(c.feeTrainingPpm, 500_000);
  assert.equal(c.spanMinTokens, 8);
  assert.equal(feeConfigFromSettings(load(['--fee-training-ppm', '250000'])).trainingPpm, 250_000);
  throwsConfig(() => load(['--fee-training-ppm', '1000001']), /fee-training-ppm/);
  throwsConfig(() => load(['--fee-training-ppm', '-1']), /fee-training-ppm/);
  throwsConfig(() => load(['--span-min-tokens', '0']), /span-min-tokens/);
  throwsConfig(() => load(['--span-min-tokens', 'eight']), /span-min-tokens/);
});

test('--replica-id: set by flag or env; default from the host name (sanitised), r0 when that leaves nothing; bad ids refused', () => {
  assert.equal(load(['--replica-id', 'r1']).replicaId, 'r1');
  assert.equal(load([], { LORALEDGER_REPLICA_ID: 'pod-7' }).replicaId, 'pod-7');
  assert.equal(replicaIdFromHost('Web_01.Example.COM'), 'web_01.example.com');
  assert.equal(replicaIdFromHost('my host:8'), 'my-host-8');
  assert.equal(replicaIdFromHost('--x'), 'x');
  assert.equal(replicaIdFromHost(''), 'r0');
  assert.equal(replicaIdFromHost('a'.repeat(80)).length, 63);
  const d = load([]).replicaId;
  assert.equal(d, replicaIdFromHost(hostname()));
  assert.match(d, /^[a-z0-9][a-z0-9._-]{0,62}$/);
  throwsConfig(() => load(['--replica-id', 'Has Space']), /--replica-id/);
  throwsConfig(() => load(['--replica-id', '']), /--replica-id/);
});
