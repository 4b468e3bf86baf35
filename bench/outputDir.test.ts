import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareOutputDir } from './outputDir.ts';

test('results directory: created when missing, refused when non-empty unless --force, never wiped', async () => {
  const root = await mkdtemp(join(tmpdir(), 'bench-out-'));
  try {
    const fresh = join(root, 'a', 'b');
    assert.equal(await prepareOutputDir(fresh, false), fresh);
    assert.equal(await prepareOutputDir(fresh, false), fresh, 'an empty existing directory is fine');
    await writeFile(join(fresh, 'report.json'), '{"old":true}');
    await assert.rejects(prepareOutputDir(fresh, false), /is not empty \(1 entries, e\.g\. report\.json\).*--force/);
    assert.equal(
      await readFile(join(fresh, 'report.json'), 'utf8'),
      '{"old":true}',
      'refusal leaves the old results alone',
    );
    assert.equal(await prepareOutputDir(fresh, true), fresh);
    assert.equal(
      await readFile(join(fresh, 'report.json'), 'utf8'),
      '{"old":true}',
      '--force does not delete anything by itself',
    );
    await writeFile(join(root, 'file'), 'x');
    await assert.rejects(prepareOutputDir(join(root, 'file'), true), /not a directory/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
