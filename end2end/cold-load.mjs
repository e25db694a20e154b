// Loads a page in headless Chromium and reports what it transferred (Resource Timing's
// transferSize: bytes on the wire, headers included) and how long until it was interactive
// (the wasm hydrated the page: `.app[data-hydrated="true"]`, timed inside the page from the
// navigation's start), best of N runs.
//
//   node end2end/cold-load.mjs URL [--link=loopback|4g] [--runs=N] [--signed-in=LOGIN]
//
// `--signed-in=LOGIN` signs the person in first by a handoff token (`keyport handoff-token`,
// from BUILT_SERVER or target/release/keyport, which must share the running Keyport's handoff
// secret: the sandbox's demo one by default), then empties the browser's cache, so the cold load
// is a signed-in page (`/`) with nothing cached.
//
// Each run is a fresh browser profile (a cold load), then a second visit in the same profile
// (a warm load: what a returning visitor downloads). `--link=4g` is Chromium's network
// emulation at 9 Mbit/s down and up with 60 ms round trips. CHROMIUM=/usr/bin/chromium on
// these machines. Used for BENCHMARKS.md ("First load").
import { chromium } from 'playwright';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const url = process.argv[2];
const flag = (name, fallback) =>
  (process.argv.find((a) => a.startsWith(`--${name}=`)) ?? `=${fallback}`).split('=')[1];
const link = flag('link', 'loopback');
const runs = Number(flag('runs', '5'));
const login = flag('signed-in', '');
if (!url || !['loopback', '4g'].includes(link)) {
  console.error('usage: node end2end/cold-load.mjs URL [--link=loopback|4g] [--runs=N]');
  process.exit(2);
}

// The moment the page turns interactive, taken inside the page (`performance.now()`, from the
// navigation's start): Playwright's own wait polls at growing intervals (0, 20, 50, 100, 100,
// 500 ms), so the time it sees the attribute can be a few hundred milliseconds late.
function markInteractive() {
  // When the wasm starts and ends compiling (wasm-bindgen's loader calls one of these): what
  // is left between that and interactive is the hydration of the page's islands.
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    WebAssembly[name] = function (...args) {
      window.__wasmStart ??= performance.now();
      return original.apply(this, args).then((result) => {
        window.__wasmReady ??= performance.now();
        return result;
      });
    };
  }
  const seen = () => {
    if (window.__interactiveAt === undefined && document.querySelector('.app[data-hydrated="true"]')) {
      window.__interactiveAt = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-hydrated'],
  });
}

async function visit(page) {
  const t0 = Date.now();
  await page.goto(url);
  await page.locator('.app[data-hydrated="true"]').waitFor({ timeout: 60000 });
  const seenByPlaywright = Date.now() - t0;
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      interactive: window.__interactiveAt,
      wasmStart: window.__wasmStart,
      wasmReady: window.__wasmReady,
      firstByte: nav.responseStart,
      pageLoaded: nav.responseEnd,
      domContentLoaded: nav.domContentLoadedEventEnd,
    };
  });
  const interactive = Math.round(timing.interactive ?? seenByPlaywright);
  const entries = await page.evaluate(() =>
    [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')].map((e) => ({
      path: new URL(e.name).pathname,
      transferSize: e.transferSize,
      decodedBodySize: e.decodedBodySize,
      startTime: e.startTime,
      responseEnd: e.responseEnd,
    })),
  );
  const transferred = entries.reduce((sum, e) => sum + e.transferSize, 0);
  return { interactive, seenByPlaywright, timing, transferred, entries };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || undefined,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  await context.addInitScript(markInteractive);
  const page = await context.newPage();
  if (login) {
    const binary = process.env.BUILT_SERVER ?? path.join(import.meta.dirname, '..', 'target', 'release', 'keyport');
    const token = execFileSync(binary, ['handoff-token', login], { env: { ...process.env, KEYPORT_LOG: 'error' } })
      .toString().trim().split('\n').pop();
    const origin = new URL(url).origin;
    await page.goto('about:blank');
    await page.setContent(
      `<form method="post" action="${origin}/auth/handoff"><input type="hidden" name="token" value="${token}"></form>`,
    );
    await page.locator('form').evaluate((f) => f.submit());
    await page.locator('.app[data-hydrated="true"]').waitFor({ timeout: 60000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.goto('about:blank');
  }
  if (link === '4g') {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 60,
      downloadThroughput: (9 * 1000 * 1000) / 8,
      uploadThroughput: (9 * 1000 * 1000) / 8,
    });
  }
  cold.push(await visit(page));
  await page.goto('about:blank');
  warm.push(await visit(page));
  await context.close();
}
await browser.close();

const best = (list) => list.reduce((a, b) => (b.interactive < a.interactive ? b : a));
const median = (list) => [...list].map((r) => r.interactive).sort((a, b) => a - b)[Math.floor(list.length / 2)];
const report = (name, list) => {
  const b = best(list);
  const t = b.timing;
  const ms = (v) => `${Math.round(v)} ms`;
  console.log(
    `${name}: interactive best ${b.interactive} ms, median ${median(list)} ms; transferred ${b.transferred} B`,
  );
  console.log(
    `  (best run: first byte ${ms(t.firstByte)}, page received ${ms(t.pageLoaded)}, DOMContentLoaded ${ms(t.domContentLoaded)}, wasm compiled ${ms(t.wasmStart)} to ${ms(t.wasmReady)}, interactive ${ms(b.interactive)}; Playwright saw it at ${b.seenByPlaywright} ms)`,
  );
  for (const e of b.entries) {
    console.log(
      `  ${e.path}  ${e.transferSize} B on the wire (${e.decodedBodySize} B decoded), ${ms(e.startTime)} to ${ms(e.responseEnd)}`,
    );
  }
};
console.log(`${url} over ${link}, ${runs} runs`);
report('cold', cold);
report('warm', warm);
