import { Role } from '../src/common/actor';
import { openAttempt } from '../src/sending/open-attempt';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';
import { FAST_SENDING, attemptsOf, deliveriesOf, mailingStatus, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
let manager: TestUser;
beforeAll(async () => {
  t = await startTestApp(FAST_SENDING);
  manager = await t.createUser({ role: Role.MANAGER });
});
afterAll(() => t?.close());
afterEach(() => t.smtp.reset());

const BLOCK = `mutation($id: ID!) { blockUser(id: $id) { blocked } }`;
const UNBLOCK = `mutation($id: ID!) { unblockUser(id: $id) { blocked } }`;

async function statusCounts(mailingId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { status } of await deliveriesOf(t.app, mailingId)) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
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

describe("a blocked user's mailings", () => {
  it('stop sending after what was already claimed, and go on from there once the user is unblocked', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, owner.user, { count: 60 });
    // Five go out, then the SMTP server holds its answers: the sends in flight wait while the owner is blocked.
    t.smtp.hold({ after: 5 });
    await t.app.scheduler.mailingSaved(mailingId);
    await waitUntil('sends held in flight', () => t.smtp.held >= 2);

    expect(ok(await t.gql(BLOCK, { id: owner.user.id }, manager)).blockUser.blocked).toBe(true);
    const atBlock = await statusCounts(mailingId);
    const claimedAtBlock = (atBlock.SENT ?? 0) + (atBlock.SENDING ?? 0);
    t.smtp.release();

    // Nothing is claimed once the block is committed, so no delivery stays SENDING for long.
    const after = await waitUntil('the attempt to stop', async () => {
      const counts = await statusCounts(mailingId);
      return !counts.SENDING && counts;
    });
    const sentAfterBlock = emails.filter((email) => t.smtp.countFor(email) > 0).length;
    expect(after.SENT).toBe(sentAfterBlock);
    expect(sentAfterBlock).toBeLessThanOrEqual(claimedAtBlock);
    expect(after.PENDING).toBe(60 - sentAfterBlock);
    expect(after.PENDING).toBeGreaterThan(0);
    expect((await attemptsOf(t.app, mailingId)).map((a) => a.status)).toEqual(['RUNNING']);
    expect(await mailingStatus(t.app, mailingId)).toBe('RUNNING');
    expect(await jobsOf(mailingId)).toEqual([expect.objectContaining({ name: 'mailing.finish' })]);

    // No other way opens an attempt for it either (send now, a retry, the command line).
    await expect(openAttempt(t.app.orm.em, mailingId, 'example.test')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/owner is blocked/),
    });

    expect(ok(await t.gql(UNBLOCK, { id: owner.user.id }, manager)).unblockUser.blocked).toBe(false);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: 60, sentCount: 60 });
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
  });

  it('keep their schedule while blocked and start only once unblocked', async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const startAt = new Date(Date.now() + 3_600_000);
    const scheduled = await seedMailing(t.app, owner.user, { startAt });
    const due = await seedMailing(t.app, owner.user);
    ok(await t.gql(BLOCK, { id: owner.user.id }, manager));

    await t.app.scheduler.mailingSaved(scheduled.mailingId);
    await t.app.scheduler.mailingSaved(due.mailingId);
    const control = await seedMailing(t.app, other.user);
    await t.app.scheduler.mailingSaved(control.mailingId);
    // Planned after the blocked owner's due mailing, the other user's has gone out: the blocked one would have by now.
    await runClosed(t.app, control.mailingId);
    expect(await attemptsOf(t.app, due.mailingId)).toHaveLength(0);
    for (const email of due.emails) expect(t.smtp.countFor(email)).toBe(0);
    expect((await jobsOf(scheduled.mailingId)).map((job) => job.name)).toEqual(['mailing.finish']);
    expect(await mailingStatus(t.app, scheduled.mailingId)).toBe('CREATED');

    ok(await t.gql(UNBLOCK, { id: owner.user.id }, manager));
    expect(await runClosed(t.app, due.mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 3 });
    const jobs = await jobsOf(scheduled.mailingId);
    expect(jobs.map((job) => job.name)).toEqual(['mailing.finish', 'mailing.start']);
    expect(jobs[1].nextRunAt?.getTime()).toBe(startAt.getTime());
    expect(await attemptsOf(t.app, scheduled.mailingId)).toHaveLength(0);
  });
});
