// Keyport's side of the embed protocol (README, "Embedding Keyport in another site").
//
// Inert unless Keyport is inside a frame. Then it talks to the page that framed it, and only to
// it: messages go to that page's origin alone and are accepted only from that window and origin.
// Who may frame Keyport at all is decided by the server (Content-Security-Policy
// frame-ancestors lists exactly the allowed host origins), so the parent's origin is trusted.
(() => {
  'use strict';
  if (window.parent === window) return;

  const VERSION = 1;
  const STORE = 'keyport.embed.host';

  // The parent's origin: the browser names it in ancestorOrigins (Chromium, Safari); elsewhere
  // the host says it in the frame's first address (?host=), remembered for this tab.
  function hostOrigin() {
    const ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length > 0) return ancestors[0];
    const given = new URLSearchParams(window.location.search).get('host');
    if (given) {
      try {
        const origin = new URL(given).origin;
        if (origin !== 'null') sessionStorage.setItem(STORE, origin);
      } catch (_) {
        /* not an origin: ignored */
      }
    }
    return sessionStorage.getItem(STORE);
  }

  const host = hostOrigin();
  if (!host) return;
  document.documentElement.classList.add('embedded');

  function send(message) {
    window.parent.postMessage(Object.assign({ source: 'keyport', version: VERSION }, message), host);
  }

  // The app announces what happened (method added or removed, an error shown) as a DOM event;
  // only this script passes it on.
  window.addEventListener('keyport:event', (e) => {
    try {
      const detail = typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail;
      if (detail && typeof detail.type === 'string' && detail.type.startsWith('keyport:')) send(detail);
    } catch (_) {
      /* malformed: dropped */
    }
  });

  // Pages the host may ask for.
  const PAGES = { methods: '/', account: '/account' };

  function handoff(token) {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/auth/handoff';
    const field = document.createElement('input');
    field.type = 'hidden';
    field.name = 'token';
    field.value = token;
    form.appendChild(field);
    // Lands on /?handoff=done, so the next `ready` can tell the host the hand-over happened
    // (a hand-over posted while the page was navigating away is lost; the host sends again).
    const back = document.createElement('input');
    back.type = 'hidden';
    back.name = 'return_to';
    back.value = '/?handoff=done';
    form.appendChild(back);
    document.body.appendChild(form);
    form.submit();
  }

  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || e.origin !== host) return;
    const m = e.data;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    if (m.type === 'keyport:handoff' && typeof m.token === 'string' && m.token.length < 8192) {
      handoff(m.token);
    } else if (m.type === 'keyport:open' && Object.prototype.hasOwnProperty.call(PAGES, m.page)) {
      window.location.assign(PAGES[m.page]);
    }
  });

  // The content's height, so the host can size the frame without scroll bars.
  let last = -1;
  function measure() {
    const app = document.querySelector('.app') || document.body;
    const height = Math.ceil(app.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      send({ type: 'keyport:resize', height });
    }
  }

  function start() {
    // The layout says so in a meta tag; the user menu shows it too (the meta tag can arrive
    // after this script when the page streams, the menu is in place by now).
    const signedIn =
      document.querySelector('meta[name="keyport-signed-in"]')?.getAttribute('content') === 'true' ||
      document.querySelector('[data-testid="user-menu"]') !== null;
    const params = new URLSearchParams(window.location.search);
    if (params.has('signedout')) send({ type: 'keyport:signed-out', everywhere: params.get('signedout') === 'everywhere' });
    const ready = { type: 'keyport:ready', signedIn, page: window.location.pathname };
    if (params.get('handoff') === 'done') ready.handoff = 'done';
    send(ready);
    const app = document.querySelector('.app') || document.body;
    let pending = false;
    new ResizeObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        measure();
      });
    }).observe(app);
    measure();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
