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

import { Page } from '@playwright/test';
import { DEMO_PASSWORD, sandboxAt, handoffToken } from './sandbox';

/** Signs in with password and, when asked, the authenticator-app code from `secret`. */
export async function signIn(
  page: Page,
  username: string,
  opts: { base?: string; sandbox?: ReturnType<typeof sandboxAt>; secret?: string; kind?: string } = {},
) {
  const base = opts.base ?? '';
  await page.goto(`${base}/signin`);
  await hydrated(page);
  await page.getByTestId('username').fill(username);
  await page.getByTestId('password').fill(DEMO_PASSWORD);
  await page.getByTestId('signin-submit').click();
  if (opts.secret && opts.sandbox) {
    await page.locator(`[data-testid=factor-choice][data-kind=${opts.kind ?? 'OktaVerifyCode'}]`).first().click();
    await page.getByTestId('code-input').fill(await opts.sandbox.totp(opts.secret));
    await page.getByTestId('code-submit').click();
  }
  await expect(page.getByTestId('methods')).toBeVisible();
  await hydrated(page);
}

/** Signs in through the application handoff (no recent verification). */
export async function signInByHandoff(page: Page, username: string, base = 'http://localhost:3200') {
  // A fresh document first: rewriting a Keyport page that is still starting its wasm would let
  // the wasm hydrate a document that is no longer Keyport's (leptos_meta panics, no <head> marker).
  await page.goto('about:blank');
  await page.setContent(
    `<form method="post" action="${base}/auth/handoff"><input type="hidden" name="token" value="${handoffToken(username)}"></form>`,
  );
  await page.locator('form').evaluate((f: HTMLFormElement) => f.submit());
  await expect(page.getByTestId('methods')).toBeVisible();
  await hydrated(page);
}
