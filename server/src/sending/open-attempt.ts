import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { isUuid } from '../common/find';
import { Mailing } from '../mailings/mailing.entity';
import { attemptRefusal, nextStatus, nothingToSendRefusal } from '../mailings/mailing.rules';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';
import { Attempt, AttemptStatus } from './attempt.entity';

const constraintMessages = {
  attempts_one_running_per_mailing: { message: 'This mailing is already being sent.' },
};

/** The domain of Message-IDs: the sender's, so they look like the sender's own mail. */
export function messageIdDomain(mailFrom: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'localhost';
}

export interface OpenAttemptOptions {
  /** Only to the recipients whose delivery failed in this earlier attempt. */
  retryFailedOf?: string;
  now?: Date;
}

/**
 * Opens an attempt: one Attempt and one PENDING Delivery per recipient who has not
 * received this mailing yet and has not unsubscribed, in one transaction, and the mailing becomes RUNNING.
 * Refused with CONFLICT when the mailing may not send now (see attemptRefusal).
 */
export async function openAttempt(
  em: EntityManager,
  mailingId: string,
  domain: string,
  { retryFailedOf, now = new Date() }: OpenAttemptOptions = {},
): Promise<Attempt> {
  if (!isUuid(mailingId)) throw notFound('Mailing', mailingId);
  return withConstraintErrors(
    () =>
      em.fork().transactional(async (tx) => {
        const mailing = await tx.findOne(Mailing, mailingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!mailing) throw notFound('Mailing', mailingId);
        // Shared lock: blocking the owner waits for this attempt to open (and then stops it), or refuses it here.
        const owner = await tx.findOneOrFail(User, mailing.owner.id, { lockMode: LockMode.PESSIMISTIC_READ });
        const openAttempts = await tx.count(Attempt, { mailing, status: AttemptStatus.RUNNING });
        const refusal = attemptRefusal({ ...mailing, ownerBlocked: owner.blocked }, openAttempts > 0, now);
        if (refusal) throw conflict(refusal);
        const message = await tx.findOneOrFail(Message, mailing.message.id);
        const attempt = tx.create(Attempt, {
          mailing,
          attemptedAt: now,
          subject: message.subject,
          body: message.body,
          format: message.format,
          fromName: message.fromName ?? owner.fullName,
          fromAddress: message.fromAddress ?? null,
          replyTo: message.replyTo ?? owner.email,
        });
        await tx.flush();
        const source = retryFailedOf ? failedIn(mailing.id, retryFailedOf) : everyRecipientOf(mailing.id);
        attempt.total = await insertDeliveries(tx, attempt.id, mailing.id, domain, source);
        if (retryFailedOf && attempt.total === 0) throw conflict('This attempt has no failed deliveries left to retry.');
        if (attempt.total === 0) throw conflict(nothingToSendRefusal(mailing.status, await countUnsubscribed(tx, source)));
        mailing.status = nextStatus(mailing.status, 'attemptOpened');
        await tx.flush();
        return attempt;
      }),
    constraintMessages,
  );
}

/** Which recipients an attempt is for: a FROM clause yielding `r` (recipients), with its parameters. */
interface RecipientSource {
  from: string;
  params: unknown[];
}

const everyRecipientOf = (mailingId: string): RecipientSource => ({
  from: `from mailing_recipients mr join recipients r on r.id = mr.recipient_id where mr.mailing_id = ?`,
  params: [mailingId],
});

/** The recipients whose delivery failed in an earlier attempt and who are still in the mailing. */
const failedIn = (mailingId: string, attemptId: string): RecipientSource => ({
  from: `from deliveries failed
         join mailing_recipients mr on mr.recipient_id = failed.recipient_id and mr.mailing_id = ?
         join recipients r on r.id = failed.recipient_id
         where failed.attempt_id = ? and failed.status = 'FAILED'`,
  params: [mailingId, attemptId],
});

/**
 * One statement however many recipients: a recipient who got this mailing in an earlier
 * attempt (SENT, or UNCERTAIN: it may have arrived) is left out, so nobody gets it twice,
 * and so is one who unsubscribed from the owner's mailings.
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
         and r.unsubscribed_at is null
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

/** How many of the source's recipients are left out because they unsubscribed (only asked when nobody is left). */
async function countUnsubscribed(tx: EntityManager, source: RecipientSource): Promise<number> {
  const [row] = await tx.execute<Array<{ count: number }>>(
    `select count(*)::int as count ${source.from} and r.unsubscribed_at is not null`,
    source.params,
  );
  return row.count;
}
