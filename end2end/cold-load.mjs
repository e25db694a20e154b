// A cold load of a page in headless Chromium: what it transfers (Resource Timing) and how long
// until it is interactive (hydrated). `node end2end/cold-load.mjs http://localhost:3000/signin`
// against a running Keyport; CHROMIUM=/usr/bin/chromium on these machines.
import { chromium } from 'playwright';
const url = process.argv[2];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || undefined });
const page = await browser.newPage();
let bytes = 0; const per = {};
page.on('response', async (r) => { try { const b = (await r.body()).length; bytes += b; per[new URL(r.url()).pathname] = b; } catch {} });
const t0 = Date.now();
await page.goto(url);
await page.locator('.app[data-hydrated="true"]').waitFor({ timeout: 60000 });
const t = Date.now() - t0;
const res = await page.evaluate(() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')].map(e => [new URL(e.name).pathname, e.transferSize, e.decodedBodySize]));
console.log(JSON.stringify(res));
await page.screenshot({ path: 'test-results/cold-load.png' });
console.log(JSON.stringify({ interactive_ms: t, bytes, per }));
await browser.close();
