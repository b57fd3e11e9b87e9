import type { EntityManager } from '@mikro-orm/postgresql';
import { sendingHeld, type SendingHolds } from '../mailings/mailing.rules';
import { OPEN_ATTEMPT_STATUSES, type AttemptStatus } from './attempt.entity';
import { pgArray } from '../common/pg-array';

/** Where an attempt stands for its drivers, read from its row, its mailing's holds and end, and its owner. */
export type AttemptState =
  | { kind: 'sendable'; endAt: number }
  | { kind: 'closed' }
  | { kind: 'held' }
  | { kind: 'ended'; mailingId: string };

type StateRow = SendingHolds & { id: string; status: AttemptStatus; mailingId: string; endAt: string };

/** The state of each of these attempts, in one statement; an attempt that is gone reads as closed. */
export async function readAttemptStates(em: EntityManager, attemptIds: readonly string[]): Promise<Map<string, AttemptState>> {
  const rows = await em.execute<StateRow[]>(
    `select a.id, a.status, a.mailing_id as "mailingId", m.paused, m.disabled, u.blocked as "ownerBlocked", m.end_at as "endAt"
     from attempts a join mailings m on m.id = a.mailing_id join users u on u.id = m.owner_id where a.id = any(?::uuid[])`,
    [pgArray(attemptIds)],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const now = Date.now();
  return new Map(attemptIds.map((id) => [id, stateOf(byId.get(id), now)]));
}

function stateOf(row: StateRow | undefined, now: number): AttemptState {
  // PREPARING sends what it has prepared so far (attempt-driver.ts).
  if (!row || !OPEN_ATTEMPT_STATUSES.includes(row.status)) return { kind: 'closed' };
  if (sendingHeld(row)) return { kind: 'held' };
  const endAt = new Date(row.endAt).getTime();
  if (now >= endAt) return { kind: 'ended', mailingId: row.mailingId };
  return { kind: 'sendable', endAt };
}
