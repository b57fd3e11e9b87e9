import { Role } from '../src/common/actor';
import { Mailing } from '../src/mailings/mailing.entity';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { createMailing, createMessage, createRecipients, ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
});
afterAll(() => t.close());

const DAILY = `query($from: DateTimeISO!, $to: DateTimeISO!, $timeZone: String) {
  deliveryDaily(from: $from, to: $to, timeZone: $timeZone) { day sent failed uncertain }
}`;

/** A mailing of `owner` with one run whose deliveries ended (or not) at the given times. */
async function deliveries(owner: TestUser, ended: Array<[DeliveryStatus, string]>) {
  const mailingId = await createMailing(t, owner, { messageId: await createMessage(t, owner), recipientIds: await createRecipients(t, owner, 1) });
  const em = t.app.orm.em.fork();
  const attempt = em.create(Attempt, { mailing: em.getReference(Mailing, mailingId), status: AttemptStatus.FAILURE, attemptedAt: new Date('2026-02-01T00:00:00Z') });
  const rows = ended.map(([status], i) => em.create(Delivery, { attempt, email: `d${i}@example.com`, status }));
  await em.flush();
  // When each delivery was last written, as the sending engine leaves it.
  for (const [i, row] of rows.entries()) {
    await em.execute('update deliveries set updated_at = ? where id = ?', [new Date(ended[i][1]), row.id]);
  }
}

const day = (d: string, sent = 0, failed = 0, uncertain = 0) => ({ day: d, sent, failed, uncertain });

describe('deliveryDaily', () => {
  let owner: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    owner = await t.createUser();
    other = await t.createUser();
    await deliveries(owner, [
      [DeliveryStatus.SENT, '2026-03-01T08:00:00Z'],
      [DeliveryStatus.SENT, '2026-03-01T23:30:00Z'], // 2 March in Berlin
      [DeliveryStatus.FAILED, '2026-03-01T12:00:00Z'],
      [DeliveryStatus.UNCERTAIN, '2026-03-03T10:00:00Z'],
      [DeliveryStatus.PENDING, '2026-03-01T09:00:00Z'], // not finished: not counted
      [DeliveryStatus.SENDING, '2026-03-01T09:00:00Z'],
      [DeliveryStatus.SENT, '2026-03-04T00:00:01Z'], // after the range
    ]);
    await deliveries(other, [[DeliveryStatus.FAILED, '2026-03-02T12:00:00Z']]);
  });

  const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z' };

  it('counts the caller’s finished deliveries per UTC day, every day listed', async () => {
    const res = ok(await t.gql(DAILY, range, owner)).deliveryDaily;
    expect(res).toEqual([day('2026-03-01', 2, 1), day('2026-03-02'), day('2026-03-03', 0, 0, 1), day('2026-03-04')]);
    expect(ok(await t.gql(DAILY, range, other)).deliveryDaily).toEqual([
      day('2026-03-01'),
      day('2026-03-02', 0, 1),
      day('2026-03-03'),
      day('2026-03-04'),
    ]);
  });

  it('counts the days of the asked time zone', async () => {
    const res = ok(await t.gql(DAILY, { ...range, timeZone: 'Europe/Berlin' }, owner)).deliveryDaily;
    // The same instants, on Berlin's calendar (UTC+1): the range ends at 01:00 on 4 March.
    expect(res).toEqual([day('2026-03-01', 1, 1), day('2026-03-02', 1), day('2026-03-03', 0, 0, 1), day('2026-03-04')]);
  });

  it('gives managers and admins everyone’s figures', async () => {
    for (const role of [Role.MANAGER, Role.ADMIN]) {
      const staff = await t.createUser({ role });
      const res = ok(await t.gql(DAILY, range, staff)).deliveryDaily;
      expect(res).toEqual([day('2026-03-01', 2, 1), day('2026-03-02', 0, 1), day('2026-03-03', 0, 0, 1), day('2026-03-04')]);
    }
  });

  it('takes up to 366 days', async () => {
    const res = ok(await t.gql(DAILY, { from: '2024-01-01T00:00:00Z', to: '2024-12-31T23:59:59Z' }, owner)).deliveryDaily;
    expect(res).toHaveLength(366);
    expect(res[0]).toEqual(day('2024-01-01'));
    expect(res[365]).toEqual(day('2024-12-31'));
  });

  it.each([
    ['an end before the start', { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to'],
    ['more than 366 days', { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, 'to'],
    ['an unknown time zone', { ...range, timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['an offset instead of a zone name', { ...range, timeZone: '+03:00' }, 'timeZone'],
  ])('refuses %s with BAD_USER_INPUT on the field', async (_what, vars, field) => {
    const res = await t.gql(DAILY, vars, owner);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
