import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../../apps/api/src/testing/test-app';

export * from '../../apps/api/src/testing/test-app';

/** Debian's Chromium (.ci/run installs it): Playwright drives it, and downloads no browser of its own. */
export const CHROMIUM = process.env.ACCORD_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Where the tests leave their screenshots: out of git, unless ACCORD_CONSOLE_SCREENSHOTS names another folder (the
 * README's pictures are refreshed with ACCORD_CONSOLE_SCREENSHOTS=docs/console npm run test:console).
 */
export const SCREENSHOTS = join(
  __dirname,
  '..',
  '..',
  process.env.ACCORD_CONSOLE_SCREENSHOTS ?? '.tmp/console-screenshots',
);

export interface ConsoleServer extends TestApp {
  /** The API's origin: the console is under /console/. */
  url: string;
}

/** The whole API on a port of the loopback interface, with the built console (npm run build). */
export async function startConsoleServer(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<ConsoleServer> {
  const testApp = await startTestApp({ store: 'sqlite', env, dataDir });
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const address = testApp.app.getHttpServer().address() as { port: number };
  return { ...testApp, url: `http://127.0.0.1:${address.port}` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** A browser context of its own (a person at their own screen), in English unless told. */
export async function newPerson(
  browser: Browser,
  locale = 'en-GB',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale,
    timezoneId: 'Asia/Almaty',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    throw new Error(`The page opened a dialog: ${dialog.message()}`);
  });
  return { context, page };
}

/** Signs in with a pasted access token, as in development, and waits for the inbox. */
export async function signInWithToken(page: Page, server: ConsoleServer, bearer: string): Promise<void> {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Access token', { exact: true }).fill(bearer.replace(/^Bearer /, ''));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
}

/**
 * Runs `check` (Jest expectations on what the page shows) until it passes, or fails with its last failure once
 * `timeoutMs` has passed: what a person would see within that time, without reloading.
 */
export async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** What axe-core finds of impact serious or critical on the page as it is (WCAG 2.x A and AA rules). */
export async function seriousViolations(
  page: Page,
): Promise<{ id: string; impact: string; targets: string[] }[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact as string,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
