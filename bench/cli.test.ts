import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = new URL('./cli.ts', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000 });

test('npm run bench refuses a non-empty --out before doing any work, and leaves it untouched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
  try {
    await writeFile(join(dir, 'report.md'), 'old results');
    const r = run('--quick', '--out', dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not empty .*--force/);
    assert.deepEqual(await readdir(dir), ['report.md']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench CLI: --help lists scenarios; bad flags are refused with a message', () => {
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /mixed-32-adapters \(v1\) \[quick\]/);
  const noOut = run('--quick');
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /--out DIR is required/);
  const badScenario = run('--scenarios', 'nope', '--out', join(tmpdir(), 'never-created-bench-dir'));
  assert.equal(badScenario.status, 2);
  assert.match(badScenario.stderr, /unknown scenario "nope"/);
  const badSystem = run('--systems', 'vllm', '--out', join(tmpdir(), 'never-created-bench-dir'));
  assert.match(badSystem.stderr, /unknown system "vllm"; known: loraledger, naive-merged, llama\.cpp/);
});
