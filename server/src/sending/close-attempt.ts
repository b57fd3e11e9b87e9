import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalidateOwner } from '../cache/cache-invalidator';
import { Mailing, MailingStatus } from '../mailings/mailing.entity';
import { attemptEnd, nextStatus } from '../mailings/mailing.rules';
import { Attempt, AttemptStatus, OPEN_ATTEMPT_STATUSES } from './attempt.entity';
import { DELIVERY_COUNT_COLUMNS, type DeliveryCounts } from './attempt-progress';
import { skipGoneRecipients } from './claim';

/**
 * Closes an attempt once no delivery is open: its counts, SUCCESS or FAILURE, the server's
 * last answer; the mailing's status follows, and is returned. Null when the attempt is
 * already closed or still has open deliveries.
 */
export async function closeAttempt(em: EntityManager, attemptId: string, now = new Date()): Promise<MailingStatus | null> {
  return em.fork().transactional(async (tx) => {
    // The attempt, then its mailing, locked as before any other change to them; its counts and last answer read with them.
    const [row] = await tx.execute<
      Array<Pick<DeliveryCounts, 'total' | 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain' | 'skipped'> & {
        status: AttemptStatus;
        mailingId: string;
        mailingStatus: MailingStatus;
        ownerId: string;
        lastResponse: string | null;
      }>
    >(
      `select a.status, a.mailing_id as "mailingId", m.status as "mailingStatus", m.owner_id as "ownerId", counts.*,
              (select d.response from deliveries d where d.attempt_id = a.id and d.response is not null order by d.updated_at desc limit 1) as "lastResponse"
       from attempts a join mailings m on m.id = a.mailing_id
       cross join lateral (select ${DELIVERY_COUNT_COLUMNS} from deliveries where attempt_id = a.id) counts
       where a.id = ? for update of a, m`,
      [attemptId],
    );
    if (row?.status !== AttemptStatus.RUNNING) return null;
    const end = attemptEnd(row);
    if (!end) return null;
    const mailingStatus = nextStatus(row.mailingStatus, end);
    await tx.execute(
      `with closed as (
         update attempts set status = ?, total = ?, sent_count = ?, failed_count = ?, uncertain_count = ?, skipped_count = ?,
                finished_at = ?, server_response = ?, updated_at = now()
         where id = ?)
       update mailings set status = ?, updated_at = now() where id = ?`,
      [
        end === 'attemptSucceeded' ? AttemptStatus.SUCCESS : AttemptStatus.FAILURE,
        row.total,
        row.sent,
        row.failed,
        row.uncertain,
        row.skipped,
        now,
        row.lastResponse,
        attemptId,
        mailingStatus,
        row.mailingId,
      ],
      'run',
    );
    await invalidateOwner(tx, row.ownerId);
    return mailingStatus;
  });
}

export type FinishResult =
  | { kind: 'finished' }
  | { kind: 'gone' }
  | { kind: 'notYet'; endAt: Date }
  /** Deliveries are still in a live worker's hands: their results are on the way. */
  | { kind: 'inFlight' };

const NOT_SENT_BEFORE_END = 'Not sent: the mailing ended before it went out.';
const LOST_IN_FLIGHT = 'Handed to the mail server when its worker stopped; the mailing ended before it could be retried. It may have arrived.';

/**
 * At its end a mailing becomes FINISHED and nothing more is sent for it: the open
 * attempt's waiting deliveries fail (or are skipped: their recipient unsubscribed or was deleted), ones a dead worker had handed to the mail server become UNCERTAIN,
 * and the attempt closes.
 */
export async function finishMailing(em: EntityManager, mailingId: string, now = new Date()): Promise<FinishResult> {
  const step = await em.fork().transactional(async (tx): Promise<FinishResult | { kind: 'close'; attemptId: string }> => {
    const mailing = await tx.findOne(Mailing, mailingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!mailing) return { kind: 'gone' };
    if (now.getTime() < mailing.endAt.getTime()) return { kind: 'notYet', endAt: mailing.endAt };
    mailing.status = nextStatus(mailing.status, 'endReached');
    await tx.flush();
    const open = await tx.findOne(Attempt, { mailing, status: { $in: [...OPEN_ATTEMPT_STATUSES] } });
    if (!open) return { kind: 'finished' };
    // One still preparing prepares no more: recipients it had not reached get no delivery.
    if (open.status === AttemptStatus.PREPARING) {
      open.status = AttemptStatus.RUNNING;
      await tx.flush();
    }
    // A dead worker's deliveries that it had marked handed over may have gone out (that try counts).
    await tx.execute(
      `update deliveries set status = 'UNCERTAIN', response = ?, tries = tries + 1, updated_at = now()
       where attempt_id = ? and status = 'SENDING' and next_try_at <= now() and handed_over_at is not null`,
      [LOST_IN_FLIGHT, open.id],
      'run',
    );
    // The others it had only claimed are waiting ones. Those nobody should get any more are
    // skipped as a claim would, not failed.
    const waiting = `d.attempt_id = ? and (d.status = 'PENDING' or (d.status = 'SENDING' and d.next_try_at <= now()))`;
    await skipGoneRecipients(tx, waiting, [open.id]);
    await tx.execute(`update deliveries d set status = 'FAILED', response = ?, updated_at = now() where ${waiting}`, [NOT_SENT_BEFORE_END, open.id], 'run');
    return { kind: 'close', attemptId: open.id };
  });
  if (step.kind !== 'close') return step;
  return (await closeAttempt(em, step.attemptId, now)) !== null ? { kind: 'finished' } : { kind: 'inFlight' };
}
