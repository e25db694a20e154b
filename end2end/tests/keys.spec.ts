import { test, expect, signIn, hydrated } from './fixtures';
import { Page, CDPSession } from '@playwright/test';
import { sandbox, users, DEMO_PASSWORD } from './sandbox';

test.beforeEach(async () => {
  await sandbox.reset();
});

async function virtualAuthenticator(page: Page, kind: 'roaming' | 'platform'): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: kind === 'roaming' ? 'usb' : 'internal',
      hasResidentKey: kind === 'platform',
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

function keys(page: Page) {
  return page.locator('[data-testid=method][data-kind=SecurityKey]');
}

for (const kind of ['roaming', 'platform'] as const) {
  test(`a ${kind === 'roaming' ? 'security key' : 'platform passkey'} is registered, and the same key twice is refused`, async ({ page }) => {
    const { cdp, id } = await virtualAuthenticator(page, kind);
    await signIn(page, users.nora);
    await page.locator('[data-testid=add-option][data-kind=SecurityKey] [data-testid=add]').click();
    await page.getByTestId('register-key').click();
    await expect(page.getByTestId('notice')).toContainText('Security key or passkey added');
    await expect(keys(page)).toHaveCount(1);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
    expect(credentials).toHaveLength(1);

    // The same authenticator again: the browser refuses it (excludeCredentials).
    await page.locator('[data-testid=add-option][data-kind=SecurityKey] [data-testid=add]').click();
    await page.getByTestId('register-key').click();
    await expect(page.getByTestId('error')).toContainText('already registered');
    await expect(keys(page)).toHaveCount(1);
  });
}

test('a registered key passes a test and signs in', async ({ page }) => {
  const { cdp } = await virtualAuthenticator(page, 'roaming');
  await signIn(page, users.nora);
  await page.locator('[data-testid=add-option][data-kind=SecurityKey] [data-testid=add]').click();
  await page.getByTestId('register-key').click();
  await expect(keys(page)).toHaveCount(1);
  await keys(page).getByTestId('test').click();
  await page.getByTestId('use-key').click();
  await expect(page.getByTestId('test-passed')).toBeVisible();

  // Signing in again now asks for the key, and the key signs in.
  await page.getByTestId('user-menu').locator('summary').click();
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/signin/);
  await hydrated(page);
  await page.getByTestId('username').fill(users.nora);
  await page.getByTestId('password').fill(DEMO_PASSWORD);
  await page.getByTestId('signin-submit').click();
  await page.locator('[data-testid=factor-choice][data-kind=SecurityKey]').click();
  await page.getByTestId('use-key').click();
  await expect(page.getByTestId('methods')).toBeVisible();
});
