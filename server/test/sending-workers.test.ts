import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { messageIdDomain, openAttempt } from '../src/sending/open-attempt';
import { startTestApp, type TestApp } from './harness';
import { FAST_SENDING, deliveriesOf, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

/*
 * Many attempts in one process share its SMTP_POOL_SIZE x 2 in-flight sends; several worker
 * processes on one database share one attempt. (How fast: bench/start-lag.ts and bench/workers.ts.)
 */

/** FAST_SENDING's pool of 2 connections: at most 4 sends in flight per process. */
const IN_FLIGHT = Number(FAST_SENDING.SMTP_POOL_SIZE) * 2;

const statusCounts = (rows: Array<{ status: string }>) =>
  rows.reduce<Record<string, number>>((counts, row) => ({ ...counts, [row.status]: (counts[row.status] ?? 0) + 1 }), {});

describe('many attempts in one process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ...FAST_SENDING, SERVER_ROLE: 'api' });
  });
  afterAll(() => t?.close());

  it('hand the mail server no more than the in-flight limit of the process, together', async () => {
    const { user } = await t.createUser();
    const domain = messageIdDomain(t.app.config.MAIL_FROM);
    const mailings = await Promise.all(Array.from({ length: 6 }, () => seedMailing(t.app, user, { count: 3 })));
    const attempts = await Promise.all(mailings.map(({ mailingId }) => openAttempt(t.app.orm.em, mailingId, domain)));
    t.smtp.hold();
    const stop = new AbortController();
    const drives = Promise.all(attempts.map((attempt) => t.app.scheduler.sendInProcess(attempt.id, stop.signal)));

    // Both connections wait for their answer; every attempt has claimed its deliveries.
    await waitUntil('both connections to hold a message', () => t.smtp.held === 2);
    await waitUntil('every attempt to claim', async () => {
      const rows = (await Promise.all(mailings.map(({ mailingId }) => deliveriesOf(t.app, mailingId)))).flat();
      return rows.every((row) => row.status === 'SENDING');
    });
    // Stopped: what was handed to the transport goes out and is recorded, the rest goes back.
    stop.abort();
    t.smtp.release();
    expect(await drives).toEqual(attempts.map(() => ({ kind: 'interrupted' })));

    const rows = (await Promise.all(mailings.map(({ mailingId }) => deliveriesOf(t.app, mailingId)))).flat();
    const sent = t.smtp.received.filter((mail) => mailings.some(({ emails }) => emails.includes(mail.to)));
    // Five of each attempt's loops would have handed 18 messages over without the process-wide limit.
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThanOrEqual(IN_FLIGHT);
    expect(statusCounts(rows)).toEqual({ SENT: sent.length, PENDING: 18 - sent.length });
  });

  it('take turns: a mailing started behind large ones gets its message out before they go on', async () => {
    const { user } = await t.createUser();
    const domain = messageIdDomain(t.app.config.MAIL_FROM);
    const large = await Promise.all(Array.from({ length: 3 }, () => seedMailing(t.app, user, { count: 8 })));
    const small = await seedMailing(t.app, user, { count: 1 });
    const before = t.smtp.received.length;
    t.smtp.hold();
    const stop = new AbortController();
    const handedOver = async (attemptId: string) => {
      const [row] = await t.app.orm.em.fork().execute<Array<{ count: number }>>(
        `select count(*)::int as count from deliveries where attempt_id = ? and handed_over_at is not null`,
        [attemptId],
      );
      return row.count;
    };
    // Each large run has as many sends waiting for their turn as it may have (IN_FLIGHT), all but the first in flight.
    const drives: Array<Promise<unknown>> = [];
    for (const { mailingId } of large) {
      const run = await openAttempt(t.app.orm.em, mailingId, domain);
      drives.push(t.app.scheduler.sendInProcess(run.id, stop.signal));
      await waitUntil('the large run to queue its sends', async () => (await handedOver(run.id)) >= IN_FLIGHT);
    }
    const smallRun = await openAttempt(t.app.orm.em, small.mailingId, domain);
    drives.push(t.app.scheduler.sendInProcess(smallRun.id, stop.signal));
    await waitUntil('the small run to wait for its turn', async () => (await handedOver(smallRun.id)) === 1);
    t.smtp.release();
    await Promise.all(drives);

    const order = t.smtp.received.slice(before).map((mail) => mail.to);
    const smallAt = order.indexOf(small.emails[0]);
    // In turn: the first run's sends in flight, then one of each waiting run, then the small one's,
    // before the second sends of the others (first come, first served would put it after all 12).
    expect(smallAt).toBeGreaterThanOrEqual(0);
    expect(smallAt).toBeLessThanOrEqual(IN_FLIGHT + large.length - 1);
    expect(order.filter((to) => !small.emails.includes(to))).toHaveLength(3 * 8);
  });
});

describe('two worker processes on one database', () => {
  /** Plans (and here sends nothing); the two workers send. */
  let api: TestApp;
  let workers: App[] = [];
  const startWorkers = async (settings: Record<string, string>) => {
    workers = await Promise.all(
      [1, 2].map(() =>
        createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: api.databaseUrl, SMTP_URL: api.smtp.url, ...settings, SERVER_ROLE: 'worker' })),
      ),
    );
  };
  afterEach(async () => {
    for (const worker of workers) await worker.close();
    workers = [];
    await api?.close();
  });

  it('share one attempt: both send, each delivery once', async () => {
    api = await startTestApp({ ...FAST_SENDING, SERVER_ROLE: 'api' });
    await startWorkers(FAST_SENDING);
    const { user } = await api.createUser();
    // More than one process claims while its sends wait: the other finds deliveries due.
    const { mailingId, emails } = await seedMailing(api.app, user, { count: 100 });
    api.smtp.hold();
    await api.app.scheduler.mailingSaved(mailingId);

    // One process has 2 connections: 4 messages waiting for their answer at once means both workers send.
    await waitUntil('both workers to have messages in flight', () => api.smtp.held === 4);
    api.smtp.release();
    expect(await runClosed(api.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: 100, sentCount: 100 });

    expect(emails.map((email) => api.smtp.countFor(email))).toEqual(emails.map(() => 1));
    const rows = await deliveriesOf(api.app, mailingId);
    expect(rows.every((row) => row.status === 'SENT' && row.tries === 1)).toBe(true);
  });

  it('share one attempt under one send rate for both', async () => {
    // One message per 1000 s: the shared window cannot end during the test (see sending-rate.test.ts).
    const settings = { ...FAST_SENDING, SEND_RATE_PER_SECOND: '0.001' };
    api = await startTestApp({ ...settings, SERVER_ROLE: 'api' });
    await startWorkers(settings);
    const { user } = await api.createUser();
    const { mailingId } = await seedMailing(api.app, user, { count: 30 });
    const decisions = async () => {
      const rows = await api.app.orm.em.fork().execute<Array<{ points: number }>>('select points from send_rate_limits');
      return rows.reduce((sum, row) => sum + row.points, 0);
    };
    await api.app.scheduler.mailingSaved(mailingId);

    // The attempt's worker claims 20 and asks twice (granted, then refused until the window ends);
    // a third decision is the other worker's, which joined the attempt for the 10 still waiting.
    await waitUntil('both workers to ask the limiter', async () => (await decisions()) >= 3);
    const claimed = await waitUntil('every delivery claimed and the granted one recorded', async () => {
      const counts = statusCounts(await deliveriesOf(api.app, mailingId));
      return counts.PENDING === undefined && counts.SENT !== undefined && counts;
    });
    expect(claimed).toEqual({ SENT: 1, SENDING: 29 });
    for (const worker of workers) await worker.close();
    workers = [];

    expect(api.smtp.received).toHaveLength(1);
    expect(statusCounts(await deliveriesOf(api.app, mailingId))).toEqual({ SENT: 1, PENDING: 29 });
  });
});
