// adapterDirectory over a real AdapterRegistry that registered its adapters by SCANNING a root
// (no metadata read yet): listings still carry each adapter's rank, description, tags and owner,
// read lazily from the folders; an unreadable folder lists as errored with its reason.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterRegistry } from '../adapters/index.ts';
import { generateAdapter } from '../factory/index.ts';
import { loadModelSpec } from '../kernels/model/index.ts';
import { adapterDirectory } from './adapterDirectory.ts';

const tmp = mkdtempSync(join(tmpdir(), 'loraledger-dir-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const OWNER = '0x00000000000000000000000000000000000000a1';

test('scanned adapters list with their metadata; a broken folder lists as errored', async () => {
  const spec = await loadModelSpec(new URL('../../shared/models/stories260K', import.meta.url).pathname);
  await generateAdapter({
    dir: join(tmp, 'ad-sql'),
    spec,
    seed: 1,
    rank: 4,
    description: 'SQL database queries',
    tags: ['sql', 'database'],
    owner: OWNER,
  });
  await generateAdapter({ dir: join(tmp, 'ad-plain'), spec, seed: 2, rank: 2 });
  mkdirSync(join(tmp, 'ad-broken'));
  writeFileSync(join(tmp, 'ad-broken', 'adapter_config.json'), '{not json');
  const registry = new AdapterRegistry({ spec, roots: [tmp] });
  registry.scanRoot(tmp);
  assert.equal(registry.get('ad-sql')!.meta, null, 'scanning reads no metadata');
  const dir = adapterDirectory(registry, () => {
    throw new Error('listing must not need the engine');
  });
  const byId = Object.fromEntries(dir.list().map((a) => [a.id, a]));
  assert.deepEqual(Object.keys(byId).sort(), ['ad-broken', 'ad-plain', 'ad-sql']);
  const sql = byId['ad-sql'];
  assert.deepEqual(
    [sql.state, sql.rank, sql.description, sql.tags, sql.owner],
    ['registered', 4, 'SQL database queries', ['sql', 'database'], OWNER],
  );
  assert.deepEqual(
    [byId['ad-plain'].rank, byId['ad-plain'].description, byId['ad-plain'].tags, byId['ad-plain'].owner],
    [2, null, [], null],
  );
  const broken = byId['ad-broken'];
  assert.equal(broken.state, 'errored');
  assert.match(broken.reason ?? '', /ad-broken.*(no weights file|adapter_config)/);
  assert.deepEqual([broken.rank, broken.description, broken.tags], [null, null, []]);
  assert.deepEqual(dir.get('ad-sql'), sql);
  assert.equal(dir.get('nope'), undefined);
});
