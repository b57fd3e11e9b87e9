import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../common/errors';
import { isUuid } from '../common/find';
import { withConstraintErrors } from '../common/db-errors';
import { Mailing, MailingStatus } from '../mailings/mailing.entity';
import { Message } from '../messages/message.entity';
import { Attempt, AttemptStatus } from './attempt.entity';
import { countsFrom, type DeliveryCounts } from './delivery-store';
import type { DeliveryStatus } from './delivery.entity';
import { nextStatus, runRefusal } from './mailing-status';

const constraintMessages = {
  attempts_one_running_per_mailing: { message: 'This mailing is already being sent.' },
};

/** The domain of Message-IDs: the sender's, so they look like the sender's own mail. */
export function messageIdDomain(mailFrom: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'localhost';
}

/**
 * Opens a run: one Attempt and one PENDING Delivery per recipient who has not received
 * this mailing yet, in one transaction, and the mailing becomes RUNNING. Refused with
 * CONFLICT when the mailing may not send now (see runRefusal).
 */
export async function openRun(
  em: EntityManager,
  mailingId: string,
  domain: string,
  now = new Date(),
  options: { retryFailedOf?: string } = {},
): Promise<Attempt> {
  if (!isUuid(mailingId)) throw notFound('Mailing', mailingId);
  return withConstraintErrors(
    () =>
      em.fork().transactional(async (tx) => {
        const mailing = await tx.findOne(Mailing, mailingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!mailing) throw notFound('Mailing', mailingId);
        const openRuns = await tx.count(Attempt, { mailing, status: AttemptStatus.RUNNING });
        const refusal = runRefusal(mailing, openRuns > 0, now);
        if (refusal) throw conflict(refusal);
        const message = await tx.findOneOrFail(Message, mailing.message.id);
        const attempt = tx.create(Attempt, { mailing, attemptedAt: now, subject: message.subject, body: message.body });
        await tx.flush();
        const source = options.retryFailedOf ? failedIn(mailing.id, options.retryFailedOf) : everyRecipientOf(mailing.id);
        attempt.total = await insertDeliveries(tx, attempt.id, mailing.id, domain, source);
        if (options.retryFailedOf && attempt.total === 0) throw conflict('This attempt has no failed deliveries left to retry.');
        if (attempt.total === 0) {
          throw conflict(
            mailing.status === MailingStatus.CREATED
              ? 'This mailing has no recipients.'
              : 'Every recipient of this mailing has received it already.',
          );
        }
        mailing.status = nextStatus(mailing.status, 'runOpened');
        await tx.flush();
        return attempt;
      }),
    constraintMessages,
  );
}

/** Which recipients a run is for: a FROM clause yielding `r` (recipients), with its parameters. */
interface RecipientSource {
  from: string;
  params: unknown[];
}

const everyRecipientOf = (mailingId: string): RecipientSource => ({
  from: `from mailing_recipients mr join recipients r on r.id = mr.recipient_id where mr.mailing_id = ?`,
  params: [mailingId],
});

/** The recipients whose delivery failed in an earlier run and who are still in the mailing. */
const failedIn = (mailingId: string, attemptId: string): RecipientSource => ({
  from: `from deliveries failed
         join mailing_recipients mr on mr.recipient_id = failed.recipient_id and mr.mailing_id = ?
         join recipients r on r.id = failed.recipient_id
         where failed.attempt_id = ? and failed.status = 'FAILED'`,
  params: [mailingId, attemptId],
});

/**
 * One statement however many recipients: a recipient who got this mailing in an earlier
 * run (SENT, or UNCERTAIN: it may have arrived) is left out, so nobody gets it twice.
 */
async function insertDeliveries(
  tx: EntityManager,
  attemptId: string,
  mailingId: string,
  domain: string,
  source: RecipientSource,
): Promise<number> {
  const result = await tx.execute<{ affectedRows: number }>(
    `insert into deliveries (id, created_at, updated_at, attempt_id, recipient_id, email, full_name, status, tries, next_try_at, message_id)
     select picked.id, now(), now(), ?, picked.recipient_id, picked.email, picked.full_name, 'PENDING', 0, now(),
            '<' || picked.id || '@' || ? || '>'
     from (
       select gen_random_uuid() as id, r.id as recipient_id, r.email, r.full_name
       ${source.from}
         and not exists (
           select 1 from deliveries earlier
           join attempts a on a.id = earlier.attempt_id
           where a.mailing_id = ? and earlier.email = r.email and earlier.status in ('SENT', 'UNCERTAIN'))
     ) picked`,
    [attemptId, domain, ...source.params, mailingId],
    'run',
  );
  return result.affectedRows;
}

/**
 * Closes a run once no delivery is open: counts, SUCCESS when every delivery was sent,
 * FAILURE otherwise, the server's last answer; the mailing's status follows.
 * False when the run is already closed or still has open deliveries.
 */
export async function closeRun(em: EntityManager, attemptId: string, now = new Date()): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    const attempt = await tx.findOne(Attempt, attemptId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!attempt || attempt.status !== AttemptStatus.RUNNING) return false;
    const counts = await deliveryCounts(tx, attemptId);
    if (counts.pending + counts.sending > 0) return false;
    const success = counts.sent === counts.total;
    attempt.status = success ? AttemptStatus.SUCCESS : AttemptStatus.FAILURE;
    attempt.total = counts.total;
    attempt.sentCount = counts.sent;
    attempt.failedCount = counts.failed;
    attempt.uncertainCount = counts.uncertain;
    attempt.finishedAt = now;
    attempt.serverResponse = await lastResponse(tx, attemptId);
    const mailing = await tx.findOneOrFail(Mailing, attempt.mailing.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    mailing.status = nextStatus(mailing.status, success ? 'runSucceeded' : 'runFailed');
    await tx.flush();
    return true;
  });
}

export type FinishResult =
  | { kind: 'finished' }
  | { kind: 'gone' }
  | { kind: 'notYet'; endAt: Date }
  /** Deliveries are still in a live worker's hands: their results are on the way. */
  | { kind: 'inFlight' };

export const NOT_SENT_BEFORE_END = 'Not sent: the mailing ended before it went out.';
export const LOST_IN_FLIGHT = 'In flight when its worker stopped; the mailing ended before it could be retried. It may have arrived.';

/**
 * At its end a mailing becomes FINISHED and nothing more is sent for it: the open run's
 * waiting deliveries fail, ones a dead worker left in flight become UNCERTAIN, and the run closes.
 */
export async function finishMailing(em: EntityManager, mailingId: string, now = new Date()): Promise<FinishResult> {
  const step = await em.fork().transactional(async (tx): Promise<FinishResult | { kind: 'close'; attemptId: string }> => {
    const mailing = await tx.findOne(Mailing, mailingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!mailing) return { kind: 'gone' };
    if (now.getTime() < mailing.endAt.getTime()) return { kind: 'notYet', endAt: mailing.endAt };
    mailing.status = nextStatus(mailing.status, 'endReached');
    await tx.flush();
    const open = await tx.findOne(Attempt, { mailing, status: AttemptStatus.RUNNING });
    if (!open) return { kind: 'finished' };
    await tx.execute(
      `update deliveries set status = 'FAILED', response = ?, updated_at = now() where attempt_id = ? and status = 'PENDING'`,
      [NOT_SENT_BEFORE_END, open.id],
      'run',
    );
    await tx.execute(
      `update deliveries set status = 'UNCERTAIN', response = ?, updated_at = now()
       where attempt_id = ? and status = 'SENDING' and next_try_at <= now()`,
      [LOST_IN_FLIGHT, open.id],
      'run',
    );
    return { kind: 'close', attemptId: open.id };
  });
  if (step.kind !== 'close') return step;
  return (await closeRun(em, step.attemptId, now)) ? { kind: 'finished' } : { kind: 'inFlight' };
}

/** Live counts of a run's deliveries. */
export async function deliveryCounts(tx: EntityManager, attemptId: string): Promise<DeliveryCounts> {
  const rows = await tx.execute<Array<{ status: DeliveryStatus; count: number }>>(
    `select status, count(*)::int as count from deliveries where attempt_id = ? group by status`,
    [attemptId],
  );
  return countsFrom(rows);
}

async function lastResponse(tx: EntityManager, attemptId: string): Promise<string | null> {
  const rows = await tx.execute<Array<{ response: string }>>(
    `select response from deliveries where attempt_id = ? and response is not null order by updated_at desc limit 1`,
    [attemptId],
  );
  return rows[0]?.response ?? null;
}
