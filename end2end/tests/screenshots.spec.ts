// Every step of the main journeys, drawn at desktop and phone widths into end2end/screenshots/latest/
// (the README shows the best of them). Each shot waits for the step's own content, so a shot
// of a broken page fails here instead of landing in the README.
import { test, expect, hydrated, signIn } from './fixtures';
import { Page } from '@playwright/test';
import * as path from 'path';
import { sandbox, users, secrets } from './sandbox';

const widths = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

// Written beside the curated copies the README shows (end2end/screenshots/*.png), not over them.
const OUT = path.resolve(__dirname, '..', 'screenshots', 'latest');

test.beforeEach(async () => {
  await sandbox.reset();
});

async function shot(page: Page, width: keyof typeof widths, name: string) {
  // Countdowns and the spinner are live; let them settle into a drawn frame.
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(OUT, width, `${name}.png`), fullPage: true });
}

function add(page: Page, kind: string) {
  return page.locator(`[data-testid=add-option][data-kind=${kind}] [data-testid=add]`).click();
}

for (const width of Object.keys(widths) as (keyof typeof widths)[]) {
  test.describe(width, () => {
    test.use({ viewport: widths[width] });

    test(`${width}: sign-in with a second factor`, async ({ page }) => {
      await page.goto('/signin');
      await hydrated(page);
      await shot(page, width, '01-sign-in');
      await page.getByTestId('username').fill(users.victor);
      await page.getByTestId('password').fill('Keyport!Demo1');
      await page.getByTestId('signin-submit').click();
      await expect(page.getByTestId('factor-list')).toBeVisible();
      await shot(page, width, '02-choose-a-factor');
      await page.locator('[data-testid=factor-choice][data-kind=OktaVerify]').click();
      await expect(page.getByTestId('push-number')).toBeVisible();
      await shot(page, width, '03-push-number-matching');
      const push = await sandbox.pendingPush();
      await sandbox.approve(push.transactionId, Number(await page.getByTestId('push-number').innerText()));
      await expect(page.getByTestId('methods')).toBeVisible();
      await hydrated(page);
      await shot(page, width, '04-methods');
    });

    test(`${width}: adding Okta Verify, an authenticator app and a phone`, async ({ page }) => {
      await signIn(page, users.nora);
      await shot(page, width, '05-no-methods-yet');
      await add(page, 'OktaVerify');
      await expect(page.getByTestId('qr')).toBeVisible();
      await shot(page, width, '06-okta-verify-qr');
      await page.getByTestId('cant-scan').locator('summary').click();
      const link = await page.getByTestId('setup-link').inputValue();
      await sandbox.scan(link, 'Nora’s Pixel');
      await expect(page.getByTestId('notice')).toContainText('Okta Verify added');
      await shot(page, width, '07-okta-verify-added');

      await add(page, 'AuthenticatorApp');
      await expect(page.getByTestId('secret')).toBeVisible();
      await shot(page, width, '08-authenticator-app');
      await page.getByTestId('enroll-code').fill('000000');
      await page.getByTestId('enroll-verify').click();
      await expect(page.getByTestId('error')).toBeVisible();
      await shot(page, width, '09-wrong-code');
      await page.getByTestId('enroll-cancel').click();

      await add(page, 'Sms');
      await expect(page.getByTestId('add-form')).toBeVisible();
      await page.getByTestId('phone').fill('555 01');
      await page.getByTestId('add-continue').click();
      await expect(page.getByTestId('error')).toBeVisible();
      await shot(page, width, '10-phone-not-valid');
    });

    test(`${width}: the account page, and a password the org refuses`, async ({ page }) => {
      await signIn(page, users.nora);
      await page.goto('/account');
      await expect(page.getByTestId('password-card')).toBeVisible();
      await hydrated(page);
      await shot(page, width, '12-account');
      await page.getByTestId('old-password').fill('Keyport!Demo1');
      await page.getByTestId('new-password').fill('Keyport!Demo1');
      await page.getByTestId('confirm-password').fill('Keyport!Demo1');
      await page.getByTestId('change-password-submit').click();
      await expect(page.locator('[data-rule=history]')).toHaveAttribute('data-refused', 'true');
      await shot(page, width, '13-password-refused');
    });

    test(`${width}: removing a method after re-verification`, async ({ page }) => {
      await signIn(page, users.victor, { sandbox, secret: secrets.victorOktaVerify });
      await page.locator('[data-testid=method][data-kind=Sms] [data-testid=remove]').click();
      await expect(page.getByTestId('confirm-remove')).toBeVisible();
      await shot(page, width, '11-remove-confirm');
    });
  });
}
