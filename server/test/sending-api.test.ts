import { Role } from '../src/common/actor';
import { Mailing } from '../src/mailings/mailing.entity';
import { startTestApp, type TestApp, type TestUser } from './harness';
import type { TestSmtp } from './test-smtp';
import { createMailing, createMessage, createRecipients, hoursFromNow, ok } from './mailing-helpers';
import { FAST_SENDING, attemptsOf, deliveriesOf, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  t = await startTestApp(FAST_SENDING);
  smtp = t.smtp;
});
afterAll(() => t?.close());
afterEach(() => smtp.reset());

const SEND_NOW = `mutation($id: ID!) { sendMailingNow(id: $id) { id status total sentCount } }`;
const ATTEMPT_PROGRESS = `query($id: ID!) { attemptProgress(id: $id) { attemptId mailingId status total pending sending sent failed uncertain finishedAt } }`;
const MAILING_PROGRESS = `query($id: ID!) { mailingProgress(mailingId: $id) { attemptId status total sent failed } }`;

const later = () => new Date(Date.now() + 3_600_000);

async function progressUntilClosed(attemptId: string, as: TestUser) {
  return waitUntil('the run to close', async () => {
    const progress = ok(await t.gql(ATTEMPT_PROGRESS, { id: attemptId }, as)).attemptProgress;
    return progress.status !== 'RUNNING' ? progress : undefined;
  });
}

describe('sendMailingNow', () => {
  it('sends an owner’s mailing at once and reports its progress', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 5, startAt: later() });

    const attempt = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    expect(attempt).toMatchObject({ status: 'RUNNING', total: 5 });
    const progress = await progressUntilClosed(attempt.id, owner);
    expect(progress).toMatchObject({ attemptId: attempt.id, mailingId, status: 'SUCCESS', total: 5, pending: 0, sending: 0, sent: 5, failed: 0, uncertain: 0 });
    expect(progress.finishedAt).toEqual(expect.any(String));
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);

    const latest = ok(await t.gql(MAILING_PROGRESS, { id: mailingId }, owner)).mailingProgress;
    expect(latest).toEqual({ attemptId: attempt.id, status: 'SUCCESS', total: 5, sent: 5, failed: 0 });
    // Sent in full: the mailing is finished and cannot be sent again.
    const again = await t.gql(SEND_NOW, { id: mailingId }, owner);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('counts live while the run is going', async () => {
    smtp.hold({ after: 3 });
    const owner = await t.createUser();
    const { mailingId } = await seedMailing(t.app, owner.user, { count: 8 });
    const attempt = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    const midway = await waitUntil('three sent, the rest held', async () => {
      const p = ok(await t.gql(ATTEMPT_PROGRESS, { id: attempt.id }, owner)).attemptProgress;
      return p.sent === 3 && smtp.held > 0 ? p : undefined;
    });
    expect(midway).toMatchObject({ status: 'RUNNING', sent: 3, failed: 0, uncertain: 0 });
    expect(midway.sending).toBeGreaterThan(0);
    expect(midway.pending + midway.sending).toBe(5);
    smtp.release();
    expect(await progressUntilClosed(attempt.id, owner)).toMatchObject({ status: 'SUCCESS', sent: 8 });
  });

  it('counts apart what the mail server has, what a worker only claimed and what waits', async () => {
    smtp.hold();
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 40 });
    const attempt = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    const pool = t.app.config.SMTP_POOL_SIZE;
    await waitUntil('a message held on every connection', () => smtp.held === pool);

    const progress = ok(await t.gql(`query($id: ID!) { attemptProgress(id: $id) { total pending sending inFlight claimed sent } }`, { id: attempt.id }, owner)).attemptProgress;
    const rows = await deliveriesOf(t.app, mailingId);
    // Each message the server holds is in flight; nothing only claimed ever reached it.
    const atServer = new Set(smtp.received.filter((m) => emails.includes(m.to)).map((m) => m.to));
    expect(atServer.size).toBe(pool);
    for (const row of rows.filter((r) => atServer.has(r.email))) expect(row).toMatchObject({ status: 'SENDING', handedOver: true });
    for (const row of rows.filter((r) => !r.handedOver)) expect(atServer.has(row.email)).toBe(false);
    // In flight: those with the server, the sends waiting for a connection, and a few marked just before they go.
    expect(progress.inFlight).toBeGreaterThanOrEqual(pool);
    expect(progress.inFlight).toBeLessThanOrEqual(3 * 2 * pool);
    expect(progress.claimed).toBeGreaterThan(0);
    expect(progress.pending).toBeGreaterThan(0);
    expect(progress).toMatchObject({ total: 40, sent: 0, sending: progress.inFlight + progress.claimed });
    expect(progress.pending + progress.sending).toBe(40);

    smtp.release();
    expect(await progressUntilClosed(attempt.id, owner)).toMatchObject({ status: 'SUCCESS', sent: 40 });
    const done = ok(await t.gql(`query($id: ID!) { attemptProgress(id: $id) { sending inFlight claimed } }`, { id: attempt.id }, owner)).attemptProgress;
    expect(done).toEqual({ sending: 0, inFlight: 0, claimed: 0 });
    for (const row of await deliveriesOf(t.app, mailingId)) expect(row).toMatchObject({ status: 'SENT', tries: 1, mayHaveArrivedTwice: false });
  });

  it('keeps answering the API while a run is stuck on a server that does not answer', async () => {
    smtp.hold();
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 8 });
    ok(await t.gql(SEND_NOW, { id: mailingId }, owner));
    await waitUntil('messages waiting for their answer', () => smtp.held > 0);

    const res = await t.gql('{ recipients { total } }', undefined, owner);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recipients.total).toBe(8);
    // Answered while the server still had not answered a single message.
    expect(smtp.received.filter((m) => emails.includes(m.to)).length).toBe(smtp.held);
    expect((await deliveriesOf(t.app, mailingId)).filter((d) => d.status === 'SENT')).toEqual([]);
    smtp.release();
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 8 });
  });

  it('refuses with CONFLICT while the mailing is disabled or already sending, changing nothing', async () => {
    const owner = await t.createUser();
    const disabled = await seedMailing(t.app, owner.user, { disabled: true });
    const refused = await t.gql(SEND_NOW, { id: disabled.mailingId }, owner);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/disabled/) });
    expect(await attemptsOf(t.app, disabled.mailingId)).toHaveLength(0);

    // Held by the server, the run stays open while both requests come in.
    smtp.hold();
    const busy = await seedMailing(t.app, owner.user, { count: 4, startAt: later() });
    const [first, second] = await Promise.all([t.gql(SEND_NOW, { id: busy.mailingId }, owner), t.gql(SEND_NOW, { id: busy.mailingId }, owner)]);
    const codes = [first, second].map((r) => r.errors?.[0].extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const third = await t.gql(SEND_NOW, { id: busy.mailingId }, owner);
    expect(third.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(await attemptsOf(t.app, busy.mailingId)).toHaveLength(1);
    smtp.release();
    await runClosed(t.app, busy.mailingId);
  });

  it('sends again only to those who did not get it the first time', async () => {
    smtp.rules = (to) => (to.startsWith('bounced') ? { rcpt: 550 } : undefined);
    const owner = await t.createUser();
    const { mailingId } = await seedMailing(t.app, owner.user, { emails: ['bounced@example.test', 'got-it@example.test'] });
    const first = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    expect(await progressUntilClosed(first.id, owner)).toMatchObject({ status: 'FAILURE', sent: 1, failed: 1 });

    smtp.rules = () => undefined;
    const second = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    expect(second.total).toBe(1);
    expect(await progressUntilClosed(second.id, owner)).toMatchObject({ status: 'SUCCESS', sent: 1 });
    expect(smtp.countFor('got-it@example.test')).toBe(1);
    expect(smtp.countFor('bounced@example.test')).toBe(1);
  });

  it('answers NOT_FOUND for someone else’s mailing, FORBIDDEN for staff and UNAUTHENTICATED for anonymous callers', async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const manager = await t.createUser({ role: Role.MANAGER });
    const { mailingId } = await seedMailing(t.app, owner.user, { startAt: later() });

    expect((await t.gql(SEND_NOW, { id: mailingId }, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(SEND_NOW, { id: 'not-a-uuid' }, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(SEND_NOW, { id: mailingId }, manager)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(SEND_NOW, { id: mailingId })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(0);
  });

  it('lets the owner and staff read progress, and no one else', async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const admin = await t.createUser({ role: Role.ADMIN });
    const { mailingId } = await seedMailing(t.app, owner.user, { count: 1 });
    expect(ok(await t.gql(MAILING_PROGRESS, { id: mailingId }, owner)).mailingProgress).toBeNull();
    const attempt = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;

    expect(ok(await t.gql(ATTEMPT_PROGRESS, { id: attempt.id }, admin)).attemptProgress.attemptId).toBe(attempt.id);
    expect(ok(await t.gql(MAILING_PROGRESS, { id: mailingId }, admin)).mailingProgress.attemptId).toBe(attempt.id);
    expect((await t.gql(ATTEMPT_PROGRESS, { id: attempt.id }, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(MAILING_PROGRESS, { id: mailingId }, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await progressUntilClosed(attempt.id, owner);
  });
});

describe('retryFailedDeliveries', () => {
  const RETRY = `mutation($id: ID!) { retryFailedDeliveries(attemptId: $id) { id total } }`;

  it('sends again, as a new run, only to the recipients that failed in that attempt', async () => {
    let refuse = true;
    smtp.rules = (to) => (refuse && to.startsWith('refused') ? { rcpt: 550 } : undefined);
    const owner = await t.createUser();
    const { mailingId } = await seedMailing(t.app, owner.user, {
      emails: ['refused-1@example.test', 'refused-2@example.test', 'fine@example.test'],
    });
    const first = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    expect(await progressUntilClosed(first.id, owner)).toMatchObject({ status: 'FAILURE', sent: 1, failed: 2 });

    refuse = false;
    const retry = ok(await t.gql(RETRY, { id: first.id }, owner)).retryFailedDeliveries;
    expect(retry.id).not.toBe(first.id);
    expect(retry.total).toBe(2);
    expect(await progressUntilClosed(retry.id, owner)).toMatchObject({ status: 'SUCCESS', sent: 2, failed: 0 });
    expect(smtp.countFor('refused-1@example.test')).toBe(1);
    expect(smtp.countFor('refused-2@example.test')).toBe(1);
    expect(smtp.countFor('fine@example.test')).toBe(1);

    // Nothing failed is left: a second retry of the same attempt is refused and opens nothing.
    const again = await t.gql(RETRY, { id: first.id }, owner);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(2);
  });

  it("answers NOT_FOUND for another owner's attempt and opens nothing", async () => {
    smtp.rules = (to) => (to.startsWith('nope') ? { rcpt: 550 } : undefined);
    const owner = await t.createUser();
    const other = await t.createUser();
    const { mailingId } = await seedMailing(t.app, owner.user, { emails: ['nope@example.test'] });
    const first = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    await progressUntilClosed(first.id, owner);
    expect((await t.gql(RETRY, { id: first.id }, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await attemptsOf(t.app, mailingId)).toHaveLength(1);
  });
});

describe('mailings through the API', () => {
  it('start at once when created inside their window, and at their start otherwise', async () => {
    const owner = await t.createUser();
    const messageId = await createMessage(t, owner, 'Hi {{fullName}}', 'Body');
    const recipientIds = await createRecipients(t, owner, 2, 'api');
    const now = await createMailing(t, owner, { messageId, recipientIds, startAt: hoursFromNow(-1), endAt: hoursFromNow(1) });
    expect(await runClosed(t.app, now)).toMatchObject({ status: 'SUCCESS', sentCount: 2 });
    expect((await deliveriesOf(t.app, now)).map((d) => d.status)).toEqual(['SENT', 'SENT']);

    const startAt = hoursFromNow(2);
    const scheduled = await createMailing(t, owner, { messageId, recipientIds, startAt, endAt: hoursFromNow(3) });
    expect(await attemptsOf(t.app, scheduled)).toHaveLength(0);
    expect((await t.app.orm.em.fork().findOneOrFail(Mailing, scheduled)).status).toBe('CREATED');
    const jobs = await t.app.orm.em
      .fork()
      .execute<Array<{ nextRunAt: string }>>(`select next_run_at as "nextRunAt" from agenda_jobs where name = 'mailing.start' and data->>'mailingId' = ?`, [
        scheduled,
      ]);
    expect(jobs.map((j) => new Date(j.nextRunAt).toISOString())).toEqual([startAt]);
  });
});
