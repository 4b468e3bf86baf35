// The ModelFactory page in a real browser (Debian's Chromium through puppeteer-core): a real
// server on stories260K, the page at /factory uploads a training file through its file input,
// starts the job the e2e test runs (test/fineTuning.e2e.test.ts), follows it to the end, compares
// base and tuned answers, chats with the new adapter and lists who contributed. Saves a screenshot
// to test-results/factory-page.png. Not a *.test.ts file: `npm run test:browser` runs it, since it
// needs a browser (CHROMIUM=/path overrides /usr/bin/chromium).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import type { FastifyInstance } from 'fastify';
import { bracketIds, COMPLETION, memoriseJsonl, PROMPTS } from '../support/memoriseData.ts';
import { startFineTuningServer } from '../support/fineTuningServer.ts';
import { launchFactoryPage, type PageDriver } from '../support/factoryPageDriver.ts';

const SCREENSHOT = new URL('../../test-results/factory-page.png', import.meta.url).pathname;
const KEY = 'factory-page-admin-key';
const OWNER = '0x00000000000000000000000000000000000000aa';
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-factory-page-'));

const ids = bracketIds;
const jsonl = memoriseJsonl;

let app: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let text: PageDriver['text'];
let fill: PageDriver['fill'];
let upload: PageDriver['upload'];
let waitForStatus: PageDriver['waitForStatus'];

before(async () => {
  ({ app, base } = await startFineTuningServer({ dir: tmp, adminKey: KEY }));
  writeFileSync(join(tmp, 'train.jsonl'), jsonl(PROMPTS.slice(0, 6)));
  writeFileSync(join(tmp, 'valid.jsonl'), jsonl(PROMPTS.slice(6)));
  // a DataNet to preview (created through the API; contributors post documents directly)
  const post = (path: string, body: object, admin = false) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(admin && { authorization: `Bearer ${KEY}` }) },
      body: JSON.stringify(body),
    }).then((r) => assert.equal(r.status, 200, `POST ${path}`));
  await post('/v1/datanets', { id: 'tiny-stories', title: 'Tiny stories' }, true);
  await post('/v1/datanets/tiny-stories/documents', { text: ids([12, 34, 56, 78]), contributor: OWNER });

  ({ browser, page, pageErrors, text, fill, upload, waitForStatus } = await launchFactoryPage());
});

after(async () => {
  await browser?.close();
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('the page loads the base model, the DataNets with a preview, and nothing from elsewhere', async () => {
  const res = await page.goto(`${base}/factory`, { waitUntil: 'networkidle0' });
  assert.equal(res?.status(), 200);
  assert.match(res!.headers()['content-security-policy'] ?? '', /default-src 'self'/);
  await page.waitForSelector('#base-model option');
  assert.equal(await page.$eval('#base-model', (el) => (el as HTMLSelectElement).value), 'stories260K');
  assert.match(await text('#server-info'), /stories260K/);

  await page.click('#tab-datanet');
  await page.waitForFunction(() => document.querySelector('#data-preview tbody')?.textContent?.includes('[12]'));
  assert.match(await text('#datanet'), /Tiny stories \(1 documents\)/);
  assert.match(await text('#data-preview'), /0x0000.*00aa/);
  await page.click('#tab-file');
});

test('an upload previews its rows; an API error is shown to the user in its own words', async () => {
  await upload('#training-file', join(tmp, 'train.jsonl'));
  await page.waitForFunction(() => /^file-/.test(document.getElementById('training-file-info')?.textContent ?? ''));
  assert.match(await text('#training-file-info'), /train\.jsonl · 6 rows/);
  assert.equal((await page.$$('#data-preview tbody tr')).length, 5);
  assert.match(await text('#data-preview'), /\[45\] \[210\] \[33\]/);
  await upload('#validation-file', join(tmp, 'valid.jsonl'));
  await page.waitForFunction(() => /^file-/.test(document.getElementById('validation-file-info')?.textContent ?? ''));

  await fill('#hp-lora_r', 64); // the server caps rank at 8 (--max-lora-rank)
  await page.click('#start');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await text('#error-text'), /^Starting the job: hyperparameters\.lora_r must be in \[1, 8\]/);
  await page.click('#error-close');
});

test('a job started from the page trains to the end, with progress and a live loss chart', async () => {
  await fill('#hp-n_epochs', 30);
  await fill('#hp-batch_size', 3);
  await fill('#hp-learning_rate_multiplier', 10);
  await fill('#hp-lora_r', 8);
  await page.click('#advanced summary');
  await fill('#hp-lora_alpha', 16);
  await fill('#hp-eval_every', 10);
  await fill('#hp-checkpoint_every', 20);
  await fill('#seed', 3);
  await fill('#owner', OWNER);
  await fill('#description', 'memorises one continuation');
  await fill('#suffix', 'memo');
  await page.click('#advanced summary'); // fold it again
  assert.match(await text('#plan'), /rank-8 LoRA adapter on stories260K for 30 epochs over 6 rows \(about 60 steps\)/);
  await page.click('#start');
  await page.waitForFunction(() => /^ftjob-/.test(document.getElementById('job-id')?.textContent ?? ''));
  await waitForStatus(['succeeded'], 240_000);
  assert.equal(await page.$eval('#progress', (el) => el.getAttribute('aria-valuenow')), '100');
  assert.match(await text('#progress-text'), /^Done: 60 steps/);
  assert.ok(!(await page.$eval('#error', (el) => (el as HTMLElement).hidden === false)), await text('#error-text'));

  const points = await page.$eval('#loss-chart', (el) => [
    Number((el as HTMLElement).dataset.trainPoints),
    Number((el as HTMLElement).dataset.validPoints),
  ]);
  assert.equal(points[0], 60, 'one training-loss point per step');
  assert.ok(points[1]! >= 6, `validation points: ${points[1]}`);
  assert.ok(await page.$('#loss-chart polyline.train-line'));
  assert.ok(await page.$('#loss-chart polyline.valid-line'));
  assert.match(await text('#event-log'), /The job has successfully completed/);
  assert.match(await text('#jobs tbody tr.current'), /succeeded/);
});

test('base and tuned answers side by side: the tuned one continues as trained', async () => {
  await page.waitForSelector('#compare:not([disabled])');
  assert.equal((await page.$eval('#compare-prompts', (el) => (el as HTMLTextAreaElement).value)).split('\n').length, 3);
  await fill('#compare-max-tokens', COMPLETION.length);
  await page.click('#compare');
  await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length === 3, {
    timeout: 60_000,
  });
  const rows = await page.$$eval('#compare-table tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())),
  );
  for (const [prompt, baseAnswer, tuned] of rows) {
    assert.equal(tuned, ids(COMPLETION), `tuned after ${prompt}`);
    assert.notEqual(baseAnswer, ids(COMPLETION), `base after ${prompt}`);
  }
});

test('the adapter is live at once under its id, and the page chats with it', async () => {
  const model = await text('#deployed-id');
  assert.match(model, /^ft-memo-/);
  const listed = (await (await fetch(`${base}/v1/models`)).json()) as { data: Array<{ id: string }> };
  assert.ok(listed.data.some((m) => m.id === model));
  assert.match(await text('#deployed-state'), /^serving/);
  assert.match(await text('#deployed-snippet'), new RegExp(`"model": "${model}"`));

  await page.type('#chat-input', ids(PROMPTS[0]!));
  await page.click('#chat-send');
  await page.waitForSelector('#chat-log .msg.assistant', { timeout: 60_000 });
  assert.equal(await text('#chat-log .msg.user'), `you${ids(PROMPTS[0]!)}`);
  assert.equal(await text('#chat-log .msg.assistant .who'), model);
});

test('the contributors whose data trained it are listed, and the page raised no error', async () => {
  await page.waitForSelector(`#contributors:not([hidden]) tr[data-contributor="${OWNER}"]`);
  const cells = await page.$$eval(`#contributors tr[data-contributor="${OWNER}"] td`, (tds) =>
    tds.map((td) => (td.textContent ?? '').trim()),
  );
  assert.deepEqual(cells.slice(0, 3), [OWNER, 'uploaded file', '6']);
  assert.match(await text('#provenance-summary'), /^6 training examples from 1 contributor trained/);

  mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
  assert.deepEqual(pageErrors, []);
});

test('a job can be paused, resumed and cancelled from the page', async () => {
  await fill('#hp-n_epochs', 50);
  await fill('#hp-batch_size', 1);
  // a validation pass and a checkpoint after every step keep the job running long enough to pause
  // it from the page (bare steps on stories260K take a few milliseconds: CI once saw it finish first)
  await fill('#hp-eval_every', 1);
  await fill('#hp-checkpoint_every', 1);
  await fill('#suffix', 'long');
  await page.click('#start');
  await waitForStatus(['running'], 120_000);
  // 300 steps (6 rows, 50 epochs): long enough to see the progress bar move with an ETA
  await page.waitForFunction(
    () => /^Step \d+ \/ 300 · \d+ % · ETA \d/.test(document.getElementById('progress-text')?.textContent ?? ''),
    { timeout: 120_000 },
  );
  const width = await page.$eval('#progress-bar', (el) => parseFloat((el as HTMLElement).style.width));
  assert.ok(width > 0 && width < 100, `progress bar at ${width}%`);
  await page.waitForSelector('#pause:not([disabled])');
  await page.click('#pause');
  await waitForStatus(['paused']);
  assert.match(await text('#progress-text'), /^Paused/);
  await page.click('#resume');
  await waitForStatus(['queued', 'running']);
  await page.waitForSelector('#cancel:not([disabled])');
  await page.click('#cancel');
  await waitForStatus(['cancelled']);
  assert.match(await text('#event-log'), /Job paused[\s\S]*Job cancelled|Job cancelled[\s\S]*Job paused/);
  await page.waitForFunction(() => document.querySelectorAll('#jobs tbody tr').length === 2);
  assert.match(await text('#jobs tbody tr.current'), /cancelled/);
  const cancelled = await text('#job-id');
  const r = await fetch(`${base}/v1/fine_tuning/jobs/${cancelled}/provenance`);
  assert.equal(r.status, 404);
  assert.match(((await r.json()) as { error: { message: string } }).error.message, /no trained adapter yet/);
  // the finished job's adapter is gone from the try-it steps until that job is watched again
  assert.ok(await page.$eval('#deployed', (el) => (el as HTMLElement).hidden));
  await page.click('#jobs tbody tr:not(.current) button');
  await page.waitForSelector('#deployed:not([hidden])');
  assert.deepEqual(pageErrors, []);
});
