import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Papa from 'papaparse';
import { Role } from '../src/common/actor';
import { serveWebApp } from '../src/web-app';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
});
afterAll(() => t.close());

const IMPORT = `mutation($rows: [RecipientImportRow!]!) { importRecipients(rows: $rows) { imported } }`;

function download(query = '', headers: Record<string, string> = {}) {
  return fetch(`${t.url}/export/recipients.csv${query}`, { headers });
}
const bearer = (as: TestUser) => ({ authorization: `Bearer ${as.token}` });
async function csvOf(res: Response): Promise<string[][]> {
  expect(res.status).toBe(200);
  const parsed = Papa.parse<string[]>(await res.text(), { skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

describe('GET /export/recipients.csv', () => {
  it('streams the caller’s recipients as quoted CSV with a header, as an attachment', async () => {
    const owner = await t.createUser();
    const tricky = { email: 'tricky@example.com', fullName: 'Lee, "Ann"', comment: 'line one\nline two, with comma' };
    ok(await t.gql(IMPORT, { rows: [tricky, { email: 'plain@example.com', fullName: 'Plain' }] }, owner));

    const res = await download('', bearer(owner));
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="recipients.csv"');
    const text = await res.clone().text();
    expect(text).toContain('"Lee, ""Ann"""');
    const [header, ...rows] = await csvOf(res);
    expect(header).toEqual(['email', 'fullName', 'comment', 'createdAt']);
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['plain@example.com', 'Plain', ''],
      [tricky.email, tricky.fullName, tricky.comment],
    ]);
    expect(new Date(rows[0][3]).toISOString()).toBe(rows[0][3]);
  });

  it('accepts the session cookie and filters with ?search=', async () => {
    const owner = await t.createUser();
    ok(await t.gql(IMPORT, { rows: [{ email: 'kim@example.com', fullName: 'Kim' }, { email: 'bo@example.com', comment: 'vip_1' }] }, owner));
    const res = await download(`?search=${encodeURIComponent('VIP_')}`, { cookie: `mailing_session=${owner.token}` });
    expect((await csvOf(res)).slice(1).map((r) => r[0])).toEqual(['bo@example.com']);
  });

  it('pages through more rows than one query reads', async () => {
    const owner = await t.createUser();
    for (let call = 0; call < 3; call++) {
      const rows = Array.from({ length: 900 }, (_, i) => ({ email: `p${call}-${String(i).padStart(3, '0')}@example.com` }));
      ok(await t.gql(IMPORT, { rows }, owner));
    }
    const emails = (await csvOf(await download('', bearer(owner)))).slice(1).map((r) => r[0]);
    expect(emails).toHaveLength(2700);
    expect(new Set(emails).size).toBe(2700);
    expect(emails).toEqual([...emails].sort());
  });

  it('shows a user only their own rows, and managers and admins everyone’s', async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    ok(await t.gql(IMPORT, { rows: [{ email: 'only-a@example.com' }] }, a));
    ok(await t.gql(IMPORT, { rows: [{ email: 'only-b@example.com' }] }, b));
    const emailsOf = async (as: TestUser) => (await csvOf(await download('?search=only-', bearer(as)))).slice(1).map((r) => r[0]);
    expect(await emailsOf(a)).toEqual(['only-a@example.com']);
    expect(await emailsOf(b)).toEqual(['only-b@example.com']);
    for (const role of [Role.MANAGER, Role.ADMIN]) {
      expect((await emailsOf(await t.createUser({ role }))).sort()).toEqual(['only-a@example.com', 'only-b@example.com']);
    }
  });

  it('answers 401 to anonymous and blocked callers, 400 to an overlong search', async () => {
    expect((await download()).status).toBe(401);
    expect((await download('', { authorization: 'Bearer not-a-token' })).status).toBe(401);
    const blocked = await t.createUser({ blocked: true });
    const res = await download('', bearer(blocked));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const owner = await t.createUser();
    const long = await download(`?search=${'x'.repeat(201)}`, bearer(owner));
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'search' } });
  });

  it('refuses a search PostgreSQL cannot store, or more than one, as JSON 400 BAD_USER_INPUT like GraphQL', async () => {
    const owner = await t.createUser();
    ok(await t.gql(IMPORT, { rows: [{ email: 'a-b@example.com' }] }, owner));
    const refused = async (query: string, message: string | RegExp) => {
      const res = await download(query, bearer(owner));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ error: { code: 'BAD_USER_INPUT', field: 'search', message } });
    };
    const graphql = await t.gql(`query($s: String) { recipients(search: $s) { total } }`, { s: 'a\u0000b' }, owner);
    const unstorable = graphql.errors![0].message;
    expect(unstorable).toMatch(/cannot be stored/);
    await refused('?search=a%00b', unstorable);
    await refused('?search=%00', unstorable);
    await refused('?search=a&search=b', 'Give one search text.');
    // Invalid UTF-8 (a surrogate's bytes) arrives as U+FFFD, which is stored text: searched literally.
    const surrogateBytes = await download('?search=%ED%A0%80', bearer(owner));
    expect((await csvOf(surrogateBytes)).slice(1)).toEqual([]);
  });

  it('is not swallowed by the built web app’s history fallback', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<html>app</html>');
    const server = express();
    serveWebApp(server, dist);
    server.use((_req, res) => res.status(404).send('not found'));
    const listener = server.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const html = { accept: 'text/html' };
      expect(await (await fetch(`${base}/recipients`, { headers: html })).text()).toBe('<html>app</html>');
      expect((await fetch(`${base}/export/recipients.csv`, { headers: html })).status).toBe(404);
    } finally {
      listener.close();
      fs.rmSync(dist, { recursive: true });
    }
  });
});
