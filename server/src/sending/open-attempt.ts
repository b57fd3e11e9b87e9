import type { EntityManager } from '@mikro-orm/postgresql';
import { invalidateOwner } from '../cache/cache-invalidator';
import { conflict, notFound } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { pgArray } from '../common/pg-array';
import { isUuid } from '../common/find';
import { MailingStatus } from '../mailings/mailing.entity';
import { attemptRefusal, nothingToSendRefusal, sendingHeld } from '../mailings/mailing.rules';
import { Attempt, AttemptStatus, OPEN_ATTEMPT_SQL } from './attempt.entity';
import type { AttemptContent } from './personalize';
import { prepareChunks, type MailingAudience, type PreparedChunk } from './prepare-attempt';

const constraintMessages = {
  attempts_one_running_per_mailing: { message: 'This mailing is already being sent.' },
};

/** The domain of Message-IDs: the sender's, so they look like the sender's own mail. */
export function messageIdDomain(mailFrom: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'localhost';
}

/** One mailing to open an attempt of. */
export interface OpenRequest {
  mailingId: string;
  /** Only to the recipients whose delivery failed in this earlier attempt. */
  retryFailedOf?: string;
  /** Its scheduled start: only a CREATED mailing whose start has come, and nothing said when it is held back. */
  scheduled?: boolean;
}

/** An attempt as it opened: what its driver needs before its first message. */
export interface OpenedAttempt {
  id: string;
  mailingId: string;
  status: AttemptStatus;
  endAt: Date;
  content: AttemptContent;
}

export type OpenResult =
  | { kind: 'opened'; attempt: OpenedAttempt }
  /** It may not send now; `reason` says why, for its owner. */
  | { kind: 'refused'; reason: string }
  | { kind: 'gone' }
  /** A scheduled start: the mailing is held back (paused, disabled, owner blocked) or no longer CREATED; nothing to say. */
  | { kind: 'skipped' }
  /** A scheduled start: the mailing's open attempt, which needs a worker rather than a new attempt. */
  | { kind: 'alreadyOpen'; attemptId: string }
  /** A scheduled start moved later. */
  | { kind: 'notDue'; startAt: Date };

export interface OpenAttemptOptions {
  /** How many recipients each opening prepares; a run to more opens PREPARING (prepare-attempt.ts). Unset: all of them. */
  chunkSize?: number;
  now?: Date;
}

interface LockedMailing {
  id: string;
  status: MailingStatus;
  paused: boolean;
  disabled: boolean;
  ownerBlocked: boolean;
  ownerId: string;
  startAt: Date;
  endAt: Date;
  allRecipientsAt: Date | null;
  openAttemptId: string | null;
}

/**
 * Opens an attempt of each requested mailing that may send now, in one transaction whose
 * statements serve all of them at once (many mailings due at the same second open together):
 * the Attempt and the deliveries of its first chunk of recipients, and the mailing becomes
 * RUNNING. When a mailing's recipients all fit in that chunk its attempt is RUNNING at once;
 * else it is PREPARING and a worker prepares the rest before sending (prepareAttempt).
 * A mailing that may not send now (see attemptRefusal), or that has nobody left to send to,
 * is refused and changes nothing. Results are in the order of the requests.
 */
export async function openAttempts(
  em: EntityManager,
  requests: readonly OpenRequest[],
  domain: string,
  { chunkSize, now = new Date() }: OpenAttemptOptions = {},
): Promise<OpenResult[]> {
  const valid = requests.filter((request) => isUuid(request.mailingId));
  if (valid.length === 0) return requests.map(() => ({ kind: 'gone' }));
  return withConstraintErrors(
    () =>
      em.fork().transactional(async (tx) => {
        const locked = await lockMailings(tx, [...new Set(valid.map((request) => request.mailingId))]);
        const results = new Map<OpenRequest, OpenResult>();
        const toOpen: ToOpen[] = [];
        for (const request of valid) {
          const mailing = locked.get(request.mailingId);
          const decided = mailing ? decide(request, mailing, now) : { kind: 'gone' as const };
          // One attempt per mailing, whatever was asked twice.
          if (decided === 'open' && toOpen.some((other) => other.mailing.id === mailing!.id)) results.set(request, { kind: 'refused', reason: 'This mailing is already being sent.' });
          else if (decided === 'open') toOpen.push({ request, mailing: mailing! });
          else results.set(request, decided);
        }
        if (toOpen.length > 0) for (const [request, result] of await openLocked(tx, toOpen, domain, chunkSize, now)) results.set(request, result);
        return requests.map((request) => results.get(request) ?? { kind: 'gone' });
      }),
    constraintMessages,
  );
}

type ToOpen = { request: OpenRequest; mailing: LockedMailing };

/** Opens the attempts of these locked mailings, refusing those that would have nobody to send to. */
async function openLocked(tx: EntityManager, toOpen: ToOpen[], domain: string, chunkSize: number | undefined, now: Date): Promise<Map<OpenRequest, OpenResult>> {
  const results = new Map<OpenRequest, OpenResult>();
  const attempts = await insertAttempts(tx, toOpen, now);
  const positions = toOpen.map(({ request, mailing }, i) => ({ attemptId: attempts[i].id, audience: audienceOf(mailing), retryOf: request.retryFailedOf ?? null, after: null }));
  const chunks = await prepareChunks(tx, positions, domain, chunkSize);
  const opened = toOpen.map((item, i) => ({ ...item, attempt: attempts[i], chunk: chunks[i] }));
  const empty = opened.filter(({ chunk }) => chunk.done && chunk.inserted === 0);
  for (const { request, mailing } of empty) {
    const reason = request.retryFailedOf
      ? 'This attempt has no failed deliveries left to retry.'
      : nothingToSendRefusal(mailing.status, await countUnsubscribed(tx, mailing.id));
    results.set(request, { kind: 'refused', reason });
  }
  if (empty.length > 0) await tx.execute(`delete from attempts where id = any(?::uuid[])`, [pgArray(empty.map(({ attempt }) => attempt.id))], 'run');
  const kept = opened.filter((item) => !empty.includes(item));
  if (kept.length === 0) return results;
  const statusOf = (chunk: PreparedChunk) => (chunk.done ? AttemptStatus.RUNNING : AttemptStatus.PREPARING);
  await tx.execute(
    `update attempts a set total = x.total, prepared_through = x.last, status = x.status::attempt_status, updated_at = now()
     from unnest(?::uuid[], ?::int[], ?::uuid[], ?::text[]) as x(id, total, last, status) where a.id = x.id`,
    [
      pgArray(kept.map(({ attempt }) => attempt.id)),
      pgArray(kept.map(({ chunk }) => chunk.inserted)),
      pgArray(kept.map(({ chunk }) => chunk.last)),
      pgArray(kept.map(({ chunk }) => statusOf(chunk))),
    ],
    'run',
  );
  // attemptOpened (mailing.rules' nextStatus): a CREATED mailing, or a RUNNING one after a failed attempt, is RUNNING.
  await tx.execute(`update mailings set status = 'RUNNING', updated_at = now() where id = any(?::uuid[])`, [pgArray(kept.map(({ mailing }) => mailing.id))], 'run');
  await invalidateOwner(tx, ...new Set(kept.map(({ mailing }) => mailing.ownerId)));
  for (const { request, mailing, attempt, chunk } of kept) results.set(request, { kind: 'opened', attempt: { ...attempt, status: statusOf(chunk), endAt: mailing.endAt } });
  return results;
}

/**
 * Opens an attempt of one mailing (see openAttempts). Refused with CONFLICT when the mailing
 * may not send now, or when nobody is left to send to.
 */
export async function openAttempt(
  em: EntityManager,
  mailingId: string,
  domain: string,
  { retryFailedOf, ...options }: OpenAttemptOptions & { retryFailedOf?: string } = {},
): Promise<Attempt> {
  const [result] = await openAttempts(em, [{ mailingId, retryFailedOf }], domain, options);
  if (result.kind === 'gone') throw notFound('Mailing', mailingId);
  if (result.kind !== 'opened') throw conflict(result.kind === 'refused' ? result.reason : 'This mailing cannot be sent now.');
  return em.fork().findOneOrFail(Attempt, result.attempt.id);
}

const audienceOf = (mailing: LockedMailing): MailingAudience => ({ mailingId: mailing.id, ownerId: mailing.ownerId, allRecipientsAt: mailing.allRecipientsAt });

/** What becomes of one request, given its mailing locked. */
function decide(request: OpenRequest, mailing: LockedMailing, now: Date): OpenResult | 'open' {
  if (request.scheduled) {
    if (sendingHeld(mailing)) return { kind: 'skipped' };
    if (mailing.openAttemptId) return { kind: 'alreadyOpen', attemptId: mailing.openAttemptId };
    if (mailing.status !== MailingStatus.CREATED) return { kind: 'skipped' };
    if (now.getTime() < mailing.startAt.getTime()) return { kind: 'notDue', startAt: mailing.startAt };
  }
  const refusal = attemptRefusal(mailing, mailing.openAttemptId !== null, now);
  return refusal ? { kind: 'refused', reason: refusal } : 'open';
}

/**
 * Locks the mailings for the opening, in id order (two openings never wait on each other in a
 * circle), and share-locks their owners: blocking an owner waits for these attempts to open
 * (and then stops them), or they see the block here. Their open attempts are read once the
 * locks are held, so an attempt another opening just committed is seen.
 */
async function lockMailings(tx: EntityManager, mailingIds: string[]): Promise<Map<string, LockedMailing>> {
  const rows = await tx.execute<Array<Omit<LockedMailing, 'startAt' | 'endAt' | 'allRecipientsAt' | 'openAttemptId'> & { startAt: string; endAt: string; allRecipientsAt: string | null }>>(
    `select m.id, m.status, m.paused, m.disabled, u.blocked as "ownerBlocked", m.owner_id as "ownerId",
            m.start_at as "startAt", m.end_at as "endAt", m.all_recipients_at as "allRecipientsAt"
     from mailings m join users u on u.id = m.owner_id
     where m.id = any(?::uuid[])
     order by m.id
     for update of m for share of u`,
    [pgArray(mailingIds)],
  );
  const open = await tx.execute<Array<{ id: string; mailingId: string }>>(
    `select a.id, a.mailing_id as "mailingId" from attempts a where a.mailing_id = any(?::uuid[]) and a.status ${OPEN_ATTEMPT_SQL}`,
    [pgArray(rows.map((row) => row.id))],
  );
  const openAttemptOf = new Map(open.map((attempt) => [attempt.mailingId, attempt.id]));
  return new Map(
    rows.map((row) => [
      row.id,
      {
        ...row,
        startAt: new Date(row.startAt),
        endAt: new Date(row.endAt),
        allRecipientsAt: row.allRecipientsAt ? new Date(row.allRecipientsAt) : null,
        openAttemptId: openAttemptOf.get(row.id) ?? null,
      },
    ]),
  );
}

/** One PREPARING attempt per mailing (each given once), with its message and sender as they are now; in the order given. */
async function insertAttempts(tx: EntityManager, toOpen: ToOpen[], now: Date): Promise<Array<Omit<OpenedAttempt, 'status' | 'endAt'>>> {
  const rows = await tx.execute<Array<Omit<OpenedAttempt, 'status' | 'endAt' | 'content'> & AttemptContent>>(
    `insert into attempts (id, created_at, updated_at, mailing_id, attempted_at, status, retry_of, subject, body, format, from_name, from_address, reply_to)
     select gen_random_uuid(), now(), now(), m.id, ?, 'PREPARING', x.retry_of, msg.subject, msg.body, msg.format,
            coalesce(msg.from_name, u.full_name), msg.from_address, coalesce(msg.reply_to, u.email)
     from unnest(?::uuid[], ?::uuid[]) as x(mailing_id, retry_of)
     join mailings m on m.id = x.mailing_id join messages msg on msg.id = m.message_id join users u on u.id = m.owner_id
     returning id, mailing_id as "mailingId", subject, body, format, from_name as "fromName", from_address as "fromAddress", reply_to as "replyTo"`,
    [now, pgArray(toOpen.map((o) => o.mailing.id)), pgArray(toOpen.map((o) => o.request.retryFailedOf ?? null))],
  );
  const byMailing = new Map(rows.map((row) => [row.mailingId, row]));
  return toOpen.map(({ mailing }) => {
    const { id, mailingId, subject, body, format, fromName, fromAddress, replyTo } = byMailing.get(mailing.id)!;
    return { id, mailingId, content: { subject, body, format, fromName, fromAddress: fromAddress ?? null, replyTo } };
  });
}

/** How many of the mailing's recipients are left out because they unsubscribed (only asked when nobody is left). */
async function countUnsubscribed(tx: EntityManager, mailingId: string): Promise<number> {
  const [row] = await tx.execute<Array<{ count: number }>>(
    `select count(*)::int as count from mailing_audience ma join recipients r on r.id = ma.recipient_id
     where ma.mailing_id = ? and r.unsubscribed_at is not null`,
    [mailingId],
  );
  return row.count;
}
