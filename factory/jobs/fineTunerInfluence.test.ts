// The post-success hook: a fine-tuning job that succeeds leaves its example rows and per-example
// gradients beside the adapter, for the manifest it wrote (stories260K, a real job on the real
// training thread), and the adapter's own training example ranks first for its own completion;
// with its influence/ folder gone, the rows are rebuilt from the job (an older adapter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { influenceFiles, readExampleRows, readGradientHeader } from '../../adapters/index.ts';
import { InfluenceScorer } from '../../attribution/scoring/influence/index.ts';
import { memoriseJsonl, PROMPTS, COMPLETION } from '../../test/support/memoriseData.ts';
import { FineTuner } from './fineTuner.ts';

const STORIES = new URL('../../../shared/models/stories260K', import.meta.url).pathname;

test('a succeeded job stores influence gradients for its manifest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-influence-'));
  const deployed = new Map<string, string>();
  const ft = new FineTuner({
    dir: join(dir, 'ft'),
    adaptersRoot: join(dir, 'adapters'),
    modelDir: STORIES,
    baseModelId: 'stories260K',
    cacheDir: join(dir, 'cache'),
    maxLoraRank: 8,
    threads: 1,
    contextLength: 64,
    adapterPath: (id) => deployed.get(id) ?? null,
    deploy: async (id, path) => void deployed.set(id, path),
  });
  t.after(async () => {
    await ft.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = await ft.uploadFile({
    filename: 'train.jsonl',
    purpose: 'fine-tune',
    content: Buffer.from(memoriseJsonl(PROMPTS.slice(0, 4))),
  });
  const job = ft.createJob({
    model: 'stories260K',
    training_file: file.id,
    hyperparameters: { n_epochs: 2, batch_size: 2, lora_r: 4, lora_alpha: 8 },
  });
  let row = ft.job(job.id);
  for (let i = 0; i < 600 && !['succeeded', 'failed', 'cancelled'].includes(row.status); i++) {
    await new Promise((r) => setTimeout(r, 100));
    row = ft.job(job.id);
  }
  await ft.whenIdle(); // the gradients are stored after `succeeded`, before the runner goes idle
  assert.equal(row.status, 'succeeded', JSON.stringify(row.result.error));
  const adapterDir = deployed.get(row.result.fineTunedModel!)!;
  const hash = JSON.parse(readFileSync(join(adapterDir, 'loraledger.json'), 'utf8')).training_manifest_hash;
  const header = await readGradientHeader(influenceFiles(adapterDir).gradients);
  assert.equal(header.manifestHash, hash);
  assert.equal(header.projection, null); // stories260K at rank 4 is small: stored exact
  const rows = (await readExampleRows(adapterDir, hash))!;
  assert.deepEqual(
    header.examples.map((e) => e.id),
    rows.map((r) => r.id),
  );
  const events = ft.events(job.id, { limit: 100 }).data.map((e) => e.message);
  assert.ok(
    events.some((m) => /^Influence gradients stored for \d+ examples/.test(m)),
    events.join('\n'),
  );

  const scorer = new InfluenceScorer({
    adapterDir: () => adapterDir,
    gradients: ft.influenceGradients(),
    contextLength: 64,
  });
  const k = 2;
  const prompt = rows[k]!.tokens.slice(0, rows[k]!.weights.indexOf(1));
  const scores = (await scorer.score({ adapterId: 'x', promptIds: prompt, completionIds: [...COMPLETION, 2] }))!;
  assert.equal(scores[0]!.exampleId, rows[k]!.id);
  assert.equal(scores[0]!.datanet, null); // an uploaded file: no DataNet, paid to the job's owner

  // an older adapter: its influence/ folder gone, the rows are rebuilt from the job that trained it
  rmSync(join(adapterDir, 'influence'), { recursive: true });
  const again = new InfluenceScorer({
    adapterDir: () => adapterDir,
    gradients: ft.influenceGradients(),
    contextLength: 64,
  });
  const rescored = (await again.score({ adapterId: 'x', promptIds: prompt, completionIds: [...COMPLETION, 2] }))!;
  assert.deepEqual(
    rescored.map((s) => s.exampleId),
    scores.map((s) => s.exampleId),
  );
  assert.deepEqual(await readExampleRows(adapterDir, hash), rows);
  // the first scorer still held the old file's header: its next request fails (the file it read is
  // gone), it forgets the header, and the one after loads the store again
  rmSync(join(adapterDir, 'influence', 'gradients.bin'));
  const ask = { adapterId: 'x', promptIds: prompt, completionIds: [...COMPLETION, 2] };
  await assert.rejects(scorer.score(ask), /ENOENT/);
  assert.deepEqual(
    (await scorer.score(ask))!.map((s) => s.exampleId),
    scores.map((s) => s.exampleId),
  );
  // a manifest naming a job this server does not know cannot be recovered
  assert.equal(await ft.recoverExampleRows({ job: 'ftjob-unknown', examples: [] }), null);
});
