import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';
import { Mailing } from '../src/mailings/mailing.entity';
import { Message } from '../src/messages/message.entity';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { seedFixture, withQueries } from './fixture-helpers';

const ALICE = 'alice@reports.test';
const BOB = 'bob@reports.test';
const MANAGER = 'manager@reports.test';

const fixture = {
  users: [
    { email: MANAGER, password: 'manager-password', role: 'MANAGER' },
    {
      email: ALICE,
      password: 'alice-password',
      recipients: [{ email: 'a1@example.com', fullName: 'Ann One' }, { email: 'a2@example.com' }, { email: 'a3@example.com' }],
      messages: [
        { subject: 'Alpha news', body: 'alpha' },
        { subject: 'Beta news', body: 'beta' },
      ],
      mailings: [
        {
          key: 'alpha',
          message: 'Alpha news',
          recipients: ['a1@example.com', 'a2@example.com', 'a3@example.com'],
          startAt: '-6d',
          endAt: '+1d',
          status: 'RUNNING',
          attempts: [
            {
              at: '-5d',
              serverResponse: '550 5.1.1 no such user',
              deliveries: [
                { recipient: 'a1@example.com', status: 'SENT', response: '250 ok 1' },
                { recipient: 'a2@example.com', status: 'FAILED', response: '550 5.1.1 no such user' },
                { recipient: 'a3@example.com', status: 'UNCERTAIN', response: 'connection lost' },
              ],
            },
            { at: '-1d', serverResponse: '250 ok 2', deliveries: [{ recipient: 'a2@example.com', status: 'SENT', response: '250 ok 2' }] },
          ],
        },
        { key: 'beta', message: 'Beta news', recipients: ['a1@example.com'], startAt: '+1d', endAt: '+2d', status: 'CREATED' },
      ],
    },
    {
      email: BOB,
      password: 'bob-password',
      recipients: [{ email: 'b1@example.com' }, { email: 'b2@example.com' }],
      messages: [{ subject: 'Gamma news', body: 'gamma' }],
      mailings: [
        {
          key: 'gamma',
          message: 'Gamma news',
          recipients: ['b1@example.com', 'b2@example.com'],
          startAt: '-3d',
          endAt: '-1h',
          status: 'FINISHED',
          attempts: [
            {
              at: '-2d',
              deliveries: [
                { recipient: 'b1@example.com', status: 'SENT', response: '250 ok b1' },
                { recipient: 'b2@example.com', status: 'SENT', response: '250 ok b2' },
              ],
            },
          ],
        },
      ],
    },
  ],
};

const REPORTS = `query($status: AttemptStatus, $from: DateTimeISO, $to: DateTimeISO, $search: String, $offset: Int, $limit: Int) {
  mailingReports(status: $status, from: $from, to: $to, search: $search, offset: $offset, limit: $limit) {
    total offset limit
    items {
      subject ownerEmail lastAttemptAt attemptCount sentCount failedCount uncertainCount
      mailing { id status }
      attempts { id attemptedAt status sentCount failedCount uncertainCount serverResponse }
    }
  }
}`;
const DELIVERIES = `query($attemptId: ID!, $status: DeliveryStatus, $offset: Int, $limit: Int) {
  attemptDeliveries(attemptId: $attemptId, status: $status, offset: $offset, limit: $limit) {
    total items { email fullName status response tries sentAt }
  }
}`;
const USER_STATS = `query($search: String, $userId: ID) {
  userStats(search: $search, userId: $userId) { total items { user { email } successfulAttempts failedAttempts messagesSent messagesFailed } }
}`;

let t: TestApp;
let as: Record<string, TestUser>;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

beforeAll(async () => {
  t = await startTestApp();
  as = await seedFixture(t, fixture);
});
afterAll(() => t?.close());

/** For a test that adds rows: an app on a database of its own. */
async function withOwnApp(test: (own: TestApp) => Promise<void>): Promise<void> {
  const own = await startTestApp();
  try {
    await test(own);
  } finally {
    await own.close();
  }
}

async function alphaAttempts(): Promise<Array<{ id: string; status: string }>> {
  const data = ok(await t.gql(REPORTS, {}, as[ALICE]));
  return data.mailingReports.items[0].attempts;
}

describe('mailingReports', () => {
  it("shows a user their own carried-out mailings only, with every attempt's totals and answer", async () => {
    const data = ok(await t.gql(REPORTS, {}, as[ALICE]));
    expect(data.mailingReports.total).toBe(1);
    const [alpha] = data.mailingReports.items;
    expect(alpha).toMatchObject({
      subject: 'Alpha news',
      ownerEmail: ALICE,
      attemptCount: 2,
      sentCount: 2,
      failedCount: 1,
      uncertainCount: 1,
      mailing: { status: 'RUNNING' },
    });
    expect(alpha.attempts).toMatchObject([
      { status: 'SUCCESS', sentCount: 1, failedCount: 0, uncertainCount: 0, serverResponse: '250 ok 2' },
      { status: 'FAILURE', sentCount: 1, failedCount: 1, uncertainCount: 1, serverResponse: '550 5.1.1 no such user' },
    ]);
    expect(alpha.lastAttemptAt).toBe(alpha.attempts[0].attemptedAt);
  });

  it("shows managers everyone's, newest attempt first, and never lists a mailing without attempts", async () => {
    const data = ok(await t.gql(REPORTS, {}, as[MANAGER]));
    expect(data.mailingReports.total).toBe(2);
    expect(data.mailingReports.items.map((r: { subject: string }) => r.subject)).toEqual(['Alpha news', 'Gamma news']);
    expect(data.mailingReports.items[1]).toMatchObject({ ownerEmail: BOB, sentCount: 2, failedCount: 0, attemptCount: 1 });
  });

  it('filters attempts by status and date range, and mailings by subject', async () => {
    const failures = ok(await t.gql(REPORTS, { status: 'FAILURE' }, as[MANAGER])).mailingReports;
    expect(failures.total).toBe(1);
    expect(failures.items[0]).toMatchObject({ subject: 'Alpha news', attemptCount: 1, sentCount: 1, failedCount: 1 });

    const recent = ok(await t.gql(REPORTS, { from: daysAgo(3), to: new Date().toISOString() }, as[MANAGER])).mailingReports;
    expect(recent.items.map((r: { subject: string; attemptCount: number }) => [r.subject, r.attemptCount])).toEqual([
      ['Alpha news', 1],
      ['Gamma news', 1],
    ]);
    const older = ok(await t.gql(REPORTS, { to: daysAgo(4) }, as[MANAGER])).mailingReports;
    expect(older.items.map((r: { subject: string }) => r.subject)).toEqual(['Alpha news']);
    expect(older.items[0].attempts).toHaveLength(1);

    const searched = ok(await t.gql(REPORTS, { search: 'GAMMA' }, as[MANAGER])).mailingReports;
    expect(searched.items.map((r: { subject: string }) => r.subject)).toEqual(['Gamma news']);
    const literal = ok(await t.gql(REPORTS, { search: '%' }, as[MANAGER])).mailingReports;
    expect(literal.total).toBe(0);
  });

  it('pages through the mailings and keeps the total', async () => {
    const page = ok(await t.gql(REPORTS, { offset: 1, limit: 1 }, as[MANAGER])).mailingReports;
    expect(page).toMatchObject({ total: 2, offset: 1, limit: 1 });
    expect(page.items.map((r: { subject: string }) => r.subject)).toEqual(['Gamma news']);
    const past = ok(await t.gql(REPORTS, { offset: 5, limit: 1 }, as[MANAGER])).mailingReports;
    expect(past).toMatchObject({ total: 2, items: [] });
  });

  it('rejects a date range that ends before it starts, naming the field', async () => {
    const res = await t.gql(REPORTS, { from: daysAgo(1), to: daysAgo(2) }, as[ALICE]);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('answers UNAUTHENTICATED to anonymous callers', async () => {
    const res = await t.gql(REPORTS);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('attemptDeliveries', () => {
  it('lists who did and did not get the mail, with the answer, filterable by status', async () => {
    const failedRun = (await alphaAttempts()).find((a) => a.status === 'FAILURE')!;
    const all = ok(await t.gql(DELIVERIES, { attemptId: failedRun.id }, as[ALICE])).attemptDeliveries;
    expect(all.total).toBe(3);
    expect(all.items).toMatchObject([
      { email: 'a1@example.com', fullName: 'Ann One', status: 'SENT', response: '250 ok 1', sentAt: expect.any(String) },
      { email: 'a2@example.com', status: 'FAILED', response: '550 5.1.1 no such user', sentAt: null },
      { email: 'a3@example.com', status: 'UNCERTAIN', response: 'connection lost' },
    ]);
    const failed = ok(await t.gql(DELIVERIES, { attemptId: failedRun.id, status: 'FAILED' }, as[ALICE])).attemptDeliveries;
    expect(failed.items.map((d: { email: string }) => d.email)).toEqual(['a2@example.com']);
    const page = ok(await t.gql(DELIVERIES, { attemptId: failedRun.id, offset: 2, limit: 1 }, as[ALICE])).attemptDeliveries;
    expect(page).toMatchObject({ total: 3, items: [{ email: 'a3@example.com' }] });
  });

  it("answers NOT_FOUND for another owner's attempt, and lets a manager read it", async () => {
    const [attempt] = await alphaAttempts();
    const bob = await t.gql(DELIVERIES, { attemptId: attempt.id }, as[BOB]);
    expect(bob.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(bob.data).toBeNull();
    const manager = ok(await t.gql(DELIVERIES, { attemptId: attempt.id }, as[MANAGER]));
    expect(manager.attemptDeliveries.total).toBe(1);
  });

  it('rejects an id that is not a UUID with BAD_USER_INPUT', async () => {
    const res = await t.gql(DELIVERIES, { attemptId: 'nope' }, as[ALICE]);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'attemptId' });
  });
});

describe('userStats', () => {
  it('gives a user their own row only', async () => {
    const stats = ok(await t.gql(USER_STATS, {}, as[ALICE])).userStats;
    expect(stats).toEqual({
      total: 1,
      items: [{ user: { email: ALICE }, successfulAttempts: 1, failedAttempts: 1, messagesSent: 2, messagesFailed: 1 }],
    });
  });

  it('gives managers every user, searchable', async () => {
    const stats = ok(await t.gql(USER_STATS, {}, as[MANAGER])).userStats;
    expect(stats.total).toBe(3);
    expect(stats.items).toEqual([
      { user: { email: ALICE }, successfulAttempts: 1, failedAttempts: 1, messagesSent: 2, messagesFailed: 1 },
      { user: { email: BOB }, successfulAttempts: 1, failedAttempts: 0, messagesSent: 2, messagesFailed: 0 },
      { user: { email: MANAGER }, successfulAttempts: 0, failedAttempts: 0, messagesSent: 0, messagesFailed: 0 },
    ]);
    const bob = ok(await t.gql(USER_STATS, { search: 'bob@' }, as[MANAGER])).userStats;
    expect(bob.items.map((s: { user: { email: string } }) => s.user.email)).toEqual([BOB]);
  });

  it('gives one user\'s row by id: any user\'s to managers, only their own to a user', async () => {
    const bobId = as[BOB].user.id;
    const forManager = ok(await t.gql(USER_STATS, { userId: bobId }, as[MANAGER])).userStats;
    expect(forManager).toEqual({
      total: 1,
      items: [{ user: { email: BOB }, successfulAttempts: 1, failedAttempts: 0, messagesSent: 2, messagesFailed: 0 }],
    });
    expect(ok(await t.gql(USER_STATS, { userId: bobId }, as[ALICE])).userStats).toEqual({ total: 0, items: [] });
    expect(ok(await t.gql(USER_STATS, { userId: as[ALICE].user.id }, as[ALICE])).userStats.total).toBe(1);
    const bad = await t.gql(USER_STATS, { userId: 'nope' }, as[MANAGER]);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
  });

  it("counts a running attempt's deliveries as they stand", async () => {
    // Adds rows managers would see: a database of its own keeps the fixture's figures for the other tests.
    await withOwnApp(async (t) => {
      const sender = await t.createUser();
      const em = t.app.orm.em.fork();
      const message = em.create(Message, { subject: 'Live', body: 'b', owner: sender.user });
      const mailing = em.create(Mailing, { startAt: new Date(Date.now() - 60_000), endAt: new Date(Date.now() + 3600_000), message, owner: sender.user });
      const attempt = em.create(Attempt, { mailing, status: AttemptStatus.RUNNING, total: 4 });
      const statuses = [DeliveryStatus.SENT, DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.PENDING];
      statuses.forEach((status, i) => em.create(Delivery, { attempt, email: `live-${i}@example.com`, status }));
      await em.flush();
      const stats = ok(await t.gql(USER_STATS, {}, sender)).userStats;
      expect(stats.items).toEqual([
        { user: { email: sender.user.email }, successfulAttempts: 0, failedAttempts: 0, messagesSent: 2, messagesFailed: 1 },
      ]);
    });
  });
});

describe('SQL queries per report request', () => {
  it('stay the same for a page of 2 and of 12 mailings', () =>
    withOwnApp(async (t) => {
      const many = await seedFixture(t, {
        users: [
          {
            email: 'busy@reports.test',
            password: 'busy-password',
            recipients: [{ email: 'r@example.com' }],
            messages: [{ subject: 'Busy', body: 'b' }],
            mailings: Array.from({ length: 12 }, (_, i) => ({
              key: `busy-${i}`,
              message: 'Busy',
              recipients: ['r@example.com'],
              startAt: `-${i + 2}d`,
              endAt: '+1d',
              status: 'RUNNING',
              attempts: [{ at: `-${i + 1}d`, deliveries: [{ recipient: 'r@example.com', status: 'SENT' }] }],
            })),
          },
        ],
      });
      const busy = many['busy@reports.test'];
      const small = await withQueries(t, REPORTS, { limit: 2 }, busy);
      const large = await withQueries(t, REPORTS, { limit: 12 }, busy);
      expect(small.data.mailingReports.items).toHaveLength(2);
      expect(large.data.mailingReports.items).toHaveLength(12);
      expect(large.data.mailingReports.items.every((r: { attemptCount: number }) => r.attemptCount === 1)).toBe(true);
      expect(large.queries.length).toBe(small.queries.length);
      expect(large.queries.length).toBeLessThanOrEqual(6);
    }));
});
