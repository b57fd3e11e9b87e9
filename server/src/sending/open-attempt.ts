import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { isUuid } from '../common/find';
import { Mailing } from '../mailings/mailing.entity';
import { attemptRefusal, nextStatus, nothingToSendRefusal } from '../mailings/mailing.rules';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';
import { Attempt, AttemptStatus, OPEN_ATTEMPT_STATUSES } from './attempt.entity';
import { prepareChunk, recipientSource, type RecipientSource } from './prepare-attempt';

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
  /** How many recipients the request itself prepares; a run to more opens PREPARING (prepare-attempt.ts). Unset: all of them. */
  chunkSize?: number;
  now?: Date;
}

/**
 * Opens an attempt, answering fast whatever the recipient count: the Attempt and the
 * deliveries of its first chunk of recipients, in one transaction, and the mailing becomes
 * RUNNING. When the recipients are all in that chunk the attempt is RUNNING at once; else it
 * is PREPARING and a worker prepares the rest before sending (prepareAttempt).
 * Refused with CONFLICT when the mailing may not send now (see attemptRefusal), or when
 * nobody is left to send to.
 */
export async function openAttempt(
  em: EntityManager,
  mailingId: string,
  domain: string,
  { retryFailedOf, chunkSize, now = new Date() }: OpenAttemptOptions = {},
): Promise<Attempt> {
  if (!isUuid(mailingId)) throw notFound('Mailing', mailingId);
  return withConstraintErrors(
    () =>
      em.fork().transactional(async (tx) => {
        const mailing = await tx.findOne(Mailing, mailingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!mailing) throw notFound('Mailing', mailingId);
        // Shared lock: blocking the owner waits for this attempt to open (and then stops it), or refuses it here.
        const owner = await tx.findOneOrFail(User, mailing.owner.id, { lockMode: LockMode.PESSIMISTIC_READ });
        const openAttempts = await tx.count(Attempt, { mailing, status: { $in: [...OPEN_ATTEMPT_STATUSES] } });
        const refusal = attemptRefusal({ ...mailing, ownerBlocked: owner.blocked }, openAttempts > 0, now);
        if (refusal) throw conflict(refusal);
        const message = await tx.findOneOrFail(Message, mailing.message.id);
        const attempt = tx.create(Attempt, {
          mailing,
          attemptedAt: now,
          status: AttemptStatus.PREPARING,
          retryOf: retryFailedOf ?? null,
          subject: message.subject,
          body: message.body,
          format: message.format,
          fromName: message.fromName ?? owner.fullName,
          fromAddress: message.fromAddress ?? null,
          replyTo: message.replyTo ?? owner.email,
        });
        await tx.flush();
        const audience = { mailingId: mailing.id, ownerId: owner.id, allRecipientsAt: mailing.allRecipientsAt ?? null };
        const chunk = await prepareChunk(tx, { attemptId: attempt.id, audience, retryOf: attempt.retryOf, after: null }, domain, chunkSize);
        if (chunk.done && chunk.inserted === 0) {
          if (retryFailedOf) throw conflict('This attempt has no failed deliveries left to retry.');
          throw conflict(nothingToSendRefusal(mailing.status, await countUnsubscribed(tx, recipientSource(audience, null))));
        }
        attempt.total = chunk.inserted;
        attempt.preparedThrough = chunk.last;
        if (chunk.done) attempt.status = AttemptStatus.RUNNING;
        mailing.status = nextStatus(mailing.status, 'attemptOpened');
        await tx.flush();
        return attempt;
      }),
    constraintMessages,
  );
}

/** How many of the source's recipients are left out because they unsubscribed (only asked when nobody is left). */
async function countUnsubscribed(tx: EntityManager, source: RecipientSource): Promise<number> {
  const [row] = await tx.execute<Array<{ count: number }>>(
    `select count(*)::int as count ${source.from} and r.unsubscribed_at is not null`,
    source.params,
  );
  return row.count;
}
