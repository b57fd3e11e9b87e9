import { simpleParser } from 'mailparser';
import { Recipient } from '../src/recipients/recipient.entity';
import { finishMailing } from '../src/sending/close-attempt';
import { openAttempt } from '../src/sending/open-attempt';
import { unsubscribeLinks } from '../src/unsubscribe/unsubscribe-links';
import { unsubscribeToken } from '../src/unsubscribe/unsubscribe-token';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';
import { FAST_SENDING, attemptsOf, deliveriesOf, runClosed, seedMailing } from './sending-fixtures';
import type { ReceivedMail } from './test-smtp';
import { waitUntil } from './wait-until';

const MAILTO = 'unsubscribe@example.test';
const TOKEN = /^[A-Za-z0-9_-]{66}$/;

let t: TestApp;
let owner: TestUser;
beforeAll(async () => {
  t = await startTestApp({ ...FAST_SENDING, UNSUBSCRIBE_MAILTO: MAILTO });
  owner = await t.createUser();
});
afterAll(() => t?.close());
afterEach(() => t.smtp.reset());

/** A header of a received message as its value reads once unfolded (RFC 5322: CRLF + whitespace continues a line). */
function header(mail: ReceivedMail, name: string): string[] {
  const head = mail.raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const prefix = `${name.toLowerCase()}:`;
  return head
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

/** The recipient row of `email` among the owner's. */
async function recipientOf(email: string): Promise<Recipient> {
  return t.app.orm.em.fork().findOneOrFail(Recipient, { email, owner: owner.user.id });
}

/** The link a message to this recipient carries, made by the same function sending uses. */
async function linkFor(email: string): Promise<string> {
  const recipient = await recipientOf(email);
  return unsubscribeLinks(t.app.config)({ ownerId: owner.user.id, recipientId: recipient.id }).url;
}

/** The path of a link (under APP_URL, http://app.test) on the test server. */
const onServer = (link: string) => `${t.url}${new URL(link).pathname}`;

/** An unsubscribe request from anyone: no cookie, no bearer token. */
function request(link: string, method: 'GET' | 'POST', path = '') {
  const init: RequestInit =
    method === 'POST'
      ? { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual' }
      : { method, redirect: 'manual' };
  return fetch(onServer(link) + path, init);
}

/** A page's text without its per-response CSP nonce, to compare two answers. */
const withoutNonce = (html: string) => html.replace(/nonce="[^"]*"/g, 'nonce=""');

async function unsubscribedAt(email: string): Promise<Date | null> {
  return (await recipientOf(email)).unsubscribedAt ?? null;
}

describe('the headers of a mailing message', () => {
  it('carry List-Unsubscribe (link under APP_URL and mailto) and List-Unsubscribe-Post, and {{unsubscribeUrl}} fills in the link', async () => {
    const { mailingId, emails } = await seedMailing(t.app, owner.user, {
      count: 2,
      body: 'Hello {{fullName}}.\nTo stop these mails: {{unsubscribeUrl}}',
    });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 2, skippedCount: 0 });

    const links = new Set<string>();
    for (const email of emails) {
      const mail = await t.smtp.mailTo(email);
      const [listUnsubscribe, ...more] = header(mail, 'List-Unsubscribe');
      expect(more).toEqual([]);
      const match = /^<(http:\/\/app\.test\/unsubscribe\/([^>]+))>, <mailto:unsubscribe@example\.test\?subject=unsubscribe%20([^>]+)>$/.exec(
        listUnsubscribe,
      );
      expect(match).not.toBeNull();
      const [, url, token, mailtoToken] = match!;
      expect(token).toMatch(TOKEN);
      expect(mailtoToken).toBe(token);
      expect(url).toBe(await linkFor(email));
      expect(header(mail, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe=One-Click']);
      expect((await simpleParser(mail.raw)).text).toContain(`To stop these mails: ${url}`);
      links.add(url);
    }
    // One link per recipient.
    expect(links.size).toBe(2);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  it('unsubscribes at once on a POST without a session, from the link in a received message', async () => {
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 1 });
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    const [link] = /<(http[^>]+)>/.exec(header(await t.smtp.mailTo(emails[0]), 'List-Unsubscribe')[0])!.slice(1);

    const res = await request(link, 'POST');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    expect(await unsubscribedAt(emails[0])).toBeInstanceOf(Date);
  });

  it('leaves the recipient out of the next attempt of the mailing', async () => {
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 3 });
    const [sent, quitter, retried] = emails;
    // The first attempt reaches one; the others are refused and the mailing stays RUNNING.
    t.smtp.rules = (to) => (to === sent ? undefined : { rcpt: 550 });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'FAILURE', sentCount: 1, failedCount: 2 });
    t.smtp.reset();

    expect((await request(await linkFor(quitter), 'POST')).status).toBe(200);
    ok(await t.gql(`mutation($id: ID!) { sendMailingNow(id: $id) { id total } }`, { id: mailingId }, owner));
    const second = await waitForAttempts(mailingId, 2);
    expect(second).toMatchObject({ status: 'SUCCESS', total: 1, sentCount: 1, skippedCount: 0 });
    expect(t.smtp.countFor(retried)).toBe(1);
    expect(t.smtp.countFor(quitter)).toBe(0);
    expect((await deliveriesOf(t.app, mailingId)).filter((d) => d.email === quitter)).toHaveLength(1);
  });

  it('refuses an attempt with nobody left to send to, naming the unsubscribed', async () => {
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 1 });
    expect((await request(await linkFor(emails[0]), 'POST')).status).toBe(200);
    const res = await t.gql(`mutation($id: ID!) { sendMailingNow(id: $id) { id } }`, { id: mailingId }, owner);
    expect(res.errors?.[0]).toMatchObject({
      message: 'This mailing has nobody to send to: 1 recipient has unsubscribed.',
      extensions: { code: 'CONFLICT' },
    });
    expect(await attemptsOf(t.app, mailingId)).toEqual([]);
  });

  it('skips the waiting deliveries of an open attempt: unsubscribed and deleted recipients, with the reason', async () => {
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 3 });
    const [quitter, deleted, reader] = emails;
    // Opened here and not yet queued: every delivery waits.
    const attempt = await openAttempt(t.app.orm.em, mailingId, 'example.test');
    expect((await request(await linkFor(quitter), 'POST')).status).toBe(200);
    ok(await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id: (await recipientOf(deleted)).id }, owner));

    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: 3, sentCount: 1, skippedCount: 2, failedCount: 0 });
    const deliveries = await deliveriesOf(t.app, mailingId);
    expect(deliveries.map(({ email, status, tries, response }) => ({ email, status, tries, response }))).toEqual(
      expect.arrayContaining([
        { email: quitter, status: 'SKIPPED', tries: 0, response: 'Not sent: the recipient unsubscribed.' },
        { email: deleted, status: 'SKIPPED', tries: 0, response: 'Not sent: the recipient was deleted.' },
        expect.objectContaining({ email: reader, status: 'SENT', tries: 1 }),
      ]),
    );
    expect(t.smtp.countFor(quitter)).toBe(0);
    expect(t.smtp.countFor(deleted)).toBe(0);
    expect(t.smtp.countFor(reader)).toBe(1);

    const progress = ok(
      await t.gql(`query($id: ID!) { attemptProgress(id: $id) { status total sent skipped failed pending } }`, { id: attempt.id }, owner),
    ).attemptProgress;
    expect(progress).toEqual({ status: 'SUCCESS', total: 3, sent: 1, skipped: 2, failed: 0, pending: 0 });
  });
});

describe('the end of a mailing', () => {
  it('skips a waiting delivery of an unsubscribed recipient instead of failing it', async () => {
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 2 });
    const [quitter, waiting] = emails;
    await openAttempt(t.app.orm.em, mailingId, 'example.test');
    expect((await request(await linkFor(quitter), 'POST')).status).toBe(200);

    expect(await finishMailing(t.app.orm.em, mailingId, new Date(Date.now() + 2 * 3_600_000))).toEqual({ kind: 'finished' });
    const deliveries = await deliveriesOf(t.app, mailingId);
    expect(deliveries.map(({ email, status, response }) => ({ email, status, response }))).toEqual(
      expect.arrayContaining([
        { email: quitter, status: 'SKIPPED', response: 'Not sent: the recipient unsubscribed.' },
        { email: waiting, status: 'FAILED', response: 'Not sent: the mailing ended before it went out.' },
      ]),
    );
    expect((await attemptsOf(t.app, mailingId))[0]).toMatchObject({ status: 'FAILURE', total: 2, skippedCount: 1, failedCount: 1, sentCount: 0 });
    expect(t.smtp.countFor(quitter) + t.smtp.countFor(waiting)).toBe(0);
  });
});

describe('tokens', () => {
  it('refuse a forged or altered token, and another recipient’s id under a token, with one answer that names nothing', async () => {
    const { emails } = await seedMailing(t.app, owner.user, { count: 2 });
    const [mine, theirs] = emails;
    const link = await linkFor(mine);
    const token = link.split('/').at(-1)!;
    const bytes = Buffer.from(token, 'base64url');
    const theirId = Buffer.from((await recipientOf(theirs)).id.replaceAll('-', ''), 'hex');
    // My token's signature over their recipient id.
    const swapped = Buffer.concat([bytes.subarray(0, 17), theirId, bytes.subarray(33)]).toString('base64url');
    const flipped = Buffer.from(bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b))).toString('base64url');
    const otherSecret = unsubscribeToken('another secret of at least thirty-two chars', {
      ownerId: owner.user.id,
      recipientId: (await recipientOf(theirs)).id,
    });
    const stranger = await t.createUser();
    const wrongOwner = unsubscribeToken(t.app.config.UNSUBSCRIBE_SECRET, { ownerId: stranger.user.id, recipientId: (await recipientOf(theirs)).id });
    const base = link.slice(0, -token.length);

    const answers = new Set<string>();
    for (const bad of [swapped, flipped, otherSecret, wrongOwner, token.slice(0, -2), 'not-a-token', `${token}AA`]) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await request(base + bad, method);
        expect(res.status).toBe(404);
        answers.add(withoutNonce(await res.text()));
      }
    }
    expect(answers.size).toBe(1);
    expect([...answers][0]).toContain('This unsubscribe link is not valid.');
    expect(await unsubscribedAt(mine)).toBeNull();
    expect(await unsubscribedAt(theirs)).toBeNull();

    // A real token of a recipient who was since deleted gets the same answer.
    const goneLink = await linkFor(theirs);
    ok(await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id: (await recipientOf(theirs)).id }, owner));
    const gone = await request(goneLink, 'POST');
    expect(gone.status).toBe(404);
    expect(withoutNonce(await gone.text())).toBe([...answers][0]);
  });
});

describe('the unsubscribe page', () => {
  it('asks on GET without changing anything, confirms a POST, and undoes it on request', async () => {
    const { emails } = await seedMailing(t.app, owner.user, { count: 1 });
    const [email] = emails;
    const link = await linkFor(email);
    const path = new URL(link).pathname;

    const asked = await request(link, 'GET');
    expect(asked.status).toBe(200);
    expect(asked.headers.get('content-type')).toMatch(/^text\/html/);
    expect(asked.headers.get('cache-control')).toBe('no-store');
    const askedHtml = await asked.text();
    expect(askedHtml).toContain('Stop receiving mailings from this sender?');
    expect(askedHtml).toContain(`<form method="post" action="${path}">`);
    expect(askedHtml).not.toContain('<script');
    // The page passes the app's CSP: no script, its one style carries the response's nonce, forms post to this origin.
    const csp = asked.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("form-action 'self'");
    const nonce = /nonce="([^"]+)"/.exec(askedHtml)![1];
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(await unsubscribedAt(email)).toBeNull();

    const done = await request(link, 'POST');
    const doneHtml = await done.text();
    expect(doneHtml).toContain('You are unsubscribed');
    expect(doneHtml).toContain(`<form method="post" action="${path}/resubscribe">`);
    const first = await unsubscribedAt(email);
    expect(first).toBeInstanceOf(Date);

    // Again: still unsubscribed since the first time; the page says so on GET too.
    await request(link, 'POST');
    expect(await unsubscribedAt(email)).toEqual(first);
    expect(await (await request(link, 'GET')).text()).toContain('You are unsubscribed');

    const undone = await request(link, 'POST', '/resubscribe');
    expect(undone.status).toBe(200);
    const undoneHtml = await undone.text();
    expect(undoneHtml).toContain('You are subscribed again');
    expect(undoneHtml).toContain(`<form method="post" action="${path}">`);
    expect(await unsubscribedAt(email)).toBeNull();
  });
});

describe('the recipients API', () => {
  it('shows when a recipient unsubscribed and filters on it', async () => {
    const someone = await t.createUser();
    const create = `mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }`;
    for (const email of ['stays@example.test', 'leaves@example.test']) ok(await t.gql(create, { input: { email } }, someone));
    const leaves = await t.app.orm.em.fork().findOneOrFail(Recipient, { email: 'leaves@example.test', owner: someone.user.id });
    const link = unsubscribeLinks(t.app.config)({ ownerId: someone.user.id, recipientId: leaves.id }).url;
    expect((await request(link, 'POST')).status).toBe(200);

    const list = `query($unsubscribed: Boolean) { recipients(unsubscribed: $unsubscribed) { total items { email unsubscribedAt } } }`;
    const all = ok(await t.gql(list, {}, someone)).recipients;
    expect(all.total).toBe(2);
    const only = ok(await t.gql(list, { unsubscribed: true }, someone)).recipients;
    expect(only.items).toEqual([{ email: 'leaves@example.test', unsubscribedAt: expect.any(String) }]);
    expect(new Date(only.items[0].unsubscribedAt).getTime()).not.toBeNaN();
    const others = ok(await t.gql(list, { unsubscribed: false }, someone)).recipients;
    expect(others.items).toEqual([{ email: 'stays@example.test', unsubscribedAt: null }]);
  });
});

describe('the rate limit', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ UNSUBSCRIBE_REQUESTS_PER_MINUTE: '3', SERVER_ROLE: 'api' });
  });
  afterAll(() => limited?.close());

  it('refuses a client address past UNSUBSCRIBE_REQUESTS_PER_MINUTE, valid token or not, with Retry-After', async () => {
    const user = await limited.createUser();
    const recipient = ok(
      await limited.gql(`mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }`, { input: { email: 'r@example.test' } }, user),
    ).createRecipient;
    const token = unsubscribeToken(limited.app.config.UNSUBSCRIBE_SECRET, { ownerId: user.user.id, recipientId: recipient.id });
    const url = `${limited.url}/unsubscribe/${token}`;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(`${limited.url}/unsubscribe/forged`)).status).toBe(404);
    expect((await fetch(url)).status).toBe(200);

    const refused = await fetch(url, { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Too many requests');
    const row = await limited.app.orm.em.fork().findOneOrFail(Recipient, recipient.id);
    expect(row.unsubscribedAt ?? null).toBeNull();
  });
});

/** Resolves with the mailing's attempt number `count` once it has closed. */
async function waitForAttempts(mailingId: string, count: number) {
  return waitUntil(`attempt #${count} to close`, async () => {
    const attempts = await attemptsOf(t.app, mailingId);
    const attempt = attempts[count - 1];
    return attempt && attempt.status !== 'RUNNING' ? attempt : undefined;
  });
}
