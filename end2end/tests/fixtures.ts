import { test as base, expect, ConsoleMessage } from '@playwright/test';

// Every test fails on a console error or an uncaught page error: a missing favicon, a CSP
// violation or a hydration panic is a bug, not noise.
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg: ConsoleMessage) => {
        if (msg.type() === 'error') errors.push(msg.text());
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
