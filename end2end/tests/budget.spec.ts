import { test, expect, hydrated } from './fixtures';
import { sandbox, users, handoffToken } from './sandbox';

test.beforeEach(async () => {
  await sandbox.reset();
});

// Issue 15: when Okta's budget is spent, the page says how long the wait is, counts it down,
// and then shows the methods by itself (never a silent spinner). Okta answers the first read
// of the factors with 429 E0000047 and a reset 6 s ahead (API-NOTES §9): longer than Keyport
// waits quietly, so the person is told.
test('a page that had to wait for Okta’s budget shows the wait, then the methods', async ({ page }) => {
  await sandbox.fault({
    path: '/api/v1/users/*/factors',
    method: 'GET',
    action: { kind: 'rateLimit', resetSeconds: 6 },
    count: 1,
  });
  await page.goto('about:blank');
  await page.setContent(
    `<form method="post" action="http://localhost:3200/auth/handoff"><input type="hidden" name="token" value="${handoffToken(users.victor)}"></form>`,
  );
  await page.locator('form').evaluate((f: HTMLFormElement) => f.submit());
  const busy = page.getByTestId('okta-busy');
  await expect(busy).toBeVisible();
  await expect(busy).toContainText('Okta is busy with many people at once');
  await expect(busy).toContainText(/load by itself in \d+ seconds/);
  await hydrated(page);
  await expect(busy).toContainText(/Loading your methods in \d s/);
  await page.screenshot({ path: 'test-results/okta-busy.png' });
  await expect(page.getByTestId('methods')).toBeVisible({ timeout: 15_000 });
  await expect(busy).toHaveCount(0);
  await expect(page.locator('[data-testid=method][data-kind=OktaVerify]')).toBeVisible();
});
