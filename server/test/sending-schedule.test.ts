import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { Mailing } from '../src/mailings/mailing.entity';
import { startTestApp, type TestApp } from './harness';
import { startFaultySmtp, type FaultySmtp } from './faulty-smtp';
import { FAST_SENDING, attemptsOf, deliveriesOf, eventually, mailingStatus, runClosed, seedMailing } from './sending-fixtures';

let t: TestApp;
let smtp: FaultySmtp;
const settings = () => ({ ...FAST_SENDING, SMTP_URL: smtp.url });

beforeAll(async () => {
  smtp = await startFaultySmtp();
  t = await startTestApp(settings());
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});
afterEach(() => {
  smtp.delayMs = 0;
});

/** Another process of the service on the same database. */
function startProcess(overrides: Record<string, string> = {}): Promise<App> {
  return createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, ...settings(), ...overrides }));
}

async function jobsOf(mailingId: string): Promise<Array<{ name: string; nextRunAt: Date | null }>> {
  const rows = await t.app.orm.em
    .fork()
    .execute<Array<{ name: string; nextRunAt: string | null }>>(
      `select name, next_run_at as "nextRunAt" from agenda_jobs where data->>'mailingId' = ? order by name`,
      [mailingId],
    );
  return rows.map((r) => ({ name: r.name, nextRunAt: r.nextRunAt ? new Date(r.nextRunAt) : null }));
}

const firstArrival = (emails: string[]) => Math.min(...smtp.received.filter((m) => emails.includes(m.to)).map((m) => m.at));

describe('scheduling', () => {
  it('starts a mailing created inside its window at once', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 2 });
    const saved = Date.now();
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    expect(firstArrival(emails) - saved).toBeLessThan(1000);
  });

  it('starts a mailing by itself at its start time, not before', async () => {
    const { user } = await t.createUser();
    const startAt = new Date(Date.now() + 2000);
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 3, startAt });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await jobsOf(mailingId)).toEqual([
      { name: 'mailing.finish', nextRunAt: expect.any(Date) },
      { name: 'mailing.start', nextRunAt: startAt },
    ]);

    await runClosed(t.app, mailingId, 10_000);
    const first = firstArrival(emails);
    expect(first).toBeGreaterThanOrEqual(startAt.getTime());
    expect(first - startAt.getTime()).toBeLessThan(1000);
    expect(await mailingStatus(t.app, mailingId)).toBe('FINISHED');
  });

  it('fires after the server restarted between planning and start', async () => {
    const planner = await startProcess();
    const owner = await t.createUser();
    const startAt = new Date(Date.now() + 2500);
    const { mailingId, emails } = await seedMailing(planner, owner.user, { count: 2, startAt });
    await planner.scheduler.mailingSaved(mailingId);
    await planner.close();
    // The test app's own scheduler must not be the one firing it.
    await t.app.scheduler.close();

    const restarted = await startProcess();
    try {
      await runClosed(restarted, mailingId, 10_000);
      expect(firstArrival(emails)).toBeGreaterThanOrEqual(startAt.getTime());
      expect((await deliveriesOf(restarted, mailingId)).map((d) => d.status)).toEqual(['SENT', 'SENT']);
    } finally {
      await restarted.close();
    }
    // The rest of this file needs a scheduler again.
    await t.close();
    t = await startTestApp(settings());
  });

  it('moves the start when the mailing is edited, keeping one job per mailing', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, startAt: new Date(Date.now() + 3_600_000) });
    await t.app.scheduler.mailingSaved(mailingId);
    const em = t.app.orm.em.fork();
    const mailing = await em.findOneOrFail(Mailing, mailingId);
    const startAt = new Date(Date.now() + 1500);
    mailing.startAt = startAt;
    await em.flush();
    await Promise.all([t.app.scheduler.mailingSaved(mailingId), t.app.scheduler.mailingSaved(mailingId)]);
    expect((await jobsOf(mailingId)).filter((j) => j.name === 'mailing.start')).toEqual([{ name: 'mailing.start', nextRunAt: startAt }]);

    await runClosed(t.app, mailingId);
    expect(firstArrival(emails)).toBeGreaterThanOrEqual(startAt.getTime());
  });

  it('cancels the jobs of a deleted mailing, and the start of a disabled one', async () => {
    const { user } = await t.createUser();
    const later = new Date(Date.now() + 3_600_000);
    const deleted = await seedMailing(t.app, user, { startAt: later });
    const disabled = await seedMailing(t.app, user, { startAt: later });
    await t.app.scheduler.mailingSaved(deleted.mailingId);
    await t.app.scheduler.mailingSaved(disabled.mailingId);

    const em = t.app.orm.em.fork();
    em.remove(em.getReference(Mailing, deleted.mailingId));
    (await em.findOneOrFail(Mailing, disabled.mailingId)).disabled = true;
    await em.flush();
    await t.app.scheduler.mailingRemoved(deleted.mailingId);
    await t.app.scheduler.mailingRemoved(disabled.mailingId);

    expect(await jobsOf(deleted.mailingId)).toEqual([]);
    expect((await jobsOf(disabled.mailingId)).map((j) => j.name)).toEqual(['mailing.finish']);
  });

  it('stops a run at its next batch when the mailing is disabled, and goes on when it is enabled', async () => {
    smtp.delayMs = 100;
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 40 });
    await t.app.scheduler.mailingSaved(mailingId);
    await eventually('a few messages out', async () => smtp.received.filter((m) => emails.includes(m.to)).length >= 3);

    const em = t.app.orm.em.fork();
    (await em.findOneOrFail(Mailing, mailingId)).disabled = true;
    await em.flush();
    await t.app.scheduler.mailingRemoved(mailingId);
    const paused = await eventually('the run to stop', async () => {
      const rows = await deliveriesOf(t.app, mailingId);
      return rows.every((d) => d.status !== 'SENDING') && rows.some((d) => d.status === 'PENDING') && rows;
    });
    expect((await attemptsOf(t.app, mailingId))[0].status).toBe('RUNNING');
    expect(await jobsOf(mailingId)).toEqual([{ name: 'mailing.finish', nextRunAt: expect.any(Date) }]);

    smtp.delayMs = 0;
    (await em.findOneOrFail(Mailing, mailingId)).disabled = false;
    await em.flush();
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 40 });
    expect(paused.filter((d) => d.status === 'PENDING').length).toBeGreaterThan(0);
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('finishes a mailing at its end: nothing more is sent and the open run closes', async () => {
    smtp.delayMs = 400;
    const { user } = await t.createUser();
    const endAt = new Date(Date.now() + 1500);
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 20, endAt });
    await t.app.scheduler.mailingSaved(mailingId);

    const attempt = await runClosed(t.app, mailingId, 10_000);
    expect(await mailingStatus(t.app, mailingId)).toBe('FINISHED');
    expect(attempt.status).toBe('FAILURE');
    expect(attempt.sentCount).toBeGreaterThan(0);
    expect(attempt.sentCount + attempt.failedCount + attempt.uncertainCount).toBe(20);
    const notSent = (await deliveriesOf(t.app, mailingId)).filter((d) => d.status === 'FAILED');
    expect(notSent.length).toBeGreaterThan(0);
    for (const d of notSent) expect(d.response).toBe('Not sent: the mailing ended before it went out.');
    // Only messages already in the server's hands at the end may arrive after it.
    const late = smtp.received.filter((m) => emails.includes(m.to) && m.at > endAt.getTime() + smtp.delayMs + 200);
    expect(late).toEqual([]);
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(1);
  });
});
