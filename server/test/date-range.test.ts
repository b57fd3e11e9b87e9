import { Mailing } from '../src/mailings/mailing.entity';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { CREATE_MAILING, createMessage, createRecipients, ok } from './mailing-helpers';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
  user = await t.createUser();
});
afterAll(() => t?.close());

const REPORTS = `query($from: DateTimeISO, $to: DateTimeISO) { mailingReports(from: $from, to: $to) { total } }`;
const OUT_OF_RANGE = /A date-time must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z/;

// RFC 3339 allows year 0000, and offsets carry the first and last days of years 1–9999 past
// them in UTC; PostgreSQL holds neither, and each reached it as an INTERNAL_SERVER_ERROR.
describe('date-times outside years 1 to 9999 (UTC) are refused before any SQL', () => {
  it.each([
    ['year 0000', { from: '0000-01-01T00:00:00Z' }],
    ['0001-01-01 at +14:00 (year 0000 in UTC)', { from: '0001-01-01T00:00:00+14:00' }],
    ['9999-12-31 at -12:00 (year 10000 in UTC)', { to: '9999-12-31T23:59:59-12:00' }],
  ])('%s as a variable: BAD_USER_INPUT', async (_name, variables) => {
    const res = await t.gql(REPORTS, variables, user);
    expect(res.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(OUT_OF_RANGE), extensions: { code: 'BAD_USER_INPUT' } })]);
  });

  it('written into the document: GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await t.gql(`{ deliveryDaily(from: "0000-12-31T00:00:00Z", to: "0001-01-02T00:00:00Z") { day } }`, {}, user);
    expect(res.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(OUT_OF_RANGE), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  });

  it('a mailing starting in year 0000 is not saved', async () => {
    const input = { messageId: await createMessage(t, user), recipientIds: await createRecipients(t, user, 1), startAt: '0000-06-01T00:00:00Z', endAt: '2100-01-01T00:00:00Z' };
    const res = await t.gql(CREATE_MAILING, { input }, user);
    expect(res.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(await t.app.orm.em.fork().count(Mailing, {})).toBe(0);
  });

  it('the first and the last instant of the range are taken', async () => {
    expect(ok(await t.gql(REPORTS, { from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' }, user)).mailingReports.total).toBe(0);
  });
});
