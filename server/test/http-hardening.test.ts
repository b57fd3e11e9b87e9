import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { serveWebApp } from '../src/web-app';
import { CSP_NONCE_PLACEHOLDER, securityHeaders } from '../src/http/security-headers';
import { startTestApp, type TestApp, type TestUser } from './harness';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
  user = await t.createUser();
});
afterAll(() => t?.close());

const ME = JSON.stringify({ query: '{ me { id } }' });
const postGraphql = (headers: Record<string, string>, body = ME) =>
  fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-powered-by')).toBeNull();
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/default-src 'self'/);
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).toMatch(/worker-src 'self' blob:(;|$)/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
}

/**
 * The web app as the server serves it, from a stand-in build: the server tests run before
 * (and without) `vite build`, so the real web/dist may not exist yet.
 */
async function withBuiltWebApp(indexHtml: string, use: (base: string) => Promise<void>): Promise<void> {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
  fs.writeFileSync(path.join(dist, 'index.html'), indexHtml);
  const server = express();
  server.use(securityHeaders());
  serveWebApp(server, dist);
  const listener = server.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  try {
    await use(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`);
  } finally {
    listener.close();
    fs.rmSync(dist, { recursive: true });
  }
}

describe('security headers', () => {
  it.each([
    ['GET /healthz', () => fetch(`${t.url}/healthz`)],
    ['POST /graphql', () => postGraphql({})],
  ])('on %s', async (_name, request) => {
    expectSecurityHeaders((await request()).headers);
  });

  it('on the web app\'s pages', async () => {
    await withBuiltWebApp('<p>app</p>', async (base) => {
      const res = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
      expect(await res.text()).toBe('<p>app</p>');
      expectSecurityHeaders(res.headers);
    });
  });

  it('the built web app gets the nonce of its own response, a new one each time', async () => {
    const html = `<meta property="csp-nonce" nonce="${CSP_NONCE_PLACEHOLDER}"><script nonce="${CSP_NONCE_PLACEHOLDER}"></script>`;
    await withBuiltWebApp(html, async (base) => {
      const page = async () => {
        const res = await fetch(`${base}/mailings`, { headers: { accept: 'text/html' } });
        const header = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
        return { header, html: await res.text() };
      };
      const first = await page();
      const second = await page();
      expect(first.header).toBeDefined();
      expect(first.html).toBe(`<meta property="csp-nonce" nonce="${first.header}"><script nonce="${first.header}"></script>`);
      expect(second.html).toContain(`nonce="${second.header}"`);
      expect(second.header).not.toBe(first.header);
    });
  });
});

describe('coded JSON errors on the API paths', () => {
  it.each([
    ['GET', '/export/nothing.csv'],
    ['GET', '/healthz/deeper'],
    ['POST', '/healthz'],
  ])('404 for %s %s', async (method, pathname) => {
    const res = await fetch(`${t.url}${pathname}`, { method, headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `Nothing at ${method} ${pathname}.` } });
  });

  it('413 for a GraphQL body over the limit', async () => {
    const res = await postGraphql({}, JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(3 * 1024 * 1024)}` }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ message: 'The request body is too large.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('400 for a GraphQL body that is not JSON', async () => {
    const res = await postGraphql({}, '{"query": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'The request could not be read.', extensions: { code: 'BAD_REQUEST' } }] });
  });
});

describe('x-request-id', () => {
  it('keeps a client id that looks like one', async () => {
    const id = 'client-1.request_2';
    expect((await postGraphql({ 'x-request-id': id })).headers.get('x-request-id')).toBe(id);
    const longest = 'a'.repeat(64);
    expect((await postGraphql({ 'x-request-id': longest })).headers.get('x-request-id')).toBe(longest);
  });

  it.each([['a'.repeat(65)], ['two words'], ['id"}{"injected'], ['%0Anext-line']])('replaces %j with a new one', async (given) => {
    const answered = (await postGraphql({ 'x-request-id': given })).headers.get('x-request-id');
    expect(answered).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('the bearer scheme is case-insensitive (RFC 7235)', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('%s <token>', async (scheme) => {
    const res = await postGraphql({ authorization: `${scheme} ${user.token}` });
    expect(await res.json()).toEqual({ data: { me: { id: user.user.id } } });
  });

  it('another scheme is no login', async () => {
    const res = await postGraphql({ authorization: `Basic ${user.token}` });
    expect(await res.json()).toEqual({ data: { me: null } });
  });
});

describe('GET queries (as the README tells integrators)', () => {
  const url = () => `${t.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`;

  it('answer with the apollo-require-preflight header', async () => {
    const res = await fetch(url(), { headers: { authorization: `Bearer ${user.token}`, 'apollo-require-preflight': 'true' } });
    expect(await res.json()).toEqual({ data: { me: { id: user.user.id } } });
  });

  it('are refused by the CSRF guard without it', async () => {
    const res = await fetch(url(), { headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/apollo-require-preflight/);
  });
});
