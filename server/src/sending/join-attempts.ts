import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { AttemptStop } from './attempt-driver';
import type { Sender } from './send';
import type { LocalDrives } from './stop-sending';
import { pgArray } from '../common/pg-array';

/*
 * More workers, more mail: an attempt is one job, locked to one worker, but its deliveries are
 * claimed one batch at a time under leases, so any number of drivers may send it together. A
 * worker whose sends have room looks for open attempts other workers drive and drives them too,
 * until nothing of them is due; then it lets go (the attempt's job waits for retries). Whichever
 * driver finds nothing open closes the attempt (closeAttempt closes it once) and re-plans it.
 */

export interface JoinDeps {
  config: Pick<Config, 'JOB_CONCURRENCY' | 'JOB_PROCESS_EVERY_MS'>;
  logger: Logger;
  em: EntityManager;
  sender: Pick<Sender, 'hasRoom'>;
  /** The attempts this process drives already. */
  drives: Pick<LocalDrives, 'attemptIds'>;
  /** Drives an attempt until nothing of it is due now (no waiting in place). */
  drive(attemptId: string, signal: AbortSignal): Promise<AttemptStop>;
  attemptClosed(mailingId: string, mailingFinished: boolean | undefined): Promise<unknown>;
}

/**
 * Open attempts, sendable now, with a delivery due (or a lapsed claim), that another worker drives (it holds a
 * live claim) and this process does not: an attempt nobody has taken up yet is its job's to start.
 */
async function joinableAttempts(em: EntityManager, drivenHere: string[], limit: number): Promise<Array<{ id: string; mailingId: string }>> {
  return em.execute(
    `select a.id, a.mailing_id as "mailingId" from attempts a
     join mailings m on m.id = a.mailing_id join users u on u.id = m.owner_id
     where a.status = 'RUNNING' and not m.paused and not m.disabled and not u.blocked and m.end_at > now()
       and not (a.id = any(?::uuid[]))
       and exists (select 1 from deliveries d where d.attempt_id = a.id and d.status in ('PENDING', 'SENDING') and d.next_try_at <= now())
       and exists (select 1 from deliveries live where live.attempt_id = a.id and live.status = 'SENDING' and live.next_try_at > now())
     order by a.attempted_at limit ?`,
    [pgArray(drivenHere), limit],
  );
}

/** Looks every JOB_PROCESS_EVERY_MS for attempts to join while this process has room to send; `close()` waits for its drives. */
export function joinOpenAttempts(deps: JoinDeps, signal: AbortSignal): { close(): Promise<void> } {
  const { config, logger, em, sender, drives } = deps;
  const joined = new Map<string, Promise<void>>();
  let looking = false;

  const join = async (attemptId: string, mailingId: string) => {
    try {
      const stop = await deps.drive(attemptId, signal);
      if (stop.kind === 'closed') await deps.attemptClosed(mailingId, stop.finished);
    } catch (error) {
      logger.warn({ err: error, attemptId }, 'could not help send an attempt');
    } finally {
      joined.delete(attemptId);
    }
  };

  const look = async () => {
    const room = config.JOB_CONCURRENCY - joined.size;
    if (looking || signal.aborted || room <= 0 || !sender.hasRoom()) return;
    looking = true;
    try {
      const found = await joinableAttempts(em.fork(), drives.attemptIds(), room);
      // One this process began to drive while the query ran (a start job's) is not joined.
      const drivenNow = new Set(drives.attemptIds());
      for (const { id, mailingId } of found) {
        if (!drivenNow.has(id) && !joined.has(id) && !signal.aborted) joined.set(id, join(id, mailingId));
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not look for attempts to help send');
    } finally {
      looking = false;
    }
  };

  const timer = setInterval(() => void look(), config.JOB_PROCESS_EVERY_MS);
  return {
    async close() {
      clearInterval(timer);
      await Promise.all(joined.values());
    },
  };
}
