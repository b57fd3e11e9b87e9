import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { OPEN_ATTEMPT_SQL } from './attempt.entity';
import { wait } from './wait';

/*
 * Stopping: once a hold (pause, disable, a blocked owner) is committed, nothing more of the
 * mailing may leave but what is already handed to the SMTP connection. Drivers in this
 * process are told at once; drivers elsewhere see it within SEND_HOLD_CHECK_MS and put
 * back what they claimed. The change answers only once that happened.
 */

/** What a driver of this process lends the stop. */
export interface LocalDrive {
  /** Reads the mailing's holds now; resolves once the driver hands out nothing more if it is held. */
  recheck(): Promise<void>;
  /** The deliveries this driver holds claimed (sent, in flight or waiting to be put back). */
  claimedIds(): string[];
}

/** The attempts this process is driving now, so that a hold committed here stops them at once. */
export class LocalDrives {
  private readonly drives = new Map<string, Set<LocalDrive>>();

  /** A driver of `attemptId` asks to be told; the returned function unregisters it. */
  register(attemptId: string, drive: LocalDrive): () => void {
    const set = this.drives.get(attemptId) ?? new Set();
    set.add(drive);
    this.drives.set(attemptId, set);
    return () => {
      set.delete(drive);
      if (set.size === 0) this.drives.delete(attemptId);
    };
  }

  /** The attempts driven in this process now. */
  attemptIds(): string[] {
    return [...this.drives.keys()];
  }

  /** Makes the drivers of these attempts read their mailing's holds now; returns the deliveries they hold claimed. */
  async recheck(attemptIds: readonly string[]): Promise<string[]> {
    const drives = attemptIds.flatMap((id) => [...(this.drives.get(id) ?? [])]);
    await Promise.all(drives.map((drive) => drive.recheck()));
    return drives.flatMap((drive) => drive.claimedIds());
  }
}

export interface StopDeps {
  config: Pick<Config, 'SEND_STOP_WAIT_MS'>;
  logger: Logger;
  em: EntityManager;
  drives: LocalDrives;
}

const POLL_MS = 10;

/**
 * After a hold on the mailing committed: stops this process's drivers of it (they hand out
 * nothing more; what they already handed to the mail server finishes), then waits until no
 * other worker holds one of its deliveries claimed under a live lease, at most
 * SEND_STOP_WAIT_MS. Returns whether every worker let go in time.
 */
export async function stopSendingMailing({ config, logger, em, drives }: StopDeps, mailingId: string): Promise<boolean> {
  const open = await em.execute<Array<{ id: string }>>(`select id from attempts where mailing_id = ? and status ${OPEN_ATTEMPT_SQL}`, [mailingId]);
  if (open.length === 0) return true;
  const attemptIds = open.map((row) => row.id);
  const heldHere = await drives.recheck(attemptIds);
  const deadline = Date.now() + config.SEND_STOP_WAIT_MS;
  for (;;) {
    const [{ claimed }] = await em.execute<Array<{ claimed: number }>>(
      `select count(*)::int as claimed from deliveries
       where attempt_id in (?) and status = 'SENDING' and next_try_at > now() and not (id = any(?::uuid[]))`,
      [attemptIds, `{${heldHere.join(',')}}`],
    );
    if (claimed === 0) return true;
    if (Date.now() >= deadline) {
      logger.warn({ mailingId, claimed }, 'a stopped mailing still has deliveries claimed by another worker; their leases will lapse');
      return false;
    }
    await wait(POLL_MS);
  }
}
