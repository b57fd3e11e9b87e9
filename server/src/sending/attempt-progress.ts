import type { EntityManager } from '@mikro-orm/postgresql';
import { isOpenAttempt, type Attempt } from './attempt.entity';
import type { AttemptProgress } from './attempt-progress.type';

/** An attempt's deliveries by status; SENDING ones split into in flight and only claimed. */
export interface DeliveryCounts {
  total: number;
  pending: number;
  /** SENDING: inFlight + claimed. */
  sending: number;
  /** SENDING and marked handed to the mail server. */
  inFlight: number;
  /** SENDING, not yet handed over. */
  claimed: number;
  sent: number;
  failed: number;
  uncertain: number;
  skipped: number;
}

/**
 * The one count-by-status select list: the DeliveryCounts columns over the deliveries a
 * query picks (e.g. `where attempt_id in (?) group by attempt_id`, or a lateral join's
 * `where attempt_id = a.id`).
 */
export const DELIVERY_COUNT_COLUMNS = `count(*)::int as total,
  (count(*) filter (where status = 'PENDING'))::int as pending,
  (count(*) filter (where status = 'SENDING'))::int as sending,
  (count(*) filter (where status = 'SENT'))::int as sent,
  (count(*) filter (where status = 'FAILED'))::int as failed,
  (count(*) filter (where status = 'UNCERTAIN'))::int as uncertain,
  (count(*) filter (where status = 'SKIPPED'))::int as skipped`;

const NONE: DeliveryCounts = { total: 0, pending: 0, sending: 0, inFlight: 0, claimed: 0, sent: 0, failed: 0, uncertain: 0, skipped: 0 };

/** Live delivery counts of many attempts in one grouped query. */
export async function liveCounts(em: EntityManager, attemptIds: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  if (attemptIds.length === 0) return new Map();
  // In flight is counted apart, over the SENDING rows only (a range of the claim index).
  const rows = await em.execute<Array<Omit<DeliveryCounts, 'claimed'> & { attempt_id: string }>>(
    `select counts.*, coalesce(flight."inFlight", 0) as "inFlight"
       from (select attempt_id, ${DELIVERY_COUNT_COLUMNS} from deliveries where attempt_id in (?) group by attempt_id) counts
       left join (select attempt_id, count(*)::int as "inFlight" from deliveries
                   where attempt_id in (?) and status = 'SENDING' and handed_over_at is not null group by attempt_id) flight using (attempt_id)`,
    [[...attemptIds], [...attemptIds]],
    'all',
    em.getLoggerContext(),
  );
  const byAttempt = new Map(rows.map(({ attempt_id, ...counts }) => [attempt_id, { ...counts, claimed: counts.sending - counts.inFlight }]));
  return new Map(attemptIds.map((id) => [id, byAttempt.get(id) ?? NONE]));
}

/** Live delivery counts of one attempt. */
export async function liveCountsOf(em: EntityManager, attemptId: string): Promise<DeliveryCounts> {
  return (await liveCounts(em, [attemptId])).get(attemptId) ?? NONE;
}

/** A closed attempt's counts are on the Attempt; a running one's come from `live` (see liveCounts). */
export function progressOf(attempt: Attempt, live: DeliveryCounts | undefined): AttemptProgress {
  const base = {
    attemptId: attempt.id,
    mailingId: attempt.mailing.id,
    status: attempt.status,
    attemptedAt: attempt.attemptedAt,
    finishedAt: attempt.finishedAt,
  };
  if (isOpenAttempt(attempt.status) && live) return { ...base, ...live };
  return {
    ...base,
    total: attempt.total,
    pending: 0,
    sending: 0,
    inFlight: 0,
    claimed: 0,
    sent: attempt.sentCount,
    failed: attempt.failedCount,
    uncertain: attempt.uncertainCount,
    skipped: attempt.skippedCount,
  };
}

/** The progress of one attempt (one query more while it runs). */
export async function progressOfAttempt(em: EntityManager, attempt: Attempt): Promise<AttemptProgress> {
  return progressOf(attempt, isOpenAttempt(attempt.status) ? await liveCountsOf(em, attempt.id) : undefined);
}
