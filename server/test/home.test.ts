import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';
import { seedFixture, withQueries } from './fixture-helpers';

const HOME = `{ home { totalMailings activeMailings uniqueRecipients } }`;

const mailing = (key: string, status: string, startAt: string, endAt: string, recipients: string[]) => ({
  key,
  message: 'News',
  recipients,
  startAt,
  endAt,
  status,
});

let t: TestApp;
let as: Record<string, TestUser>;

beforeAll(async () => {
  t = await startTestApp();
  as = await seedFixture(t, {
    users: [
      { email: 'staff@home.test', password: 'staff-password', role: 'MANAGER' },
      { email: 'admin@home.test', password: 'admin-password', role: 'ADMIN' },
      {
        email: 'ann@home.test',
        password: 'ann-password',
        recipients: [{ email: 'shared@example.com' }, { email: 'ann1@example.com' }, { email: 'ann2@example.com' }],
        messages: [{ subject: 'News', body: 'n' }],
        mailings: [
          mailing('ann-running', 'RUNNING', '-1d', '+1d', ['shared@example.com']),
          mailing('ann-finished', 'FINISHED', '-3d', '-2d', ['ann1@example.com']),
          mailing('ann-future', 'CREATED', '+1d', '+2d', ['ann2@example.com']),
        ],
      },
      {
        email: 'ben@home.test',
        password: 'ben-password',
        recipients: [{ email: 'shared@example.com' }, { email: 'ben1@example.com' }],
        messages: [{ subject: 'News', body: 'n' }],
        mailings: [
          mailing('ben-running-1', 'RUNNING', '-1d', '+1d', ['shared@example.com']),
          mailing('ben-running-2', 'RUNNING', '-2d', '+1d', ['ben1@example.com']),
        ],
      },
    ],
  });
});
afterAll(() => t?.close());

describe('home figures', () => {
  it("gives a user their own totals", async () => {
    expect(ok(await t.gql(HOME, {}, as['ann@home.test'])).home).toEqual({ totalMailings: 3, activeMailings: 1, uniqueRecipients: 3 });
    expect(ok(await t.gql(HOME, {}, as['ben@home.test'])).home).toEqual({ totalMailings: 2, activeMailings: 2, uniqueRecipients: 2 });
  });

  it("gives managers and admins everyone's, counting an address two users share once", async () => {
    const everyone = { totalMailings: 5, activeMailings: 3, uniqueRecipients: 4 };
    expect(ok(await t.gql(HOME, {}, as['staff@home.test'])).home).toEqual(everyone);
    expect(ok(await t.gql(HOME, {}, as['admin@home.test'])).home).toEqual(everyone);
  });

  it('answers with one SQL query besides the session lookup', async () => {
    const fresh = await seedFixture(t, { users: [{ email: 'solo@home.test', password: 'solo-password' }] });
    const { data, queries } = await withQueries(t, HOME, {}, fresh['solo@home.test']);
    expect(data.home).toEqual({ totalMailings: 0, activeMailings: 0, uniqueRecipients: 0 });
    expect(queries.filter((q) => !q.includes('"sessions"'))).toHaveLength(1);
  });

  it('answers UNAUTHENTICATED to anonymous callers', async () => {
    const res = await t.gql(HOME);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
