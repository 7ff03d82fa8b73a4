// A real headless Chromium for the dashboard's browser tests: Debian's `chromium` package (never a
// downloaded browser), driven by playwright-core. A missing Chromium fails the test, never skips it:
// .ci/run installs the package. Screenshots go to a directory outside the repository, printed once.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env['BRIGADE_CHROMIUM'] ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** Saves a full-page screenshot as NAME.png in the artifacts directory; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Saves a screenshot of one element as NAME.png; returns its path. */
  screenshotOf(element: Locator, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium)`);
  // Playwright starts it with a fresh profile directory of its own (and --headless). Flags that keep Chromium off the network it would call home to, and workable as root in a container.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const artifacts = process.env['BRIGADE_TEST_ARTIFACTS'] ?? join(tmpdir(), 'brigade-dashboard-screenshots');
  await mkdir(artifacts, { recursive: true });
  process.stdout.write(`# dashboard screenshots: ${artifacts}\n`);
  return {
    browser,
    screenshot: async (page, name) => {
      const path = join(artifacts, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    screenshotOf: async (element, name) => {
      const path = join(artifacts, `${name}.png`);
      await element.screenshot({ path });
      return path;
    },
    close: async () => {
      await browser.close();
    },
  };
}
