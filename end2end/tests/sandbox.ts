// Talking to the sandbox's control surface (outbox, virtual phone, clock, faults) from tests.
import { APIRequestContext, request } from '@playwright/test';
import * as crypto from 'crypto';

export const SANDBOX = 'http://127.0.0.1:3201';
export const DEMO_PASSWORD = 'Keyport!Demo1';
export const HANDOFF_SECRET = 'keyport-sandbox-handoff-secret-for-demos-only';

export const users = {
  nora: 'nora.nofactors@example.com',
  victor: 'victor.verify@example.com',
  olivia: 'olivia.oie@example.com',
  tina: 'tina.totp@example.com',
  adam: 'adam.admin@example.com',
  dana: 'dana.deactivated@example.com',
  luke: 'luke.locked@example.com',
  pat: 'pat.expired@example.com',
};

export const secrets = {
  victorOktaVerify: 'KEYPORTVICTOROV2',
  tinaGoogle: 'KEYPORTTINATOTP7',
};

export const CLASSIC_SANDBOX = 'http://127.0.0.1:3211';
export const CLASSIC_KEYPORT = 'http://localhost:3210';

const contexts = new Map<string, APIRequestContext>();

/** The control surface of the sandbox at `base`. */
export function sandboxAt(base: string) {
  async function json(method: string, path: string, body?: unknown) {
    let c = contexts.get(base);
    if (!c) {
      c = await request.newContext({ baseURL: base });
      contexts.set(base, c);
    }
    // The sandbox refuses control calls without a JSON content type (a web page could send them).
    const res = await c.fetch(path, {
      method,
      data: body === undefined ? undefined : body,
      headers: method === 'GET' ? undefined : { 'content-type': 'application/json' },
    });
    if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }
  const sb = {
  reset: () => json('POST', '/sandbox/api/reset'),
  outbox: () => json('GET', '/sandbox/api/outbox') as Promise<Array<{ channel: string; to: string; code: string | null; link: string | null; sentAt: string; body: string; locale: string | null }>>,
  async lastCodeTo(to: string): Promise<string> {
    const messages = await sb.outbox();
    const m = [...messages].reverse().find((m) => m.to === to && m.code);
    if (!m?.code) throw new Error(`no code sent to ${to}`);
    return m.code;
  },
  totp: async (secret: string) => (await json('POST', '/sandbox/api/totp', { secret })).code as string,
  phone: () => json('GET', '/sandbox/api/phone'),
  approve: (transactionId: string, number?: number) =>
    json('POST', `/sandbox/api/phone/pushes/${encodeURIComponent(transactionId)}/approve`, number === undefined ? {} : { number }),
  deny: (transactionId: string) => json('POST', `/sandbox/api/phone/pushes/${encodeURIComponent(transactionId)}/deny`),
  scan: (payload: string, deviceName = 'Test phone') => json('POST', '/sandbox/api/phone/scan', { payload, deviceName }),
  advance: (seconds: number) => json('POST', '/sandbox/api/clock/advance', { seconds }),
  fault: (rule: unknown) => json('POST', '/sandbox/api/faults', rule),
  requests: (since = 0, path?: string) =>
    json('GET', `/sandbox/api/requests?since=${since}${path ? `&path=${encodeURIComponent(path)}` : ''}`),
  /** Okta's System Log, read through the Okta API as any client would (newest last). */
  logs: async () => {
    const c = await request.newContext({ baseURL: base });
    const res = await c.get('/api/v1/logs?limit=1000', { headers: { authorization: 'SSWS keyport-sandbox-token' } });
    if (!res.ok()) throw new Error(`GET /api/v1/logs: ${res.status()}`);
    const events = await res.json();
    await c.dispose();
    return events as Array<{ eventType: string; target: Array<{ id: string }> | null }>;
  },
  /** Waits for the single pending push and returns it. */
  async pendingPush(): Promise<{ transactionId: string; choices: number[]; login: string }> {
    for (let i = 0; i < 50; i++) {
      const p = await sb.phone();
      if (p.pushes.length > 0) return p.pushes[p.pushes.length - 1];
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('no push arrived at the virtual phone');
  },
  json,
  };
  return sb;
}

export const sandbox = sandboxAt(SANDBOX);
export const classicSandbox = sandboxAt(CLASSIC_SANDBOX);

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A handoff JWT as a company's application would sign it (HS256). */
export function handoffToken(sub: string, opts: { ttlSeconds?: number; jti?: string; aud?: string; iat?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      sub,
      aud: opts.aud ?? 'keyport',
      iat: opts.iat ?? now,
      exp: (opts.iat ?? now) + (opts.ttlSeconds ?? 120),
      jti: opts.jti ?? crypto.randomUUID(),
    }),
  );
  const sig = b64url(crypto.createHmac('sha256', HANDOFF_SECRET).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${sig}`;
}
