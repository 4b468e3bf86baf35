// Runs every `*.test.ts` file in the project's folders with Node's own test runner.
// Node 20's `--test` does not expand globs, so this finds the files and hands them over.
// Usage: npm test [-- <substring filter>]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const folders = ['common', 'kernels', 'adapters', 'factory', 'attribution', 'server', 'bench', 'test'];

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
}

const files: string[] = [];
for (const folder of folders) walk(join(root, folder), files);
const filters = process.argv.slice(2);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (selected.length === 0) {
  console.error(`no test files matched ${filters.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...selected],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
