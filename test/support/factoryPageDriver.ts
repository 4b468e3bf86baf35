// The factory page in a real browser (Debian's Chromium through puppeteer-core) for the browser
// tests (test/browser/): the launch, and the helpers that read and fill the page.
// CHROMIUM=/path overrides /usr/bin/chromium.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface PageDriver {
  browser: Browser;
  page: Page;
  /** Uncaught errors and console errors other than Chrome's own report of a failed API call. */
  pageErrors: string[];
  /** Every console message the page printed. */
  consoleLines: string[];
  /** An element's trimmed text. */
  text(selector: string): Promise<string>;
  /** Sets an input's value as typing would (input + change events). */
  fill(selector: string, value: string | number): Promise<void>;
  /** Picks a file in a file input. */
  upload(selector: string, path: string): Promise<void>;
  /** Waits for the followed job to reach one of these statuses; on timeout, says what the page shows. */
  waitForStatus(statuses: string[], timeout?: number): Promise<void>;
}

export async function launchFactoryPage(): Promise<PageDriver> {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const pageErrors: string[] = [];
  const consoleLines: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    consoleLines.push(msg.text());
    // the page's own failed API calls are reported by Chrome; anything else is a bug
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text());
  });

  const text = (selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').trim());
  async function fill(selector: string, value: string | number): Promise<void> {
    await page.$eval(
      selector,
      (el, v) => {
        (el as HTMLInputElement).value = v;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      },
      String(value),
    );
  }
  async function upload(selector: string, path: string): Promise<void> {
    const input = await page.$(selector);
    assert.ok(input, selector);
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(path);
  }
  async function waitForStatus(statuses: string[], timeout = 60_000): Promise<void> {
    const selector = statuses.map((st) => `#progress[data-status="${st}"]`).join(', ');
    try {
      await page.waitForSelector(selector, { timeout });
    } catch (err) {
      const shown = await page.evaluate(() => ({
        status: document.getElementById('progress')?.dataset.status,
        progress: document.getElementById('progress-text')?.textContent,
        error: document.getElementById('error')?.hidden ? null : document.getElementById('error-text')?.textContent,
        events: Array.from(document.querySelectorAll('#event-log li'), (li) => li.textContent).slice(0, 8),
      }));
      throw new Error(
        `no job status ${statuses.join('|')} within ${timeout} ms; the page shows ${JSON.stringify(shown)}`,
        { cause: err },
      );
    }
  }
  return { browser, page, pageErrors, consoleLines, text, fill, upload, waitForStatus };
}
