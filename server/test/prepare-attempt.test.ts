import { finishMailing } from '../src/sending/close-attempt';
import { Attempt } from '../src/sending/attempt.entity';
import { openAttempt } from '../src/sending/open-attempt';
import { prepareAttempt, prepareNextChunk } from '../src/sending/prepare-attempt';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { createMessage, createRecipients, hoursFromNow, ok } from './mailing-helpers';
import { FAST_SENDING, attemptsOf, deliveriesOf, mailingStatus, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

/*
 * A run to more recipients than PREPARE_CHUNK_SIZE opens PREPARING: the request prepares the
 * first chunk, a worker the rest, chunk by chunk, each in a transaction of its own.
 */
const CHUNK = 5;
const DOMAIN = 'mail.example.test';
const SEND_NOW = `mutation($id: ID!) { sendMailingNow(id: $id) { id status total } }`;
const PAUSE = `mutation($id: ID!) { pauseMailing(id: $id) { id paused } }`;
const RESUME = `mutation($id: ID!) { resumeMailing(id: $id) { id paused } }`;
const RETRY = `mutation($id: ID!) { retryFailedDeliveries(attemptId: $id) { id status total } }`;
const PROGRESS = `query($id: ID!) { mailingProgress(mailingId: $id) { attemptId status total } }`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ...FAST_SENDING, PREPARE_CHUNK_SIZE: String(CHUNK) });
});
afterAll(() => t?.close());
afterEach(() => t.smtp.reset());

const em = () => t.app.orm.em.fork();
const prepareDeps = () => ({ config: t.app.config, em: t.app.orm.em, domain: DOMAIN });
const never = new AbortController().signal;

const receivedBy = (emails: string[]) => emails.reduce((sum, email) => sum + t.smtp.countFor(email), 0);

async function attemptRow(id: string) {
  return em().findOneOrFail(Attempt, id);
}

/** Recipients (by email) with their number of deliveries in this attempt. */
async function deliveriesPerRecipient(attemptId: string): Promise<Map<string, number>> {
  const rows = await em().execute<Array<{ email: string; count: number }>>(
    `select email, count(*)::int as count from deliveries where attempt_id = ? group by email`,
    [attemptId],
  );
  return new Map(rows.map((row) => [row.email, row.count]));
}

/**
 * A mailing of `count` recipients, not planned (no worker touches it unless told): the first
 * `unsubscribed` have unsubscribed and the next `alreadySent` got it in an earlier attempt.
 */
async function mailingWithHistory(owner: TestUser, count: number, { unsubscribed = 0, alreadySent = 0 } = {}) {
  const seeded = await seedMailing(t.app, owner.user, { count, startAt: new Date(Date.now() + 3_600_000), endAt: new Date(Date.now() + 7_200_000) });
  const emails = [...seeded.emails].sort();
  const gone = emails.slice(0, unsubscribed);
  const sent = emails.slice(unsubscribed, unsubscribed + alreadySent);
  await em().execute(`update recipients set unsubscribed_at = now() where owner_id = ? and email in (?)`, [owner.user.id, gone.length ? gone : ['-']]);
  if (sent.length) {
    const [{ id }] = await em().execute<Array<{ id: string }>>(
      `insert into attempts (id, mailing_id, status, total, sent_count, finished_at) values (gen_random_uuid(), ?, 'FAILURE', ?, ?, now()) returning id`,
      [seeded.mailingId, sent.length, sent.length],
    );
    await em().execute(
      `insert into deliveries (id, attempt_id, recipient_id, email, full_name, status, tries, next_try_at, message_id)
       select gen_random_uuid(), ?, r.id, r.email, r.full_name, 'SENT', 1, now(), '<x' || r.id || '@x>' from recipients r where r.owner_id = ? and r.email in (?)`,
      [id, owner.user.id, sent],
    );
    await em().execute(`update mailings set status = 'RUNNING' where id = ?`, [seeded.mailingId]);
  }
  const expected = emails.slice(unsubscribed + alreadySent);
  return { ...seeded, expected };
}

describe('preparing a large run', () => {
  it('opens PREPARING with its first chunk, then prepares the rest chunk by chunk, each recipient once, leaving out the unsubscribed and those who had it', async () => {
    const owner = await t.createUser();
    const { mailingId, expected } = await mailingWithHistory(owner, 23, { unsubscribed: 2, alreadySent: 3 });

    const opened = await openAttempt(t.app.orm.em, mailingId, DOMAIN, { chunkSize: CHUNK });
    expect(opened.status).toBe('PREPARING');
    const first = await attemptRow(opened.id);
    expect(first.total).toBeLessThanOrEqual(CHUNK);
    expect(first.preparedThrough).toEqual(expect.any(String));
    expect((await deliveriesPerRecipient(opened.id)).size).toBe(first.total);
    expect(await mailingStatus(t.app, mailingId)).toBe('RUNNING');

    // Chunk by chunk: each moves the cursor and adds at most a chunk.
    expect(await prepareNextChunk(t.app.orm.em, opened.id, DOMAIN, CHUNK)).toBe('more');
    const second = await attemptRow(opened.id);
    expect(second.preparedThrough! > first.preparedThrough!).toBe(true);
    expect(second.total - first.total).toBeLessThanOrEqual(CHUNK);
    expect(second.status).toBe('PREPARING');

    // Two workers take over after a crash: neither prepares a chunk the other did.
    const stops = await Promise.all([
      prepareAttempt(prepareDeps(), opened.id, { signal: never }),
      prepareAttempt(prepareDeps(), opened.id, { signal: never }),
    ]);
    expect(stops).toEqual([null, null]);
    const done = await attemptRow(opened.id);
    expect(done).toMatchObject({ status: 'RUNNING', total: expected.length });
    const perRecipient = await deliveriesPerRecipient(opened.id);
    expect([...perRecipient.keys()].sort()).toEqual(expected);
    expect([...perRecipient.values()].every((count) => count === 1)).toBe(true);
  });

  it('sendMailingNow answers with the PREPARING run; a worker prepares and sends it, nobody twice', async () => {
    const owner = await t.createUser();
    const { mailingId, emails, expected } = await mailingWithHistory(owner, 17, { unsubscribed: 1, alreadySent: 2 });

    const sent = ok(await t.gql(SEND_NOW, { id: mailingId }, owner)).sendMailingNow;
    expect(sent.status).toBe('PREPARING');
    expect(sent.total).toBeLessThanOrEqual(CHUNK);
    const progress = ok(await t.gql(PROGRESS, { id: mailingId }, owner)).mailingProgress;
    expect(progress.attemptId).toBe(sent.id);
    expect(['PREPARING', 'RUNNING', 'SUCCESS']).toContain(progress.status);

    expect(await runClosed(t.app, mailingId)).toMatchObject({ id: sent.id, status: 'SUCCESS', total: expected.length, sentCount: expected.length });
    for (const email of expected) expect(t.smtp.countFor(email)).toBe(1);
    expect(receivedBy(emails)).toBe(expected.length);
  });

  it('sends the deliveries prepared so far while the rest are still being prepared', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await mailingWithHistory(owner, 3 * CHUNK);
    const opened = await openAttempt(t.app.orm.em, mailingId, DOMAIN, { chunkSize: CHUNK });
    // The attempt's row locked, as a chunk being prepared would hold it: the next chunk waits.
    const lock = em();
    await lock.begin();
    try {
      await lock.execute(`select id from attempts where id = ? for update`, [opened.id]);
      await t.app.scheduler.queueAttempt(opened.id);
      await waitUntil('the first chunk sent', () => receivedBy(emails) === CHUNK);
      expect(await attemptRow(opened.id)).toMatchObject({ status: 'PREPARING', total: CHUNK });
    } finally {
      await lock.rollback();
    }

    expect(await runClosed(t.app, mailingId)).toMatchObject({ id: opened.id, status: 'SUCCESS', total: 3 * CHUNK, sentCount: 3 * CHUNK });
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
  });

  it('stops preparing while the mailing is paused and goes on from where it stopped once resumed', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await mailingWithHistory(owner, 16);
    const opened = await openAttempt(t.app.orm.em, mailingId, DOMAIN, { chunkSize: CHUNK });
    expect(ok(await t.gql(PAUSE, { id: mailingId }, owner)).pauseMailing.paused).toBe(true);

    expect(await prepareAttempt(prepareDeps(), opened.id, { signal: never })).toEqual({ kind: 'held' });
    expect(await attemptRow(opened.id)).toMatchObject({ status: 'PREPARING', total: CHUNK });
    expect(receivedBy(emails)).toBe(0);

    expect(ok(await t.gql(RESUME, { id: mailingId }, owner)).resumeMailing.paused).toBe(false);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ id: opened.id, status: 'SUCCESS', total: 16, sentCount: 16 });
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
  });

  it('stops at the mailing’s end: prepared deliveries fail as not sent, the rest get none, and the run closes', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await mailingWithHistory(owner, 12);
    const opened = await openAttempt(t.app.orm.em, mailingId, DOMAIN, { chunkSize: CHUNK });
    const [{ endAt }] = await em().execute<Array<{ endAt: Date }>>(`select end_at as "endAt" from mailings where id = ?`, [mailingId]);

    expect(await finishMailing(t.app.orm.em, mailingId, new Date(new Date(endAt).getTime() + 1000))).toEqual({ kind: 'finished' });
    expect(await attemptRow(opened.id)).toMatchObject({ status: 'FAILURE', total: CHUNK, failedCount: CHUNK, sentCount: 0 });
    expect(await mailingStatus(t.app, mailingId)).toBe('FINISHED');
    expect(await prepareAttempt(prepareDeps(), opened.id, { signal: never })).toBeNull();
    expect(await deliveriesOf(t.app, mailingId)).toHaveLength(CHUNK);
    expect(receivedBy(emails)).toBe(0);
  });

  it('is not prepared any more once the mailing is deleted', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await mailingWithHistory(owner, 12);
    const opened = await openAttempt(t.app.orm.em, mailingId, DOMAIN, { chunkSize: CHUNK });
    const deleted = await t.gql(`mutation($id: ID!) { deleteMailing(id: $id) }`, { id: mailingId }, owner);
    expect(deleted.errors).toBeUndefined();
    expect(await prepareAttempt(prepareDeps(), opened.id, { signal: never })).toBeNull();
    expect(await em().count(Attempt, { id: opened.id })).toBe(0);
    expect(receivedBy(emails)).toBe(0);
  });

  it('retryFailedDeliveries prepares a large retry the same way', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await mailingWithHistory(owner, 13);
    const [{ id: failedRun }] = await em().execute<Array<{ id: string }>>(
      `insert into attempts (id, mailing_id, status, total, failed_count, finished_at) values (gen_random_uuid(), ?, 'FAILURE', 13, 13, now()) returning id`,
      [mailingId],
    );
    await em().execute(
      `insert into deliveries (id, attempt_id, recipient_id, email, full_name, status, tries, next_try_at, message_id)
       select gen_random_uuid(), ?, r.id, r.email, r.full_name, 'FAILED', 1, now(), '<f' || r.id || '@x>' from recipients r where r.owner_id = ?`,
      [failedRun, owner.user.id],
    );
    await em().execute(`update mailings set status = 'RUNNING' where id = ?`, [mailingId]);

    const retry = ok(await t.gql(RETRY, { id: failedRun }, owner)).retryFailedDeliveries;
    expect(retry).toMatchObject({ status: 'PREPARING', total: CHUNK });
    expect(await runClosed(t.app, mailingId)).toMatchObject({ id: retry.id, status: 'SUCCESS', total: 13, sentCount: 13 });
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
    expect((await attemptsOf(t.app, mailingId)).map((a) => a.status)).toEqual(['FAILURE', 'SUCCESS']);
  });

  it('sends a mailing to all recipients to those the owner had when it was saved, chunk by chunk, with no row written per recipient', async () => {
    const owner = await t.createUser();
    const messageId = await createMessage(t, owner);
    const before = await createRecipients(t, owner, 13, 'all');
    const created = ok(
      await t.gql(`mutation($input: MailingInput!) { createMailing(input: $input) { id recipientCount } }`, { input: { messageId, allRecipients: true, startAt: hoursFromNow(1), endAt: hoursFromNow(2) } }, owner),
    ).createMailing;
    expect(created.recipientCount).toBe(13);
    const [{ rows }] = await em().execute<Array<{ rows: number }>>(`select count(*)::int as rows from mailing_recipients where mailing_id = ?`, [created.id]);
    expect(rows).toBe(0);
    // Added after the save: not in it. Deleted after: not sent to.
    await createRecipients(t, owner, 2, 'late');
    await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id: before[0] }, owner);
    const page = ok(await t.gql(`query($id: ID!) { mailing(id: $id) { recipientCount recipientPage(limit: 50) { total items { id } } } }`, { id: created.id }, owner)).mailing;
    expect(page.recipientCount).toBe(12);
    expect(page.recipientPage.items.map((r: { id: string }) => r.id).sort()).toEqual(before.slice(1).sort());

    const sent = ok(await t.gql(SEND_NOW, { id: created.id }, owner)).sendMailingNow;
    expect(sent).toMatchObject({ status: 'PREPARING', total: CHUNK });
    expect(await runClosed(t.app, created.id)).toMatchObject({ id: sent.id, status: 'SUCCESS', total: 12, sentCount: 12 });
    const emails = (await deliveriesOf(t.app, created.id)).map((d) => d.email);
    expect(new Set(emails).size).toBe(12);
    expect(emails.some((email) => email.startsWith('late'))).toBe(false);
    expect(receivedBy(emails)).toBe(12);
  });
});
