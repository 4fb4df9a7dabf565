/**
 * The report in a real browser: headless Chromium (Debian's `chromium`, installed by .ci/run)
 * opens the report of configs/tiny.json, run end to end through the CLI. No console errors, no
 * failed requests, no request beyond the file itself, every figure present with a non-zero
 * size. The screenshot is written to `test-output/report-tiny.png` for people to look at.
 * Skipped (reported as skipped) when no Chromium is installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((path) => path !== '' && existsSync(path));
const SCREENSHOT_DIR = join(ROOT, 'test-output');

const work = mkdtempSync(join(tmpdir(), 'report-browser-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs configs/tiny.json through the CLI into a fresh store and results folder; returns report.html. */
function tinyReport(): string {
  const env = { ...process.env, DCSBM_STORE: join(work, 'store'), DCSBM_RESULTS: join(work, 'results') };
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', 'configs/tiny.json'], { cwd: ROOT, env, encoding: 'utf8' });
  const match = /report: +(\S+)/.exec(out);
  if (match === null) throw new Error(`the experiment printed no report path:\n${out}`);
  return resolve(ROOT, match[1]);
}

describe.skipIf(CHROMIUM === undefined)('report.html in headless Chromium', () => {
  it('loads with no console errors and no network requests, every figure drawn', async () => {
    const report = tinyReport();
    const figureCount = (readFileSync(report, 'utf8').match(/<figure/g) ?? []).length;
    expect(figureCount).toBeGreaterThanOrEqual(8);
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1366, height: 900 });
      const consoleErrors: string[] = [];
      const failed: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(String(error)));
      page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(report).href;
      await page.goto(url, { waitUntil: 'load' });
      const sizes = await page.$$eval('figure svg', (svgs) => svgs.map((svg) => svg.getBoundingClientRect()).map((box) => [box.width, box.height]));
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'report-tiny.png'), fullPage: true });
      expect(consoleErrors).toEqual([]);
      expect(failed).toEqual([]);
      expect(requests).toEqual([url]);
      expect(sizes).toHaveLength(figureCount);
      for (const [width, height] of sizes) {
        expect(width).toBeGreaterThan(100);
        expect(height).toBeGreaterThan(100);
      }
    } finally {
      await browser.close();
    }
  }, 180_000);
});
