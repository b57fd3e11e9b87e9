import { openAttempts } from '../src/sending/open-attempt';
import { startTestApp, type TestApp } from './harness';
import { FAST_SENDING, attemptsOf, deliveriesOf, mailingStatus, seedMailing } from './sending-fixtures';

/*
 * Mailings due at the same second open together: one transaction of a few statements for all
 * of them. Each still gets exactly what it would alone: an attempt with its deliveries, or the
 * reason it may not send, and a refusal changes nothing.
 */
const DOMAIN = 'mail.example.test';
const CHUNK = 4;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ...FAST_SENDING, SERVER_ROLE: 'api' });
});
afterAll(() => t?.close());

const hourAgo = () => new Date(Date.now() - 3_600_000);

describe('opening many mailings at once', () => {
  it('opens each due mailing with its own deliveries and says why the others did not open', async () => {
    const { user } = await t.createUser();
    const small = await seedMailing(t.app, user, { count: 3 });
    const large = await seedMailing(t.app, user, { count: CHUNK + 2 });
    const later = await seedMailing(t.app, user, { count: 2, startAt: new Date(Date.now() + 3_600_000) });
    const disabled = await seedMailing(t.app, user, { count: 2, disabled: true });
    const ended = await seedMailing(t.app, user, { count: 2, startAt: new Date(Date.now() - 7_200_000), endAt: hourAgo() });
    const nobody = await seedMailing(t.app, user, { emails: [] });
    const gone = '00000000-0000-4000-8000-000000000000';

    const ids = [small, large, later, disabled, ended, nobody].map((m) => m.mailingId);
    const results = await openAttempts(t.app.orm.em, [...ids, gone].map((mailingId) => ({ mailingId, scheduled: true })), DOMAIN, { chunkSize: CHUNK });

    expect(results.map((r) => r.kind)).toEqual(['opened', 'opened', 'notDue', 'skipped', 'refused', 'refused', 'gone']);
    const [openedSmall, openedLarge] = results.map((r) => (r.kind === 'opened' ? r.attempt : null));
    expect(openedSmall).toMatchObject({ mailingId: small.mailingId, status: 'RUNNING', content: { subject: 'Hello {{fullName}}' } });
    // More recipients than one chunk: the rest is prepared by a worker.
    expect(openedLarge).toMatchObject({ mailingId: large.mailingId, status: 'PREPARING' });
    expect(results[4]).toEqual({ kind: 'refused', reason: 'The end time of this mailing has passed.' });
    expect(results[5]).toEqual({ kind: 'refused', reason: 'This mailing has no recipients.' });

    // Each opened mailing has its own deliveries, every recipient once.
    expect((await deliveriesOf(t.app, small.mailingId)).map((d) => d.email).sort()).toEqual([...small.emails].sort());
    expect(await deliveriesOf(t.app, large.mailingId)).toHaveLength(CHUNK);
    expect(await mailingStatus(t.app, small.mailingId)).toBe('RUNNING');
    expect(await mailingStatus(t.app, large.mailingId)).toBe('RUNNING');
    // The others changed nothing: no attempt, no delivery, still CREATED.
    for (const { mailingId } of [later, disabled, ended, nobody]) {
      expect(await attemptsOf(t.app, mailingId)).toEqual([]);
      expect(await mailingStatus(t.app, mailingId)).toBe('CREATED');
    }
  });

  it('opens a mailing once when asked twice, and a scheduled start then finds its open attempt', async () => {
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { count: 2 });

    const [first, second] = await openAttempts(t.app.orm.em, [{ mailingId, scheduled: true }, { mailingId, scheduled: true }], DOMAIN);
    expect(first.kind).toBe('opened');
    expect(second).toEqual({ kind: 'refused', reason: 'This mailing is already being sent.' });
    const [again] = await openAttempts(t.app.orm.em, [{ mailingId, scheduled: true }], DOMAIN);
    expect(again).toEqual({ kind: 'alreadyOpen', attemptId: first.kind === 'opened' ? first.attempt.id : '' });
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(1);
    expect(await deliveriesOf(t.app, mailingId)).toHaveLength(2);
  });

  it('opens together when asked at the same time from many places, each mailing once', async () => {
    const { user } = await t.createUser();
    const mailings = await Promise.all(Array.from({ length: 8 }, () => seedMailing(t.app, user, { count: 2 })));
    // Each mailing asked for twice, concurrently, in separate transactions.
    const asks = [...mailings, ...mailings].map(({ mailingId }) => openAttempts(t.app.orm.em, [{ mailingId, scheduled: true }], DOMAIN));
    const results = (await Promise.all(asks)).flat();

    expect(results.filter((r) => r.kind === 'opened')).toHaveLength(8);
    expect(results.filter((r) => r.kind === 'alreadyOpen')).toHaveLength(8);
    for (const { mailingId, emails } of mailings) {
      expect(await attemptsOf(t.app, mailingId)).toHaveLength(1);
      expect((await deliveriesOf(t.app, mailingId)).map((d) => d.email).sort()).toEqual([...emails].sort());
    }
  });
});
