// The host side of Keyport's embed protocol, as a company's page would write it.
(() => {
  'use strict';
  const KEYPORT = document.body.dataset.keyport; // Keyport's origin
  const frame = document.getElementById('keyport');
  const events = document.getElementById('events');
  const user = document.getElementById('user');
  // Every message from Keyport, for people to read and for tests.
  window.keyportMessages = [];

  const src = `${KEYPORT}/signin?host=${encodeURIComponent(location.origin)}`;
  document.getElementById('snippet').textContent =
    `<iframe src="${src}"\n  title="Your sign-in methods"\n  allow="publickey-credentials-create; publickey-credentials-get; clipboard-write"\n  style="width:100%;border:0"></iframe>`;

  // The person to hand over once the frame is ready: on arrival, whoever is signed in to Acme.
  let wanted = user.value;

  async function token(login) {
    const res = await fetch('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: login }),
    });
    if (!res.ok) throw new Error(`token: ${res.status}`);
    return (await res.json()).token;
  }

  window.addEventListener('message', async (e) => {
    // Only Keyport's frame, from Keyport's origin.
    if (e.source !== frame.contentWindow || e.origin !== KEYPORT) return;
    const m = e.data;
    if (!m || m.source !== 'keyport') return;
    window.keyportMessages.push(m);
    if (m.type !== 'keyport:resize' || events.lastElementChild?.dataset.type !== 'keyport:resize') {
      const li = document.createElement('li');
      li.dataset.type = m.type;
      li.textContent = JSON.stringify(m);
      events.appendChild(li);
    } else {
      events.lastElementChild.textContent = JSON.stringify(m);
    }
    if (m.type === 'keyport:resize') frame.style.height = `${Math.max(200, m.height)}px`;
    if (m.type === 'keyport:ready' && m.handoff === 'done') wanted = null;
    // Hand over on every `ready` until one says it is done: a hand-over that reached a page
    // just as it navigated away is lost, and each token works once anyway.
    if (m.type === 'keyport:ready' && wanted && m.handoff !== 'done') {
      frame.contentWindow.postMessage({ type: 'keyport:handoff', token: await token(wanted) }, KEYPORT);
    }
  });

  document.getElementById('who').addEventListener('submit', (e) => {
    e.preventDefault();
    wanted = user.value;
    // A fresh frame: signed out of any earlier person first.
    frame.src = src;
  });

  document.querySelectorAll('[data-page]').forEach((b) =>
    b.addEventListener('click', () => frame.contentWindow.postMessage({ type: 'keyport:open', page: b.dataset.page }, KEYPORT)),
  );

  frame.src = src;
})();
