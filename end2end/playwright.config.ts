import { defineConfig } from '@playwright/test';
import * as path from 'path';

// Keyport is built by the README's test command (.ci/test) before Playwright starts: these
// servers run the binary it built (the production build, as `.ci/start` serves it; `BUILT_SERVER`
// names it), against the built-in sandbox, on ports of their own so a Keyport started by hand on
// 3000 does not get in the way.
const root = path.resolve(__dirname, '..');
const binary = process.env.BUILT_SERVER ?? path.join(root, 'target', 'release', 'keyport');

export const KEYPORT_PORT = 3200;
export const SANDBOX_PORT = 3201;
// A second Keyport against a Classic Engine sandbox.
export const CLASSIC_PORT = 3210;
export const CLASSIC_SANDBOX_PORT = 3211;
// A third Keyport in embed mode, framed by the demo host: another site (127.0.0.1, not localhost).
export const EMBED_PORT = 3220;
export const EMBED_SANDBOX_PORT = 3221;
export const EMBED_HOST_PORT = 3222;

function keyport(port: number, sandboxPort: number, pipeline: 'oie' | 'classic', extra: Record<string, string> = {}) {
  const store = path.join(root, 'target', `e2e-sessions-${port}.sqlite3`);
  return {
    // A fresh session store each run, so earlier runs' sessions and counters do not leak in.
    command: `rm -f ${store}* && exec ${binary}`,
    cwd: root,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      KEYPORT_ADDR: `127.0.0.1:${port}`,
      KEYPORT_PUBLIC_URL: `http://localhost:${port}`,
      KEYPORT_SANDBOX_ADDR: `127.0.0.1:${sandboxPort}`,
      KEYPORT_SANDBOX_PIPELINE: pipeline,
      KEYPORT_SITE_ROOT: path.join(root, 'target', 'site'),
      KEYPORT_LOG: 'warn',
      KEYPORT_SESSION_STORE: store,
      // Tests sign in hundreds of times; the limits themselves have their own tests.
      KEYPORT_SIGNIN_LIMIT: '10000',
      KEYPORT_CODE_LIMIT: '10000',
      KEYPORT_MESSAGE_LIMIT: '10000',
      // The account page's username change is off by default; its tests need it.
      KEYPORT_ALLOW_LOGIN_CHANGE: 'true',
      ...extra,
    },
  };
}

export default defineConfig({
  testDir: './tests',
  // The sandbox org is shared state: tests run one at a time and reset it where they need to.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    // WebAuthn needs a domain as RP id: browse localhost, not 127.0.0.1.
    baseURL: `http://localhost:${KEYPORT_PORT}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    keyport(KEYPORT_PORT, SANDBOX_PORT, 'oie'),
    keyport(CLASSIC_PORT, CLASSIC_SANDBOX_PORT, 'classic'),
    keyport(EMBED_PORT, EMBED_SANDBOX_PORT, 'oie', { KEYPORT_DEMO_HOST_ADDR: `127.0.0.1:${EMBED_HOST_PORT}` }),
  ],
});
