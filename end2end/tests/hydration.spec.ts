import { test, expect, hydrated } from './fixtures';

test('the page renders on the server and hydrates in the browser', async ({ page }) => {
  // Server-rendered HTML already has the layout and the sandbox banner, before any wasm runs.
  const response = await page.request.get('/');
  const html = await response.text();
  expect(html).toContain('Keyport');
  expect(html).toContain('data-testid="sandbox-banner"');
  expect(html).toContain('data-hydrated="false"');

  await page.goto('/');
  await expect(page.getByTestId('sandbox-banner')).toContainText('Sandbox org');
  await hydrated(page);

  // The connection check only works once the wasm runs: its button is disabled until then.
  const button = page.getByTestId('check-connection');
  await expect(button).toBeEnabled();
  await button.click();
  await expect(page.getByTestId('connection-result')).toContainText('Connected to');
  await expect(page.getByTestId('connection-result')).toContainText('Identity Engine');
});
