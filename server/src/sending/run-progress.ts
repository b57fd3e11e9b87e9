import type { EntityManager } from '@mikro-orm/postgresql';
import { AttemptStatus, type Attempt } from './attempt.entity';
import { countsFrom, type DeliveryCounts } from './delivery-store';
import type { DeliveryStatus } from './delivery.entity';
import type { RunProgress } from './run-progress.type';

/** Live delivery counts of many running attempts in one grouped query. */
export async function liveCounts(em: EntityManager, attemptIds: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  if (attemptIds.length === 0) return new Map();
  const rows = await em.execute<Array<{ attempt_id: string; status: DeliveryStatus; count: number }>>(
    'select attempt_id, status, count(*)::int as count from deliveries where attempt_id in (?) group by attempt_id, status',
    [[...attemptIds]],
    'all',
    em.getLoggerContext(),
  );
  return new Map(attemptIds.map((id) => [id, countsFrom(rows.filter((row) => row.attempt_id === id))]));
}

/** A closed run's counts are on the Attempt; a running one's come from `live` (see liveCounts). */
export function progressOf(attempt: Attempt, live: DeliveryCounts | undefined): RunProgress {
  const base = {
    attemptId: attempt.id,
    mailingId: attempt.mailing.id,
    status: attempt.status,
    attemptedAt: attempt.attemptedAt,
    finishedAt: attempt.finishedAt,
  };
  if (attempt.status === AttemptStatus.RUNNING && live) return { ...base, ...live };
  return {
    ...base,
    total: attempt.total,
    pending: 0,
    sending: 0,
    sent: attempt.sentCount,
    failed: attempt.failedCount,
    uncertain: attempt.uncertainCount,
  };
}

/** The progress of one attempt (one query more while it runs). */
export async function progressOfAttempt(em: EntityManager, attempt: Attempt): Promise<RunProgress> {
  const live = attempt.status === AttemptStatus.RUNNING ? (await liveCounts(em, [attempt.id])).get(attempt.id) : undefined;
  return progressOf(attempt, live);
}
