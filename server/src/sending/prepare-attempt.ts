import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { pgArray } from '../common/pg-array';
import { MailingStatus } from '../mailings/mailing.entity';
import { sendingHeld, type SendingHolds } from '../mailings/mailing.rules';
import type { AttemptStop } from './attempt-driver';
import { AttemptStatus } from './attempt.entity';
import { finishMailing } from './close-attempt';

/*
 * Preparing: an attempt's deliveries are inserted a chunk of recipients at a time, in
 * recipient id order, each chunk in a short transaction of its own that also moves the
 * attempt's cursor (`prepared_through`). A crash between chunks resumes after the last one
 * committed, and the attempt's row lock keeps two workers from preparing the same chunk.
 */

/** Whose recipients a mailing goes to: its own list, or all its owner had at `allRecipientsAt` (see Mailing.allRecipientsAt). */
export interface MailingAudience {
  mailingId: string;
  ownerId: string;
  allRecipientsAt: Date | null;
}

export interface ChunkPosition {
  attemptId: string;
  audience: MailingAudience;
  retryOf: string | null | undefined;
  /** The last recipient id already prepared; null: from the start. */
  after: string | null | undefined;
}

export interface PreparedChunk {
  inserted: number;
  /** The last recipient id this chunk looked at (null when it found none). */
  last: string | null;
  /** No recipient is left after this chunk. */
  done: boolean;
}

/**
 * The next `size` recipients (unset: all) of each position's source, after its cursor, in the
 * order of the index the source is read through: a LATERAL subquery over `req`, one branch per
 * kind of source (the others find nothing for that row): the mailing's own list, all its owner
 * had at `allRecipientsAt`, or those whose delivery failed in the attempt retried who are still
 * in the mailing. (Not through the view mailing_audience: each kind walks its own index.)
 */
const NEXT_RECIPIENTS = `
  (select r.id, r.email, r.full_name, r.unsubscribed_at
     from mailing_recipients mr join recipients r on r.id = mr.recipient_id
     where req.retry_of is null and req.all_at is null and mr.mailing_id = req.mailing_id and mr.recipient_id > req.after
     order by mr.recipient_id limit req.size)
  union all
  (select r.id, r.email, r.full_name, r.unsubscribed_at
     from recipients r
     where req.retry_of is null and req.all_at is not null and r.owner_id = req.owner_id and r.created_at <= req.all_at and r.id > req.after
     order by r.id limit req.size)
  union all
  (select r.id, r.email, r.full_name, r.unsubscribed_at
     from deliveries failed join recipients r on r.id = failed.recipient_id
     where req.retry_of is not null and failed.attempt_id = req.retry_of and failed.status = 'FAILED' and failed.recipient_id > req.after
       and (case when req.all_at is null
                 then exists (select 1 from mailing_recipients mr where mr.mailing_id = req.mailing_id and mr.recipient_id = r.id)
                 else r.owner_id = req.owner_id and r.created_at <= req.all_at end)
     order by failed.recipient_id limit req.size)`;

/** Before every uuid: the cursor of a position that has prepared nothing yet. */
const FIRST = '00000000-0000-0000-0000-000000000000';

/**
 * Inserts the PENDING deliveries of the next `size` recipients (unset: all) of each position's
 * source, in one statement for all of them: a recipient who got this mailing in an earlier
 * attempt (SENT, or UNCERTAIN: it may have arrived) is left out, so nobody gets it twice, and so
 * is one who unsubscribed. Results are in the order of the positions.
 */
export async function prepareChunks(tx: EntityManager, positions: readonly ChunkPosition[], domain: string, size?: number): Promise<PreparedChunk[]> {
  if (positions.length === 0) return [];
  const column = <T>(pick: (position: ChunkPosition) => T) => positions.map(pick);
  const rows = await tx.execute<Array<{ attemptId: string; picked: number; inserted: number; last: string | null }>>(
    `with req as (
       select x.*, ?::int as size
       from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::timestamptz[], ?::uuid[], ?::uuid[]) as x(attempt_id, mailing_id, owner_id, all_at, retry_of, after)
     ), batch as (
       select req.attempt_id, req.mailing_id, b.id, b.email, b.full_name, b.unsubscribed_at
       from req cross join lateral (${NEXT_RECIPIENTS}) b
     ), picked as (
       select gen_random_uuid() as id, b.attempt_id, b.id as recipient_id, b.email, b.full_name
       from batch b
       where b.unsubscribed_at is null
         and not exists (
           select 1 from deliveries earlier
           join attempts a on a.id = earlier.attempt_id
           where a.mailing_id = b.mailing_id and earlier.email = b.email and earlier.status in ('SENT', 'UNCERTAIN'))
     ), inserted as (
       insert into deliveries (id, created_at, updated_at, attempt_id, recipient_id, email, full_name, status, tries, next_try_at, message_id)
       select id, now(), now(), attempt_id, recipient_id, email, full_name, 'PENDING', 0, now(), '<' || id || '@' || ? || '>'
       from picked
       returning attempt_id
     )
     select req.attempt_id as "attemptId",
            (select count(*) from batch b where b.attempt_id = req.attempt_id)::int as picked,
            (select count(*) from inserted i where i.attempt_id = req.attempt_id)::int as inserted,
            (select b.id from batch b where b.attempt_id = req.attempt_id order by b.id desc limit 1) as last
     from req`,
    [
      size ?? null,
      pgArray(column((p) => p.attemptId)),
      pgArray(column((p) => p.audience.mailingId)),
      pgArray(column((p) => p.audience.ownerId)),
      pgArray(column((p) => p.audience.allRecipientsAt)),
      pgArray(column((p) => p.retryOf ?? null)),
      pgArray(column((p) => p.after ?? FIRST)),
      domain,
    ],
  );
  const byAttempt = new Map(rows.map((row) => [row.attemptId, row]));
  return positions.map(({ attemptId }) => {
    const row = byAttempt.get(attemptId)!;
    return { inserted: row.inserted, last: row.last, done: size === undefined || row.picked < size };
  });
}

/** One position's next chunk (see prepareChunks). */
export async function prepareChunk(tx: EntityManager, position: ChunkPosition, domain: string, size?: number): Promise<PreparedChunk> {
  const [chunk] = await prepareChunks(tx, [position], domain, size);
  return chunk;
}

type ChunkStep = 'more' | 'ready' | 'held' | { ended: string };

/**
 * Prepares the next chunk of a PREPARING attempt in its own transaction, unless its mailing
 * is held back (paused, disabled, owner blocked) or ended. 'ready': the attempt is no longer
 * PREPARING (all prepared, closed or gone).
 */
export async function prepareNextChunk(em: EntityManager, attemptId: string, domain: string, size: number): Promise<ChunkStep> {
  return em.fork().transactional(async (tx) => {
    // The mailing first, as finishMailing and a delete lock it: its end cannot pass by a chunk half-written.
    const [mailing] = await tx.execute<
      Array<SendingHolds & { id: string; status: MailingStatus; endAt: string; ownerId: string; allRecipientsAt: string | null }>
    >(
      `select m.id, m.status, m.paused, m.disabled, u.blocked as "ownerBlocked", m.end_at as "endAt",
              m.owner_id as "ownerId", m.all_recipients_at as "allRecipientsAt"
       from attempts a join mailings m on m.id = a.mailing_id join users u on u.id = m.owner_id
       where a.id = ? for key share of m`,
      [attemptId],
    );
    if (!mailing) return 'ready';
    const [attempt] = await tx.execute<Array<{ status: AttemptStatus; retryOf: string | null; preparedThrough: string | null }>>(
      `select status, retry_of as "retryOf", prepared_through as "preparedThrough" from attempts where id = ? for no key update`,
      [attemptId],
    );
    if (attempt?.status !== AttemptStatus.PREPARING) return 'ready';
    if (sendingHeld(mailing)) return 'held';
    if (mailing.status === MailingStatus.FINISHED || Date.now() >= new Date(mailing.endAt).getTime()) return { ended: mailing.id };
    const audience = { mailingId: mailing.id, ownerId: mailing.ownerId, allRecipientsAt: mailing.allRecipientsAt ? new Date(mailing.allRecipientsAt) : null };
    const position = { attemptId, audience, retryOf: attempt.retryOf, after: attempt.preparedThrough };
    const chunk = await prepareChunk(tx, position, domain, size);
    await tx.execute(
      `update attempts set total = total + ?, prepared_through = coalesce(?, prepared_through), status = ?, updated_at = now() where id = ?`,
      [chunk.inserted, chunk.last, chunk.done ? AttemptStatus.RUNNING : AttemptStatus.PREPARING, attemptId],
    );
    return chunk.done ? 'ready' : 'more';
  });
}

export interface PrepareDeps {
  config: Pick<Config, 'PREPARE_CHUNK_SIZE' | 'JOB_LOCK_LIFETIME_MS'>;
  em: EntityManager;
  /** Message-IDs' domain. */
  domain: string;
}

export interface PrepareOptions {
  signal: AbortSignal;
  /** Called every third of the job lock's lifetime (Agenda's job.touch()); throwing means the lock was lost. */
  keepAlive?: () => Promise<void>;
}

/**
 * Prepares what is left of a PREPARING attempt, chunk after chunk, until it is RUNNING.
 * Returns null when it is ready to send (or no longer open: the driver sees that), else why it stopped.
 */
export async function prepareAttempt({ config, em, domain }: PrepareDeps, attemptId: string, { signal, keepAlive }: PrepareOptions): Promise<AttemptStop | null> {
  // Most drives find their attempt prepared already: one plain read, no lock.
  const [row] = await em.execute<Array<{ status: AttemptStatus }>>(`select status from attempts where id = ?`, [attemptId]);
  if (row?.status !== AttemptStatus.PREPARING) return null;
  let keptAliveAt = Date.now();
  for (;;) {
    if (signal.aborted) return { kind: 'interrupted' };
    const step = await prepareNextChunk(em, attemptId, domain, config.PREPARE_CHUNK_SIZE);
    if (step === 'ready') return null;
    if (step === 'held') return { kind: 'held' };
    if (step !== 'more') {
      await finishMailing(em, step.ended);
      return { kind: 'closed', finished: true };
    }
    if (keepAlive && Date.now() - keptAliveAt >= config.JOB_LOCK_LIFETIME_MS / 3) {
      try {
        await keepAlive();
      } catch {
        return { kind: 'lockLost' };
      }
      keptAliveAt = Date.now();
    }
  }
}
