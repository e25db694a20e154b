import { test, expect, hydrated, signIn, signInByHandoff } from './fixtures';
import { Page } from '@playwright/test';
import { sandbox, classicSandbox, users, secrets, CLASSIC_KEYPORT, DEMO_PASSWORD } from './sandbox';

test.beforeEach(async () => {
  await sandbox.reset();
  await classicSandbox.reset();
});

function row(page: Page, kind: string) {
  return page.locator(`[data-testid=method][data-kind=${kind}]`);
}

async function addMethod(page: Page, kind: string) {
  await page.locator(`[data-testid=add-option][data-kind=${kind}] [data-testid=add]`).click();
}

/** Reads the setup link from the page (the "can't scan?" text the QR code encodes). */
async function setupLink(page: Page): Promise<string> {
  await expect(page.getByTestId('qr')).toBeVisible();
  await page.getByTestId('cant-scan').locator('summary').click();
  return page.getByTestId('setup-link').inputValue();
}

for (const flavour of ['oie', 'classic'] as const) {
  const base = flavour === 'oie' ? '' : CLASSIC_KEYPORT;
  const sb = flavour === 'oie' ? sandbox : classicSandbox;

  test(`${flavour}: Okta Verify enrolled by the virtual phone appears without a reload`, async ({ page }) => {
    await signIn(page, users.nora, { base });
    // Nora has no factors: the sign-in password counts as her recent verification.
    await addMethod(page, 'OktaVerify');
    const link = await setupLink(page);
    expect(link).toMatch(flavour === 'oie' ? /^oktaverify:\/\// : /^otpauth:\/\/totp\/.*t=/);
    await expect(page.getByTestId('qr-expiry')).toContainText(/expires in \d+:\d\d/);
    const marker = await page.evaluate(() => ((window as any).__noReload = true));
    await sb.scan(link, 'Nora’s Pixel');
    await expect(page.getByTestId('notice')).toContainText('Okta Verify added');
    await expect(row(page, 'OktaVerify')).toContainText('Nora’s Pixel');
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(marker);
  });

  test(`${flavour}: Google Authenticator from the shown secret, a wrong code then a right one`, async ({ page }) => {
    await signIn(page, users.nora, { base });
    await addMethod(page, 'AuthenticatorApp');
    const secret = (await page.getByTestId('secret').innerText()).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByTestId('enroll-code').fill('000000');
    await page.getByTestId('enroll-verify').click();
    await expect(page.getByTestId('error')).toContainText("That code isn't right");
    const code = await sb.totp(secret);
    await page.getByTestId('enroll-code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByTestId('enroll-verify').click();
    await expect(page.getByTestId('notice')).toContainText('Authenticator app added');
    await expect(row(page, 'AuthenticatorApp')).toBeVisible();
  });

  test(`${flavour}: a test push, approved then denied`, async ({ page }) => {
    await signIn(page, users.victor, { base, sandbox: sb, secret: secrets.victorOktaVerify });
    await row(page, 'OktaVerify').getByTestId('test').click();
    const number = Number(await page.getByTestId('push-number').innerText());
    await sb.approve((await sb.pendingPush()).transactionId, number);
    await expect(page.getByTestId('test-passed')).toContainText('It works');
    await page.getByTestId('test-close').click();
    await row(page, 'OktaVerify').getByTestId('test').click();
    await expect(page.getByTestId('push-number')).toBeVisible();
    await sb.deny((await sb.pendingPush()).transactionId);
    await expect(page.getByTestId('error')).toContainText('denied on your phone');
  });
}

test('an expired Okta Verify code is replaced through the sandbox clock', async ({ page }) => {
  await signIn(page, users.nora);
  await addMethod(page, 'OktaVerify');
  const first = await setupLink(page);
  await sandbox.advance(11 * 60);
  await expect(page.getByTestId('qr-expired')).toBeVisible();
  // The old code no longer enrolls anything.
  await expect(sandbox.scan(first)).rejects.toThrow(/expired/);
  await page.getByTestId('renew').click();
  const second = await setupLink(page);
  expect(second).not.toEqual(first);
  await sandbox.scan(second, 'Fresh phone');
  await expect(row(page, 'OktaVerify')).toContainText('Fresh phone');
});

test('removing a method asks to confirm it is you first, then says what goes with it', async ({ page }) => {
  // A handoff proves who the user is but not a recent factor.
  await signInByHandoff(page, users.victor);
  await row(page, 'Sms').getByTestId('remove').click();
  await expect(page.getByTestId('keep-recovery')).toBeChecked();
  await page.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('reverify')).toBeVisible();
  await page.locator('[data-testid=reverify-choice][data-kind=OktaVerifyCode]').click();
  await page.getByTestId('code-input').fill(await sandbox.totp(secrets.victorOktaVerify));
  await page.getByTestId('code-submit').click();
  // The removal goes ahead by itself once confirmed.
  await expect(page.getByTestId('notice')).toContainText('Method removed');
  await expect(row(page, 'Sms')).toHaveCount(0);
  // Removing Okta Verify says its codes go too.
  await row(page, 'OktaVerify').getByTestId('remove').click();
  await expect(page.getByTestId('removal-note')).toContainText('codes');
});

test('the last method cannot be removed', async ({ page }) => {
  await signIn(page, users.tina, { sandbox, secret: secrets.tinaGoogle, kind: 'AuthenticatorApp' });
  await row(page, 'AuthenticatorApp').getByTestId('remove').click();
  await page.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('error')).toContainText('last sign-in method');
  await expect(row(page, 'AuthenticatorApp')).toHaveCount(1);
});

test('oie: a second Okta Verify is explained, with the way forward', async ({ page }) => {
  await signIn(page, users.victor, { sandbox, secret: secrets.victorOktaVerify });
  const option = page.locator('[data-testid=add-option][data-kind=OktaVerify]');
  await expect(option).toContainText('Another Okta Verify device');
  await expect(option.getByTestId('add')).toHaveCount(0);
  await option.locator('summary').click();
  await expect(option.getByTestId('guidance')).toContainText('open Okta Verify, tap +');
  // Okta's own flow (the app signs in) adds the device; Keyport shows it as its own row.
  await sandbox.json('POST', '/sandbox/api/phone/devices', { login: users.victor, name: 'Victor’s iPad' });
  await page.reload();
  await expect(row(page, 'OktaVerify')).toHaveCount(2);
});

test('oie: a device can be given a name', async ({ page }) => {
  await signIn(page, users.olivia, { sandbox, secret: 'KEYPORTOLIVIAIOS' });
  const iphone = row(page, 'OktaVerify').filter({ hasText: "Olivia's iPhone" });
  await iphone.getByTestId('rename').click();
  await page.getByTestId('nickname').fill('Personal phone');
  await page.getByTestId('save-name').click();
  await expect(page.getByTestId('notice')).toContainText('Name saved');
  await expect(row(page, 'OktaVerify').filter({ hasText: 'Personal phone' })).toBeVisible();
});

test('every change shows up in the recent security activity', async ({ page }) => {
  await signIn(page, users.nora);
  await addMethod(page, 'AuthenticatorApp');
  const secret = (await page.getByTestId('secret').innerText()).replace(/\s/g, '');
  await page.getByTestId('enroll-code').fill(await sandbox.totp(secret));
  await page.getByTestId('enroll-verify').click();
  await expect(page.getByTestId('activity')).toContainText('Google Authenticator added');
});

test('an enrollment in progress survives a reload, and cancelling leaves nothing pending', async ({ page }) => {
  await signIn(page, users.nora);
  await addMethod(page, 'AuthenticatorApp');
  const secret = await page.getByTestId('secret').innerText();
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('secret')).toHaveText(secret);
  await page.getByTestId('enroll-cancel').click();
  await expect(page.getByTestId('enroll-panel')).toHaveCount(0);
  await expect
    .poll(async () => {
      const all = await sandbox.json('GET', '/sandbox/api/users');
      return all.find((u: any) => u.login === users.nora).factors.length;
    })
    .toBe(0);
  expect(DEMO_PASSWORD).toBeTruthy();
});
