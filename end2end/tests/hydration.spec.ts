import { test, expect, hydrated } from './fixtures';
import { sandbox, users, DEMO_PASSWORD } from './sandbox';

test.beforeEach(async () => {
  await sandbox.reset();
});

test('pages render on the server and hydrate in the browser', async ({ page }) => {
  // Server-rendered HTML already has the layout, the sandbox banner and the sign-in form: a
  // real form, posting to the server (it works before the wasm arrives), inside the page's one
  // island.
  const response = await page.request.get('/signin', { headers: { accept: 'text/html' } });
  const html = await response.text();
  expect(html).toContain('Keyport');
  expect(html).toContain('data-testid="sandbox-banner"');
  expect(html).toContain('data-hydrated="false"');
  expect(html).toMatch(/<form[^>]*method="post"[^>]*action="\/api\/signin"/);
  expect(html).not.toMatch(/<button[^>]*disabled[^>]*data-testid="signin-submit"/);
  expect(html.match(/<leptos-island/g)).toHaveLength(1);

  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByTestId('sandbox-banner')).toContainText('Sandbox org');
  await hydrated(page);
  await expect(page.getByTestId('signin-submit')).toBeEnabled();

  // Signed in, the connection check (a plain form: the server answers with the result) works.
  await page.getByTestId('username').fill(users.nora);
  await page.getByTestId('password').fill(DEMO_PASSWORD);
  await page.getByTestId('signin-submit').click();
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  const button = page.getByTestId('check-connection');
  await expect(button).toBeEnabled();
  await button.click();
  await expect(page.getByTestId('connection-result')).toContainText('Connected to');
  await expect(page.getByTestId('connection-result')).toContainText('Identity Engine');
});
