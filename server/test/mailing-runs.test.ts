import { Role } from '../src/common/actor';
import { Mailing } from '../src/mailings/mailing.entity';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { createMailing, createMessage, ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
});
afterAll(() => t.close());

const IMPORT = `mutation($rows: [RecipientImportRow!]!) { importRecipients(rows: $rows) { rows { recipientId } } }`;

async function mailingTo(owner: TestUser, rows: Array<{ email: string; fullName?: string }>): Promise<string> {
  const ids = ok(await t.gql(IMPORT, { rows }, owner)).importRecipients.rows.map((r: { recipientId: string }) => r.recipientId);
  return createMailing(t, owner, { messageId: await createMessage(t, owner), recipientIds: ids });
}

/** A run as the engine leaves it: an attempt and deliveries in these statuses. */
async function addAttempt(mailingId: string, attemptedAt: Date, status: AttemptStatus, deliveries: DeliveryStatus[], counts: Partial<Attempt> = {}) {
  const em = t.app.orm.em.fork();
  const mailing = em.getReference(Mailing, mailingId);
  const attempt = em.create(Attempt, { mailing, attemptedAt, status, total: deliveries.length, ...counts });
  deliveries.forEach((s, i) => em.create(Delivery, { attempt, email: `d${i}@example.com`, status: s }));
  await em.flush();
  return attempt.id;
}

describe('Mailing.recipientPage', () => {
  const PAGE = `query($id: ID!, $offset: Int, $limit: Int, $search: String) {
    mailing(id: $id) { recipientPage(offset: $offset, limit: $limit, search: $search) { total offset limit items { email fullName } } }
  }`;

  it('pages the mailing’s own recipients by email, with search over email and name', async () => {
    const owner = await t.createUser();
    const id = await mailingTo(owner, [
      { email: 'carol@example.com', fullName: 'Carol' },
      { email: 'alice@example.com', fullName: 'Alice Smith' },
      { email: 'bob@example.com', fullName: 'Bob' },
      { email: 'dave@example.org', fullName: 'Dave Smith' },
    ]);
    await t.gql(IMPORT, { rows: [{ email: 'outsider@example.com' }] }, owner); // not in the mailing

    const page = ok(await t.gql(PAGE, { id, offset: 1, limit: 2 }, owner)).mailing.recipientPage;
    expect(page).toMatchObject({ total: 4, offset: 1, limit: 2 });
    expect(page.items.map((r: { email: string }) => r.email)).toEqual(['bob@example.com', 'carol@example.com']);

    const smiths = ok(await t.gql(PAGE, { id, search: 'SMITH' }, owner)).mailing.recipientPage;
    expect(smiths.items.map((r: { email: string }) => r.email)).toEqual(['alice@example.com', 'dave@example.org']);
    expect(ok(await t.gql(PAGE, { id, search: '.org' }, owner)).mailing.recipientPage.total).toBe(1);

    const past = ok(await t.gql(PAGE, { id, offset: 10 }, owner)).mailing.recipientPage;
    expect(past).toMatchObject({ total: 4, items: [] });

    const manager = await t.createUser({ role: Role.MANAGER });
    expect(ok(await t.gql(PAGE, { id }, manager)).mailing.recipientPage.total).toBe(4);
  });

  it('keeps the paging limits of other lists', async () => {
    const owner = await t.createUser();
    const id = await mailingTo(owner, [{ email: 'one@example.com' }]);
    const res = await t.gql(PAGE, { id, limit: 201 }, owner);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });
});

describe('Mailing.recipients (deprecated)', () => {
  const RECIPIENTS = `query($id: ID!, $offset: Int, $limit: Int) { mailing(id: $id) { recipients(offset: $offset, limit: $limit) { email } } }`;
  const emailsOf = (data: { mailing: { recipients: Array<{ email: string }> } }) => data.mailing.recipients.map((r) => r.email);

  it('answers at most a page of 200 by email, the rest with offset, and keeps the paging limits of other lists', async () => {
    const owner = await t.createUser();
    const rows = Array.from({ length: 250 }, (_, i) => ({ email: `r${String(249 - i).padStart(3, '0')}@example.com` }));
    const id = await mailingTo(owner, rows);
    const sorted = rows.map((r) => r.email).sort();

    expect(emailsOf(ok(await t.gql(RECIPIENTS, { id }, owner)))).toEqual(sorted.slice(0, 200));
    expect(emailsOf(ok(await t.gql(RECIPIENTS, { id, offset: 200 }, owner)))).toEqual(sorted.slice(200));
    expect(emailsOf(ok(await t.gql(RECIPIENTS, { id, offset: 5, limit: 3 }, owner)))).toEqual(sorted.slice(5, 8));
    for (const [window, field] of [[{ limit: 201 }, 'limit'], [{ limit: 0 }, 'limit'], [{ offset: -1 }, 'offset']] as const) {
      const res = await t.gql(RECIPIENTS, { id, ...window }, owner);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('Mailing.progress and Mailing.attempts', () => {
  const RUNS = `query($id: ID!, $offset: Int, $limit: Int) {
    mailing(id: $id) {
      progress { attemptId mailingId status total pending sending sent failed uncertain }
      attempts(offset: $offset, limit: $limit) { total offset limit items { id status attemptedAt } }
    }
  }`;

  it('is null and empty before the first run', async () => {
    const owner = await t.createUser();
    const id = await mailingTo(owner, [{ email: 'x@example.com' }]);
    expect(ok(await t.gql(RUNS, { id }, owner)).mailing).toEqual({ progress: null, attempts: { total: 0, offset: 0, limit: 20, items: [] } });
  });

  it('shows the latest run’s live counts, and the runs newest first, paged', async () => {
    const owner = await t.createUser();
    const id = await mailingTo(owner, [{ email: 'x@example.com' }]);
    const hour = 3_600_000;
    const first = await addAttempt(id, new Date(Date.now() - 3 * hour), AttemptStatus.FAILURE, [DeliveryStatus.SENT, DeliveryStatus.FAILED], {
      sentCount: 1,
      failedCount: 1,
    });
    const second = await addAttempt(id, new Date(Date.now() - 2 * hour), AttemptStatus.SUCCESS, [DeliveryStatus.SENT], { sentCount: 1 });
    const running = await addAttempt(id, new Date(Date.now() - hour), AttemptStatus.RUNNING, [
      DeliveryStatus.PENDING,
      DeliveryStatus.PENDING,
      DeliveryStatus.SENDING,
      DeliveryStatus.SENT,
      DeliveryStatus.FAILED,
      DeliveryStatus.UNCERTAIN,
    ]);

    const { progress, attempts } = ok(await t.gql(RUNS, { id, limit: 2 }, owner)).mailing;
    expect(progress).toEqual({ attemptId: running, mailingId: id, status: 'RUNNING', total: 6, pending: 2, sending: 1, sent: 1, failed: 1, uncertain: 1 });
    // The same figures as the mailingProgress query.
    const viaQuery = ok(await t.gql(`query($id: ID!) { mailingProgress(mailingId: $id) { attemptId total pending sending sent failed uncertain } }`, { id }, owner));
    expect(viaQuery.mailingProgress).toEqual({ attemptId: running, total: 6, pending: 2, sending: 1, sent: 1, failed: 1, uncertain: 1 });
    expect(attempts.total).toBe(3);
    expect(attempts.items.map((a: { id: string }) => a.id)).toEqual([running, second]);
    const rest = ok(await t.gql(RUNS, { id, offset: 2, limit: 2 }, owner)).mailing.attempts;
    expect(rest.items.map((a: { id: string }) => a.id)).toEqual([first]);
  });

  it('shows a closed run’s stored counts', async () => {
    const owner = await t.createUser();
    const id = await mailingTo(owner, [{ email: 'x@example.com' }]);
    const attempt = await addAttempt(id, new Date(), AttemptStatus.FAILURE, [DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN], {
      failedCount: 1,
      uncertainCount: 1,
    });
    const { progress } = ok(await t.gql(RUNS, { id }, owner)).mailing;
    expect(progress).toEqual({ attemptId: attempt, mailingId: id, status: 'FAILURE', total: 2, pending: 0, sending: 0, sent: 0, failed: 1, uncertain: 1 });
  });
});
