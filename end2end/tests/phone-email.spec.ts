import { test, expect, signIn, hydrated } from './fixtures';
import { Page } from '@playwright/test';
import { sandbox, users } from './sandbox';

test.beforeEach(async () => {
  await sandbox.reset();
});

async function openAdd(page: Page, kind: string) {
  await page.locator(`[data-testid=add-option][data-kind=${kind}] [data-testid=add]`).click();
  await expect(page.getByTestId('add-form')).toBeVisible();
}

test('SMS: a number typed as people type it, the code from the outbox, activated', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'Sms');
  await page.getByTestId('phone').fill('(415) 555-0199');
  await page.getByTestId('add-continue').click();
  await expect(page.getByTestId('enroll-panel')).toContainText('XXX-XXX-0199');
  const code = await sandbox.lastCodeTo('+14155550199');
  await page.getByTestId('enroll-code').fill(code);
  await page.getByTestId('enroll-verify').click();
  await expect(page.getByTestId('notice')).toContainText('Text message added');
  await expect(page.locator('[data-testid=method][data-kind=Sms]')).toContainText('XXX-XXX-0199');
});

test('voice with an international number and an extension', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'Voice');
  await page.getByTestId('phone').fill('+44 20 7946 0958');
  await page.getByTestId('extension').fill('42');
  await page.getByTestId('add-continue').click();
  await expect(page.getByTestId('enroll-panel')).toContainText('+44 XXX-XXX-0958');
  const messages = await sandbox.outbox();
  const call = messages.find((m) => m.to === '+442079460958');
  expect(call?.channel).toBe('voice');
  await page.getByTestId('enroll-code').fill(call!.code!);
  await page.getByTestId('enroll-verify').click();
  await expect(page.getByTestId('notice')).toContainText('Voice call added');
});

test('the resend cooldown is shown, enforced, and survives a reload', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'Sms');
  await page.getByTestId('phone').fill('4155550188');
  await page.getByTestId('add-continue').click();
  const resend = page.getByTestId('enroll-resend');
  await expect(resend).toBeDisabled();
  await expect(resend).toContainText(/Send again in \d+s/);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('enroll-resend')).toBeDisabled();
  await expect(page.getByTestId('enroll-resend')).toContainText(/Send again in \d+s/);
  // Once the 30 seconds have passed (on both clocks), a new code goes out.
  await sandbox.advance(31);
  await expect(page.getByTestId('enroll-resend')).toBeEnabled({ timeout: 35_000 });
  await page.getByTestId('enroll-resend').click();
  await expect.poll(async () => (await sandbox.outbox()).filter((m) => m.to === '+14155550188').length).toBe(2);
});

test('an impossible phone number is refused before any call to Okta', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'Sms');
  const { lastSeq } = await sandbox.requests(Number.MAX_SAFE_INTEGER);
  await page.getByTestId('phone').fill('555-12');
  await page.getByTestId('add-continue').click();
  await expect(page.locator('.field-error')).toContainText("doesn't look like a real phone number");
  await expect(page.getByTestId('phone')).toHaveValue('555-12');
  const after = await sandbox.requests(lastSeq, '/api/v1/users/*/factors');
  expect(after.requests.filter((r: any) => r.method === 'POST')).toHaveLength(0);
});

test("the user's language reaches Okta, so the message arrives in it", async ({ browser }) => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await signIn(page, users.nora);
  await openAdd(page, 'Sms');
  await page.getByTestId('phone').fill('4155550177');
  await page.getByTestId('add-continue').click();
  await expect(page.getByTestId('enroll-panel')).toBeVisible();
  const message = (await sandbox.outbox()).find((m) => m.to === '+14155550177');
  expect(message?.body).toContain('Votre code');
  await context.close();
});

test('email: one of the verified addresses, code entry', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'Email');
  await page.getByTestId('add-continue').click();
  await expect(page.getByTestId('enroll-panel')).toContainText('n…s@example.com');
  await page.getByTestId('enroll-code').fill(await sandbox.lastCodeTo(users.nora));
  await page.getByTestId('enroll-verify').click();
  await expect(page.getByTestId('notice')).toContainText('Email added');
});

test('security question with its answer rules', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'SecurityQuestion');
  await page.getByTestId('question').selectOption('disliked_food');
  await page.getByTestId('answer').fill('abc');
  await page.getByTestId('add-continue').click();
  await expect(page.locator('.field-error')).toContainText('at least 4 characters');
  await page.getByTestId('answer').fill('brussels sprouts');
  await page.getByTestId('add-continue').click();
  await expect(page.getByTestId('notice')).toContainText('Security question added');
  await expect(page.locator('[data-testid=method][data-kind=SecurityQuestion]')).toContainText('least liked');
});

test('abandoning an enrollment leaves nothing pending in the sandbox', async ({ page }) => {
  await signIn(page, users.nora);
  await openAdd(page, 'Sms');
  await page.getByTestId('phone').fill('4155550166');
  await page.getByTestId('add-continue').click();
  await expect(page.getByTestId('enroll-panel')).toBeVisible();
  await page.getByTestId('enroll-cancel').click();
  await expect
    .poll(async () => (await sandbox.json('GET', '/sandbox/api/users')).find((u: any) => u.login === users.nora).factors.length)
    .toBe(0);
});
