import { Role } from '../src/common/actor';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';
import { FAST_SENDING, attemptsOf, deliveriesOf, mailingStatus, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

/*
 * Stop means stop: once pauseMailing, disableMailing, deleteMailing or blockUser has answered,
 * no message of the mailing leaves but those already handed to the SMTP connection (at most
 * SMTP_POOL_SIZE x 2 sends in flight).
 */
const IN_FLIGHT = Number(FAST_SENDING.SMTP_POOL_SIZE) * 2;
const PAUSE = `mutation($id: ID!) { pauseMailing(id: $id) { id paused status } }`;
const RESUME = `mutation($id: ID!) { resumeMailing(id: $id) { id paused status } }`;
const SEND_NOW = `mutation($id: ID!) { sendMailingNow(id: $id) { id } }`;

let t: TestApp;
let manager: TestUser;
beforeAll(async () => {
  t = await startTestApp(FAST_SENDING);
  manager = await t.createUser({ role: Role.MANAGER });
});
afterAll(() => t?.close());
afterEach(() => t.smtp.reset());

const receivedBy = (emails: string[]) => emails.reduce((sum, email) => sum + t.smtp.countFor(email), 0);

async function statusCounts(mailingId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { status } of await deliveriesOf(t.app, mailingId)) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * Starts a 60-recipient mailing whose SMTP server answers 10 messages and then holds every
 * answer, so that sends are in flight when `stop` runs. Returns how many of its messages
 * reached the server after `stop` answered, once a control mailing sent later has gone out
 * in full (the stopped one's due deliveries would have gone by then).
 */
async function messagesAfterStop(stop: (mailingId: string, owner: TestUser) => Promise<void>) {
  const owner = await t.createUser();
  const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 60 });
  t.smtp.hold({ after: 10 });
  await t.app.scheduler.mailingSaved(mailingId);
  await waitUntil('sends held in flight', () => t.smtp.held >= 1);

  await stop(mailingId, owner);
  const atStop = receivedBy(emails);
  t.smtp.release();

  const control = await seedMailing(t.app, manager.user, { count: 20 });
  await t.app.scheduler.mailingSaved(control.mailingId);
  await runClosed(t.app, control.mailingId);
  return { mailingId, emails, owner, atStop, after: receivedBy(emails) - atStop };
}

describe('pauseMailing and resumeMailing', () => {
  it('stop the mailing but for what was in flight, then go on with the same attempt, nobody twice', async () => {
    const { mailingId, emails, owner, atStop, after } = await messagesAfterStop(async (id, as) => {
      expect(ok(await t.gql(PAUSE, { id }, as)).pauseMailing).toMatchObject({ paused: true, status: 'RUNNING' });
    });
    expect(after).toBeLessThanOrEqual(IN_FLIGHT);
    expect(atStop).toBeGreaterThanOrEqual(10);
    const paused = await statusCounts(mailingId);
    expect(paused.SENDING).toBeUndefined();
    expect(paused.SENT).toBe(receivedBy(emails));
    expect(paused.PENDING).toBe(60 - paused.SENT);
    expect((await attemptsOf(t.app, mailingId)).map((a) => a.status)).toEqual(['RUNNING']);

    // Paused, it cannot be sent another way either.
    const refused = await t.gql(SEND_NOW, { id: mailingId }, owner);
    expect(refused.errors?.[0]).toMatchObject({ message: 'This mailing is paused: resume it to send.', extensions: { code: 'CONFLICT' } });

    expect(ok(await t.gql(RESUME, { id: mailingId }, owner)).resumeMailing).toMatchObject({ paused: false });
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: 60, sentCount: 60 });
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(1);
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
    expect(await mailingStatus(t.app, mailingId)).toBe('FINISHED');
  });

  it('keep a paused mailing from starting at its start; resuming starts it', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { startAt: new Date(Date.now() + 3_600_000) });
    await t.app.scheduler.mailingSaved(mailingId);
    ok(await t.gql(PAUSE, { id: mailingId }, owner));
    const jobs = await t.app.orm.em
      .fork()
      .execute<Array<{ name: string }>>(`select name from agenda_jobs where data->>'mailingId' = ? order by name`, [mailingId]);
    expect(jobs.map((job) => job.name)).toEqual(['mailing.finish']);

    // Moved to now while paused: nothing starts.
    await t.app.orm.em.fork().execute(`update mailings set start_at = now() - interval '1 minute' where id = ?`, [mailingId]);
    await t.app.scheduler.mailingSaved(mailingId);
    const control = await seedMailing(t.app, manager.user);
    await t.app.scheduler.mailingSaved(control.mailingId);
    await runClosed(t.app, control.mailingId);
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(0);

    ok(await t.gql(RESUME, { id: mailingId }, owner));
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: 3 });
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
  });

  it('end a paused mailing at its end time: its waiting deliveries fail and nothing more is sent', async () => {
    const owner = await t.createUser();
    const endAt = new Date(Date.now() + 1500);
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 30, endAt });
    t.smtp.hold({ after: 5 });
    await t.app.scheduler.mailingSaved(mailingId);
    await waitUntil('sends held in flight', () => t.smtp.held >= 1);
    ok(await t.gql(PAUSE, { id: mailingId }, owner));
    t.smtp.release();

    expect(await waitUntil('the mailing to finish', async () => (await mailingStatus(t.app, mailingId)) === 'FINISHED')).toBe(true);
    const [attempt] = await waitUntil('the attempt to close', async () => {
      const attempts = await attemptsOf(t.app, mailingId);
      return attempts[0]?.status !== 'RUNNING' && attempts;
    });
    const counts = await statusCounts(mailingId);
    expect(counts.SENT).toBe(receivedBy(emails));
    expect(counts.FAILED).toBe(30 - counts.SENT);
    expect(attempt.status).toBe('FAILURE');
  });

  it('are for the owner only, and refused once the mailing has finished', async () => {
    const owner = await t.createUser();
    const stranger = await t.createUser();
    const { mailingId } = await seedMailing(t.app, owner.user);
    const notFound = await t.gql(PAUSE, { id: mailingId }, stranger);
    expect(notFound.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const staff = await t.gql(PAUSE, { id: mailingId }, manager);
    expect(staff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.app.orm.em.fork().execute(`select paused from mailings where id = ?`, [mailingId]))[0].paused).toBe(false);

    await t.app.orm.em.fork().execute(`update mailings set status = 'FINISHED' where id = ?`, [mailingId]);
    const finished = await t.gql(RESUME, { id: mailingId }, owner);
    expect(finished.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/has finished/) });
  });
});

describe('recipients deleted or unsubscribed while their deliveries wait, claimed, in the worker', () => {
  it('are taken back within SEND_HOLD_CHECK_MS and never sent: SKIPPED with the reason', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 10 });
    // The first sends are held in flight; the rest of the claimed batch waits in the worker.
    t.smtp.hold({ after: 0 });
    await t.app.scheduler.mailingSaved(mailingId);
    await waitUntil('sends held in flight', () => t.smtp.held >= Number(FAST_SENDING.SMTP_POOL_SIZE));
    const claimed = (await deliveriesOf(t.app, mailingId)).filter((row) => row.status === 'SENDING' && t.smtp.countFor(row.email) === 0);
    // Everyone claimed but not yet at the server leaves: half deleted, half unsubscribed.
    const gone = claimed.map((row) => row.email);
    const deleted = gone.filter((_, i) => i % 2 === 0);
    const unsubscribed = gone.filter((_, i) => i % 2 === 1);
    const em = t.app.orm.em.fork();
    await em.execute(`delete from recipients where owner_id = ? and email in (?)`, [owner.user.id, deleted]);
    await em.execute(`update recipients set unsubscribed_at = now() where owner_id = ? and email in (?)`, [owner.user.id, unsubscribed]);
    // Those already handed to the transport (in flight, not yet at the server) go out; the others are taken back.
    const handedOver = IN_FLIGHT - t.smtp.held;
    await waitUntil('the waiting ones taken back', async () => {
      const rows = await deliveriesOf(t.app, mailingId);
      return rows.filter((row) => row.status === 'SKIPPED').length >= gone.length - handedOver;
    });
    t.smtp.release();

    const attempt = await runClosed(t.app, mailingId);
    const rows = await deliveriesOf(t.app, mailingId);
    const skipped = rows.filter((row) => row.status === 'SKIPPED');
    expect(skipped.length).toBeGreaterThanOrEqual(gone.length - handedOver);
    expect(attempt).toMatchObject({ status: 'SUCCESS', sentCount: 10 - skipped.length, skippedCount: skipped.length });
    for (const row of skipped) {
      expect(t.smtp.countFor(row.email)).toBe(0);
      expect(row.response).toBe(deleted.includes(row.email) ? 'Not sent: the recipient was deleted.' : 'Not sent: the recipient unsubscribed.');
    }
    for (const email of emails.filter((email) => !skipped.some((row) => row.email === email))) expect(t.smtp.countFor(email)).toBe(1);
  });
});

describe('stopping a mailing that is sending', () => {
  it('disableMailing: nothing leaves after it answers but what was in flight', async () => {
    const { mailingId, emails, after } = await messagesAfterStop(async (id) => {
      ok(await t.gql(`mutation($id: ID!) { disableMailing(id: $id) { disabled } }`, { id }, manager));
    });
    expect(after).toBeLessThanOrEqual(IN_FLIGHT);
    const counts = await statusCounts(mailingId);
    expect(counts.SENT).toBe(receivedBy(emails));
    expect(counts.SENDING).toBeUndefined();
  });

  it('blockUser: nothing of the owner leaves after it answers but what was in flight', async () => {
    const { after } = await messagesAfterStop(async (_id, owner) => {
      ok(await t.gql(`mutation($id: ID!) { blockUser(id: $id) { blocked } }`, { id: owner.user.id }, manager));
    });
    expect(after).toBeLessThanOrEqual(IN_FLIGHT);
  });

  it('deleteMailing: nothing leaves after it answers but what was in flight', async () => {
    const { mailingId, after } = await messagesAfterStop(async (id, owner) => {
      expect(ok(await t.gql(`mutation($id: ID!) { deleteMailing(id: $id) }`, { id }, owner)).deleteMailing).toBe(id);
    });
    expect(after).toBeLessThanOrEqual(IN_FLIGHT);
    expect(await deliveriesOf(t.app, mailingId)).toEqual([]);
  });
});
