// The ModelFactory page on a server started with --api-key (issue 19): the page itself loads
// without a key (with its security headers), every API call it makes answers 401 until a key is
// entered, and the page says so in its own words and points at its API key field. A wrong key is
// refused; the right one, kept in this tab's sessionStorage only, goes as "Authorization: Bearer"
// on every call: the page then trains an adapter from an uploaded file and chats with it. The key
// never shows in a URL, a cookie, localStorage, the console or the page's DOM.
// Not a *.test.ts file: `npm run test:browser` runs it (it needs a browser).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HTTPRequest } from 'puppeteer-core';
import type { FastifyInstance } from 'fastify';
import { bracketIds, memoriseJsonl, PROMPTS } from '../support/memoriseData.ts';
import { startFineTuningServer } from '../support/fineTuningServer.ts';
import { launchFactoryPage, type PageDriver } from '../support/factoryPageDriver.ts';

const API_KEY = 'sk-page-test-4f1c9a7e';
const tmp = mkdtempSync(join(tmpdir(), 'loraledger-factory-key-'));
let app: FastifyInstance;
let base: string;
let d: PageDriver;
/** Every API call the page made: its URL and Authorization header. */
const calls: Array<{ url: string; authorization: string | undefined }> = [];

before(async () => {
  ({ app, base } = await startFineTuningServer({
    dir: tmp,
    adminKey: 'factory-key-admin',
    argv: ['--api-key', API_KEY],
  }));
  writeFileSync(join(tmp, 'train.jsonl'), memoriseJsonl(PROMPTS.slice(0, 4)));
  d = await launchFactoryPage();
  d.page.on('request', (r: HTTPRequest) => {
    if (new URL(r.url()).pathname.startsWith('/v1/'))
      calls.push({ url: r.url(), authorization: r.headers().authorization });
  });
});
after(async () => {
  await d?.browser.close();
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const bannerShown = () => d.page.waitForSelector('#error:not([hidden])');

test('without a key the page loads, and its 401 is told in its own words, pointing at the key field', async () => {
  const res = await d.page.goto(`${base}/factory`, { waitUntil: 'networkidle0' });
  assert.equal(res?.status(), 200, 'the page itself is open');
  const headers = res!.headers();
  assert.match(headers['content-security-policy'] ?? '', /default-src 'self'/);
  assert.equal(headers['x-content-type-options'], 'nosniff', 'helmet headers on the page');
  await bannerShown();
  assert.match(
    await d.text('#error-text'),
    /: this server needs an API key\. Enter yours in the "API key" field at the top of the page\.$/,
  );
  assert.equal(await d.page.$eval('#api-key-form', (el) => el.classList.contains('needs-key')), true);
  assert.equal(await d.page.$eval('#api-key', (el) => el.getAttribute('aria-invalid')), 'true');
  assert.equal(await d.page.$eval('#api-key', (el) => el === document.activeElement), true, 'the field has focus');
  assert.ok(calls.length >= 3 && calls.every((c) => c.authorization === undefined), JSON.stringify(calls));
  const r = await fetch(`${base}/v1/models`);
  assert.equal(r.status, 401, 'the server does refuse key-less calls');
});

test('a wrong key is refused, with the page saying so', async () => {
  await d.page.click('#error-close');
  await d.page.type('#api-key', 'sk-not-the-key');
  await d.page.click('#api-key-save');
  await bannerShown();
  assert.match(await d.text('#error-text'), /: the server refused this tab’s API key\. Check it and enter it again/);
  assert.equal(calls.at(-1)!.authorization, 'Bearer sk-not-the-key');
});

test('with the key the page reads the server, trains an adapter and chats with it', async () => {
  const from = calls.length;
  await d.page.type('#api-key', API_KEY);
  await d.page.click('#api-key-save');
  await d.page.waitForSelector('#base-model option');
  assert.ok(await d.page.$eval('#error', (el) => (el as HTMLElement).hidden), await d.text('#error-text'));
  assert.match(await d.text('#server-info'), /stories260K/);
  assert.equal(await d.page.$eval('#api-key-form', (el) => (el as HTMLElement).dataset.key), 'set');
  assert.equal(await d.page.$eval('#api-key', (el) => (el as HTMLInputElement).value), '', 'not left in the page');

  await d.upload('#training-file', join(tmp, 'train.jsonl'));
  await d.page.waitForFunction(() => /^file-/.test(document.getElementById('training-file-info')?.textContent ?? ''));
  await d.fill('#hp-n_epochs', 2);
  await d.fill('#hp-batch_size', 2);
  await d.fill('#hp-lora_r', 4);
  await d.fill('#suffix', 'keyed');
  await d.page.click('#start');
  await d.waitForStatus(['succeeded'], 240_000);
  await d.page.waitForSelector('#chat-send:not([disabled])');
  const model = await d.text('#deployed-id');
  assert.match(model, /^ft-keyed-/);
  await d.page.type('#chat-input', bracketIds(PROMPTS[0]!));
  await d.page.click('#chat-send');
  await d.page.waitForSelector('#chat-log .msg.assistant', { timeout: 60_000 });
  assert.equal(await d.text('#chat-log .msg.assistant .who'), model);
  assert.ok(await d.page.$eval('#error', (el) => (el as HTMLElement).hidden), await d.text('#error-text'));

  const keyed = calls.slice(from);
  const paths = new Set(keyed.map((c) => `${new URL(c.url).pathname}`));
  for (const p of ['/v1/models', '/v1/files', '/v1/fine_tuning/jobs', '/v1/chat/completions'])
    assert.ok(paths.has(p), `the page called ${p}: ${[...paths].join(' ')}`);
  assert.deepEqual(
    keyed.filter((c) => c.authorization !== `Bearer ${API_KEY}`),
    [],
    'every API call carries the key',
  );
});

test('the key lives in this tab’s sessionStorage only: no URL, cookie, localStorage or console line holds it', async () => {
  const stored = await d.page.evaluate(() => ({
    session: Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)]),
    local: localStorage.length,
    cookie: document.cookie,
    html: document.documentElement.outerHTML,
  }));
  assert.deepEqual(stored.session, [['loraledger.apiKey', API_KEY]]);
  assert.equal(stored.local, 0);
  assert.equal(stored.cookie, '');
  assert.ok(!stored.html.includes(API_KEY), 'not in the DOM');
  assert.ok(!d.page.url().includes(API_KEY));
  assert.deepEqual(
    calls.filter((c) => c.url.includes(API_KEY)),
    [],
  );
  assert.deepEqual(
    d.consoleLines.filter((l) => l.includes(API_KEY)),
    [],
  );
  assert.deepEqual(d.pageErrors, []);

  // a new tab has its own sessionStorage: no key there, so it asks again
  const other = await d.browser.newPage();
  await other.goto(`${base}/factory`, { waitUntil: 'networkidle0' });
  await other.waitForSelector('#error:not([hidden])');
  assert.match(await other.$eval('#error-text', (el) => el.textContent ?? ''), /this server needs an API key/);
  await other.close();

  // "forget" drops it from this tab: the next call is refused again
  await d.page.click('#api-key-forget');
  await bannerShown();
  assert.equal(await d.page.evaluate(() => sessionStorage.length), 0);
  assert.match(await d.text('#error-text'), /this server needs an API key/);
});
