import { test as base, expect, ConsoleMessage } from '@playwright/test';

// Every test fails on a console error or an uncaught page error: a missing favicon, a CSP
// violation or a hydration panic is a bug, not noise. The one exception: Chromium logs every
// 4xx answer as "Failed to load resource", and Keyport's server functions answer refusals
// (a wrong code, a rate limit) with 4xx on purpose. Those are checked by each test's
// assertions on the page instead. 5xx answers still fail the test.
const EXPECTED_REFUSAL = /^Failed to load resource: the server responded with a status of 4\d\d/;

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg: ConsoleMessage) => {
        if (msg.type() !== 'error') return;
        const fromApi = msg.location().url.includes('/api/');
        if (fromApi && EXPECTED_REFUSAL.test(msg.text())) return;
        errors.push(`${msg.text()} (${msg.location().url})`);
      });
      page.on('pageerror', (err) => errors.push(err.message));
      await use(errors);
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the wasm has taken over the page. */
export async function hydrated(page: import('@playwright/test').Page) {
  await expect(page.locator('.app[data-hydrated="true"]')).toBeVisible();
}
