import { test, expect } from './fixtures';
import { Page, FrameLocator } from '@playwright/test';
import { sandboxAt, users, DEMO_PASSWORD } from './sandbox';

// The embed-mode Keyport and its demo host: two different sites on loopback.
const KEYPORT = 'http://localhost:3220';
const HOST = 'http://127.0.0.1:3222';
const sb = sandboxAt('http://127.0.0.1:3221');

test.beforeEach(async () => {
  await sb.reset();
});

type Message = { source: string; type: string; [k: string]: unknown };

async function messages(page: Page): Promise<Message[]> {
  return page.evaluate(() => (window as any).keyportMessages as Message[]);
}

async function received(page: Page, type: string) {
  await expect.poll(async () => (await messages(page)).filter((m) => m.type === type).length).toBeGreaterThan(0);
  return (await messages(page)).filter((m) => m.type === type);
}

/** Opens the demo host, which hands its signed-in user (Nora by default) to the frame. */
async function openHost(page: Page): Promise<FrameLocator> {
  await page.goto(HOST);
  const frame = page.frameLocator('#keyport');
  await expect(frame.getByTestId('methods')).toBeVisible();
  await expect(frame.locator('.app[data-hydrated="true"]')).toBeVisible();
  return frame;
}

/** Handoff proves no factor: the first change asks Nora (password only) to confirm it's her. */
async function confirmWithPassword(frame: FrameLocator) {
  await frame.getByTestId('reverify-password').fill(DEMO_PASSWORD);
  await frame.getByTestId('reverify-password-submit').click();
}

test('the demo host embeds Keyport from another site and signs Nora in by handoff, with partitioned cookies', async ({ page }) => {
  const frame = await openHost(page);
  await expect(frame.getByTestId('user-menu')).toContainText('Nora');

  const ready = await received(page, 'keyport:ready');
  expect(ready[0]).toMatchObject({ source: 'keyport', version: 1, signedIn: false, page: '/signin' });
  await expect
    .poll(async () => (await messages(page)).some((m) => m.type === 'keyport:ready' && m.signedIn === true && m.handoff === 'done'))
    .toBe(true);
  // The token went by postMessage: never in a frame address.
  for (const f of page.frames()) expect(f.url()).not.toContain('token');

  // The host sizes the frame from Keyport's resize messages: no inner scroll bar.
  const last = (await received(page, 'keyport:resize')).pop()!;
  expect(last.height as number).toBeGreaterThan(400);
  await expect.poll(async () => page.locator('#keyport').evaluate((f: HTMLIFrameElement) => f.getBoundingClientRect().height)).toBeGreaterThanOrEqual(
    (last.height as number) - 2,
  );

  // The browser keeps Keyport's session cookie partitioned under the host's site (CHIPS).
  const cookies = (await page.context().cookies(KEYPORT)).filter((c) => c.name === 'keyport_session');
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) {
    expect(c).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true });
    expect(c.partitionKey).toContain('127.0.0.1');
  }
  // The frame's pages may be framed by the host; the admin area by nobody.
  const signin = await page.request.get(`${KEYPORT}/signin`);
  expect(signin.headers()['content-security-policy']).toContain(`frame-ancestors 'self' ${HOST}`);
  expect(signin.headers()['x-frame-options']).toBeUndefined();
  const admin = await page.request.get(`${KEYPORT}/admin`);
  expect(admin.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(admin.headers()['x-frame-options']).toBe('DENY');
});

test('inside the frame: an authenticator app and a security key are added, and the host hears of each', async ({ page }) => {
  const frame = await openHost(page);

  await frame.locator('[data-testid=add-option][data-kind=AuthenticatorApp] [data-testid=add]').click();
  await confirmWithPassword(frame);
  const secret = (await frame.getByTestId('secret').innerText()).replace(/\s/g, '');
  await frame.getByTestId('enroll-code').fill(await sb.totp(secret));
  await frame.getByTestId('enroll-verify').click();
  await expect(frame.getByTestId('notice')).toContainText('Authenticator app added');
  const added = await received(page, 'keyport:method-added');
  expect(added[0]).toMatchObject({ kind: 'authenticator_app', label: 'Authenticator app' });
  expect(JSON.stringify(await messages(page))).not.toContain(secret);

  // The key is registered in a window on Keyport's own origin (first-party ceremony), which
  // finishes the frame's enrollment and closes; the frame carries on.
  await frame.locator('[data-testid=add-option][data-kind=SecurityKey] [data-testid=add]').click();
  await expect(frame.getByTestId('popout-note')).toBeVisible();
  const opened = page.waitForEvent('popup');
  await frame.getByTestId('register-key-popout').click();
  const popup = await opened;
  await popup.waitForURL(`${KEYPORT}/popout`);
  expect(popup.url()).not.toContain('#'); // the ticket is wiped from the address
  const cdp = await page.context().newCDPSession(popup);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: false,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const closed = popup.waitForEvent('close');
  await popup.getByTestId('popout-continue').click();
  await closed;
  await expect(frame.getByTestId('notice')).toContainText('Security key or passkey added');
  await expect(frame.locator('[data-testid=method][data-kind=SecurityKey]')).toHaveCount(1);
  await expect.poll(async () => (await messages(page)).filter((m) => m.type === 'keyport:method-added').length).toBe(2);
  expect((await messages(page)).filter((m) => m.type === 'keyport:method-added')[1]).toMatchObject({ kind: 'security_key' });

  // Removing one is announced too.
  await frame.locator('[data-testid=method][data-kind=AuthenticatorApp] [data-testid=remove]').click();
  await frame.getByTestId('confirm-remove').click();
  await expect(frame.getByTestId('notice')).toContainText('Method removed');
  await received(page, 'keyport:method-removed');
});

test('the host opens a page in the frame, and hears of errors and sign-out', async ({ page }) => {
  const frame = await openHost(page);
  await page.getByRole('button', { name: 'Password and account' }).click();
  await expect(frame.getByTestId('password-card')).toBeVisible();
  await page.getByRole('button', { name: 'Sign-in methods' }).click();
  await expect(frame.getByTestId('methods')).toBeVisible();
  await expect(frame.locator('.app[data-hydrated="true"]')).toBeVisible();

  await frame.locator('[data-testid=add-option][data-kind=AuthenticatorApp] [data-testid=add]').click();
  await confirmWithPassword(frame);
  await frame.getByTestId('enroll-code').fill('000000');
  await frame.getByTestId('enroll-verify').click();
  await expect(frame.getByTestId('error')).toContainText("That code isn't right");
  const [error] = await received(page, 'keyport:error');
  expect(error).toMatchObject({ code: 'invalid_input' });
  expect(error.message).toContain("That code isn't right");

  await frame.getByTestId('user-menu').locator('summary').click();
  await frame.getByTestId('sign-out').click();
  await received(page, 'keyport:signed-out');
});

test('a site that is not allowed cannot frame Keyport, and its messages to a Keyport frame are ignored', async ({ browser }) => {
  // Its own context: the browser's refusal is logged as a console error on that page, on purpose.
  const evil = await browser.newContext();
  const evilPage = await evil.newPage();
  await evilPage.route('http://evil.test/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!DOCTYPE html><title>evil</title><iframe id="k" src="${KEYPORT}/signin?host=http%3A%2F%2Fevil.test"></iframe>`,
    }),
  );
  await evilPage.goto('http://evil.test/');
  await evilPage.waitForTimeout(1500);
  // Chromium shows its own error page in place of a refused frame: no Keyport in it.
  const refused = evilPage.frames().find((f) => f !== evilPage.mainFrame())!;
  expect(await refused.locator('.app').count()).toBe(0);
  expect(await refused.locator('[data-testid=signin-submit]').count()).toBe(0);

  // The evil page opens the allowed host (which frames Keyport for Nora) and posts to Keyport's
  // frame itself: a valid handoff token for Olivia, and a request to open the account page.
  // Keyport listens to its parent only, so both are ignored.
  const token = (await (await evilPage.request.post(`${HOST}/token`, { data: { user: users.olivia } })).json()).token;
  const opened = evilPage.waitForEvent('popup');
  await evilPage.evaluate((host) => {
    (window as any).hostWindow = window.open(host, 'host');
  }, HOST);
  const hostPage = await opened;
  const frame = hostPage.frameLocator('#keyport');
  await expect(frame.getByTestId('methods')).toBeVisible();
  await expect(frame.getByTestId('user-menu')).toContainText('Nora');
  await evilPage.evaluate((t) => {
    const keyport = (window as any).hostWindow.frames[0];
    keyport.postMessage({ type: 'keyport:handoff', token: t }, '*');
    keyport.postMessage({ type: 'keyport:open', page: 'account' }, '*');
  }, token);
  await hostPage.waitForTimeout(1500);
  await expect(frame.getByTestId('methods')).toBeVisible();
  await expect(frame.getByTestId('user-menu')).toContainText('Nora');
  await expect(frame.getByTestId('password-card')).toHaveCount(0);
  await evil.close();
});

test('inside the frame, confirming it is you with a security key happens in a window of its own', async ({ page }) => {
  // The windows report closing instead of closing, so the test can read the key out of the first.
  await page.context().addInitScript(() => {
    if (location.pathname === '/popout') {
      window.close = () => {
        document.body.dataset.closed = 'true';
      };
    }
  });
  const authenticator = async (p: Page) => {
    const cdp = await page.context().newCDPSession(p);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { cdp, authenticatorId };
  };

  // Nora registers a key (her only method), through the first window.
  let frame = await openHost(page);
  await frame.locator('[data-testid=add-option][data-kind=SecurityKey] [data-testid=add]').click();
  await confirmWithPassword(frame);
  let opened = page.waitForEvent('popup');
  await frame.getByTestId('register-key-popout').click();
  const first = await opened;
  await first.waitForURL(`${KEYPORT}/popout`);
  const a = await authenticator(first);
  await first.getByTestId('popout-continue').click();
  await expect(first.locator('body[data-closed=true]')).toHaveCount(1);
  const { credentials } = await a.cdp.send('WebAuthn.getCredentials', { authenticatorId: a.authenticatorId });
  expect(credentials).toHaveLength(1);
  await first.close();
  await expect(frame.getByTestId('notice')).toContainText('Security key or passkey added');

  // Acme hands her over again (no recent verification); adding a method asks her to confirm.
  const handedOver = async () => (await messages(page)).filter((m) => m.type === 'keyport:ready' && m.handoff === 'done').length;
  const before = await handedOver();
  await page.getByRole('button', { name: 'Open Keyport for this person' }).click();
  frame = page.frameLocator('#keyport');
  // The frame reloads (still signed in) and is handed Nora again.
  await expect.poll(handedOver).toBeGreaterThan(before);
  await expect(frame.locator('.app[data-hydrated="true"]')).toBeVisible();
  await frame.locator('[data-testid=add-option][data-kind=AuthenticatorApp] [data-testid=add]').click();
  await frame.locator('[data-testid=reverify-choice][data-kind=SecurityKey]').click();
  opened = page.waitForEvent('popup');
  await frame.getByTestId('reverify-key-popout').click();
  const second = await opened;
  await second.waitForURL(`${KEYPORT}/popout`);
  const b = await authenticator(second);
  await b.cdp.send('WebAuthn.addCredential', { authenticatorId: b.authenticatorId, credential: credentials[0] });
  await second.getByTestId('use-key').click();
  await expect(second.locator('body[data-closed=true]')).toHaveCount(1);
  await second.close();
  // The frame sees the challenge answered and goes on with the change.
  await expect(frame.getByTestId('secret')).toBeVisible();
});

// A /popout link opened by anything but Keyport's own frame (someone sends it, hoping to join
// this browser to their session) has no ticket to use (issue 14, hole 11).
test('a pop-out window that Keyport did not open does nothing', async ({ page }) => {
  await page.goto(`${KEYPORT}/popout#reverify.${'A'.repeat(43)}`);
  await expect(page.getByTestId('error')).toContainText('not opened from Keyport');
  await page.goto(`${KEYPORT}/popout#register`);
  await expect(page.getByTestId('error')).toContainText('not opened from Keyport');
});
