import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { Mailing } from '../src/mailings/mailing.entity';
import { startTestApp, type TestApp } from './harness';
import type { TestSmtp } from './test-smtp';
import { FAST_SENDING, attemptsOf, deliveriesOf, mailingStatus, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
let smtp: TestSmtp;

beforeAll(async () => {
  t = await startTestApp(FAST_SENDING);
  smtp = t.smtp;
});
afterAll(() => t?.close());
afterEach(() => smtp.reset());

/** Another process of the service on the database of `on`, sending to its SMTP server. */
function startProcess(on: TestApp, overrides: Record<string, string> = {}): Promise<App> {
  return createApp(
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: on.databaseUrl, ...FAST_SENDING, SMTP_URL: on.smtp.url, ...overrides }),
  );
}

async function jobsOf(app: App, mailingId: string): Promise<Array<{ name: string; nextRunAt: Date | null }>> {
  const rows = await app.orm.em
    .fork()
    .execute<Array<{ name: string; nextRunAt: string | null }>>(
      `select name, next_run_at as "nextRunAt" from agenda_jobs where data->>'mailingId' = ? order by name`,
      [mailingId],
    );
  return rows.map((r) => ({ name: r.name, nextRunAt: r.nextRunAt ? new Date(r.nextRunAt) : null }));
}

const inOneHour = () => new Date(Date.now() + 3_600_000);
const firstArrival = (emails: string[]) => Math.min(...smtp.received.filter((m) => emails.includes(m.to)).map((m) => m.at));

describe('scheduling', () => {
  it('leaves no job behind once a mailing has finished, sent in full or at its end', async () => {
    const { user } = await t.createUser();
    const sent = await seedMailing(t.app, user, { count: 2 });
    const ended = await seedMailing(t.app, user, { count: 2, endAt: new Date(Date.now() + 1000), disabled: true });
    await t.app.scheduler.mailingSaved(sent.mailingId);
    await t.app.scheduler.mailingSaved(ended.mailingId);
    expect((await jobsOf(t.app, ended.mailingId)).map((j) => j.name)).toEqual(['mailing.finish']);

    expect(await runClosed(t.app, sent.mailingId)).toMatchObject({ status: 'SUCCESS' });
    await waitUntil('the sent mailing to have no jobs', async () => (await jobsOf(t.app, sent.mailingId)).length === 0);
    await waitUntil('the ended mailing to finish', async () => (await mailingStatus(t.app, ended.mailingId)) === 'FINISHED');
    await waitUntil('the ended mailing to have no jobs', async () => (await jobsOf(t.app, ended.mailingId)).length === 0);
    expect(await mailingStatus(t.app, sent.mailingId)).toBe('FINISHED');
  });

  it('starts a mailing created inside its window at once', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 2 });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 2 });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('starts a mailing by itself at its start time, not before', async () => {
    const { user } = await t.createUser();
    const startAt = new Date(Date.now() + 1000);
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 3, startAt });
    await t.app.scheduler.mailingSaved(mailingId);

    await runClosed(t.app, mailingId);
    expect(firstArrival(emails)).toBeGreaterThanOrEqual(startAt.getTime());
    expect((await attemptsOf(t.app, mailingId))[0].attemptedAt.getTime()).toBeGreaterThanOrEqual(startAt.getTime());
    expect(await mailingStatus(t.app, mailingId)).toBe('FINISHED');
  });

  it('plans the start and the end as jobs at their times', async () => {
    const { user } = await t.createUser();
    const startAt = inOneHour();
    const endAt = new Date(startAt.getTime() + 3_600_000);
    const { mailingId } = await seedMailing(t.app, user, { startAt, endAt });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await jobsOf(t.app, mailingId)).toEqual([
      { name: 'mailing.finish', nextRunAt: endAt },
      { name: 'mailing.start', nextRunAt: startAt },
    ]);
    expect(await attemptsOf(t.app, mailingId)).toEqual([]);
  });

  it('fires after the server restarted between planning and start', async () => {
    // A database of its own, planned by a process that never fires jobs: only the restarted one can.
    const planner = await startTestApp({ ...FAST_SENDING, SERVER_ROLE: 'api' });
    try {
      const owner = await planner.createUser();
      const startAt = new Date(Date.now() + 1000);
      const { mailingId, emails } = await seedMailing(planner.app, owner.user, { count: 2, startAt });
      await planner.app.scheduler.mailingSaved(mailingId);
      expect((await jobsOf(planner.app, mailingId)).map((j) => j.name)).toEqual(['mailing.finish', 'mailing.start']);
      await planner.app.close();

      const restarted = await startProcess(planner);
      try {
        await runClosed(restarted, mailingId);
        expect((await deliveriesOf(restarted, mailingId)).map((d) => d.status)).toEqual(['SENT', 'SENT']);
        for (const email of emails) expect(planner.smtp.countFor(email)).toBe(1);
        expect(Math.min(...planner.smtp.received.map((m) => m.at))).toBeGreaterThanOrEqual(startAt.getTime());
      } finally {
        await restarted.close();
      }
    } finally {
      await planner.close();
    }
  });

  it('moves the start when the mailing is edited, keeping one job per mailing', async () => {
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { count: 1, startAt: inOneHour() });
    await t.app.scheduler.mailingSaved(mailingId);
    const em = t.app.orm.em.fork();
    const mailing = await em.findOneOrFail(Mailing, mailingId);
    const startAt = new Date(mailing.startAt.getTime() + 600_000);
    mailing.startAt = startAt;
    await em.flush();
    await Promise.all([t.app.scheduler.mailingSaved(mailingId), t.app.scheduler.mailingSaved(mailingId)]);
    expect((await jobsOf(t.app, mailingId)).filter((j) => j.name === 'mailing.start')).toEqual([{ name: 'mailing.start', nextRunAt: startAt }]);
  });

  it('goes on sending through its start job when a running mailing is edited: its lock is kept, each recipient gets it once', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 6 });
    smtp.hold();
    await t.app.scheduler.mailingSaved(mailingId);
    await waitUntil('the start job to send', () => smtp.held > 0);

    // The owner moves the end while the start job sends: the mailing is re-planned.
    await t.app.orm.em.fork().nativeUpdate(Mailing, mailingId, { endAt: new Date(Date.now() + 7_200_000) });
    const editedAt = Date.now();
    await t.app.scheduler.mailingSaved(mailingId);
    // The start job still holds its lock: a renewal after the edit (one every JOB_LOCK_LIFETIME_MS / 3).
    const startJobLockedAt = async () => {
      const [row] = await t.app.orm.em
        .fork()
        .execute<Array<{ lockedAt: string | null }>>(`select locked_at as "lockedAt" from agenda_jobs where name = 'mailing.start' and data->>'mailingId' = ?`, [mailingId]);
      return row?.lockedAt ? new Date(row.lockedAt).getTime() : 0;
    };
    await waitUntil('the start job to renew its lock after the edit', async () => (await startJobLockedAt()) > editedAt);

    smtp.release();
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 6 });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('cancels the jobs of a deleted mailing, and the start of a disabled one', async () => {
    const { user } = await t.createUser();
    const later = inOneHour();
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

    expect(await jobsOf(t.app, deleted.mailingId)).toEqual([]);
    expect((await jobsOf(t.app, disabled.mailingId)).map((j) => j.name)).toEqual(['mailing.finish']);
  });

  it('stops a run at once when the mailing is disabled, and goes on when it is enabled', async () => {
    const batch = t.app.config.SEND_BATCH_SIZE;
    smtp.hold({ after: 3 });
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 4 * batch });
    await t.app.scheduler.mailingSaved(mailingId);
    await waitUntil('three messages out and the next ones held', () => smtp.held > 0);

    const em = t.app.orm.em.fork();
    (await em.findOneOrFail(Mailing, mailingId)).disabled = true;
    await em.flush();
    await t.app.scheduler.mailingRemoved(mailingId);
    const claimedWhenDisabled = (await deliveriesOf(t.app, mailingId)).filter((d) => d.status !== 'PENDING').length;
    smtp.release();
    // Only what was in flight when it answered goes out; the rest of the claimed batch goes back.
    const paused = await waitUntil('the run to stop sending', async () => {
      const rows = await deliveriesOf(t.app, mailingId);
      return rows.every((d) => d.status !== 'SENDING') && rows;
    });
    const touched = paused.filter((d) => d.status !== 'PENDING');
    expect(touched.length).toBeLessThanOrEqual(claimedWhenDisabled);
    expect(touched.length).toBeLessThan(4 * batch);
    expect((await attemptsOf(t.app, mailingId))[0].status).toBe('RUNNING');
    expect(await jobsOf(t.app, mailingId)).toEqual([{ name: 'mailing.finish', nextRunAt: expect.any(Date) }]);

    (await em.findOneOrFail(Mailing, mailingId)).disabled = false;
    await em.flush();
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 4 * batch });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('finishes a mailing at its end: nothing more is sent and the open run closes', async () => {
    const inFlight = t.app.config.SMTP_POOL_SIZE * 2;
    smtp.hold({ after: 2 });
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 20, endAt: new Date(Date.now() + 2000) });
    await t.app.scheduler.mailingSaved(mailingId);
    // Normally two messages go out and the next ones are held when the end comes.
    await waitUntil('the end', async () => (await mailingStatus(t.app, mailingId)) === 'FINISHED');
    smtp.release();

    const attempt = await runClosed(t.app, mailingId);
    expect(attempt.status).toBe('FAILURE');
    expect(attempt.sentCount + attempt.failedCount + attempt.uncertainCount).toBe(20);
    // Only what was already handed to the mail transport at the end went out.
    const received = smtp.received.filter((m) => emails.includes(m.to));
    expect(received.length).toBeLessThanOrEqual(2 + inFlight);
    expect(attempt.sentCount).toBe(received.length);
    const notSent = (await deliveriesOf(t.app, mailingId)).filter((d) => d.status === 'FAILED');
    expect(notSent).toHaveLength(20 - received.length);
    for (const d of notSent) {
      expect(d.response).toBe('Not sent: the mailing ended before it went out.');
      expect(smtp.countFor(d.email)).toBe(0);
    }
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(1);
  });
});
