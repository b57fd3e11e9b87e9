import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { OPEN_ATTEMPT_SQL } from './attempt.entity';
import { readAttemptStates, type AttemptState } from './attempt-state';
import { recipientsGone } from './claim';
import { wait } from './wait';
import { pgArray } from '../common/pg-array';

/*
 * Stopping: once a hold (pause, disable, a blocked owner) is committed, nothing more of the
 * mailing may leave but what is already handed to the SMTP connection. Drivers in this
 * process are told at once; drivers elsewhere see it within SEND_HOLD_CHECK_MS (one check
 * per process for all the attempts it drives) and put back what they claimed. The change answers only once that happened.
 */

/** A pass of a driver of this process that is sending now. */
export interface WatchedPass {
  /** The deliveries it claimed and has not handed out yet. */
  waitingIds(): string[];
  /**
   * Told what a check read: the attempt's state and which of its waiting deliveries' recipients
   * are gone. Resolves once it hands out nothing more if the attempt is no longer sendable.
   */
  checked(state: AttemptState, gone: ReadonlySet<string>): Promise<void>;
}

/** What a driver of this process lends the checks and the stop. */
export interface LocalDrive {
  /** The pass sending now, or null between passes. */
  pass(): WatchedPass | null;
  /** The deliveries this driver holds claimed (sent, in flight or waiting to be put back). */
  claimedIds(): string[];
}

export interface LocalDrivesDeps {
  config: Pick<Config, 'SEND_HOLD_CHECK_MS'>;
  logger: Logger;
  em: EntityManager;
}

/**
 * The attempts this process is driving now. While any is driven, one check every
 * SEND_HOLD_CHECK_MS reads the holds of all of them and the recipients of all the deliveries
 * they wait to send (two statements however many they are) and tells each pass what concerns
 * it; a hold committed here has them checked at once.
 */
export class LocalDrives {
  private readonly drives = new Map<string, Set<LocalDrive>>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(private readonly deps: LocalDrivesDeps) {}

  /** A driver of `attemptId` asks to be told; the returned function unregisters it. */
  register(attemptId: string, drive: LocalDrive): () => void {
    const set = this.drives.get(attemptId) ?? new Set();
    set.add(drive);
    this.drives.set(attemptId, set);
    this.timer ??= setInterval(() => void this.checkEvery(), this.deps.config.SEND_HOLD_CHECK_MS);
    return () => {
      set.delete(drive);
      if (set.size === 0 && this.drives.get(attemptId) === set) this.drives.delete(attemptId);
      if (this.drives.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** The attempts driven in this process now. */
  attemptIds(): string[] {
    return [...this.drives.keys()];
  }

  /** Makes the drivers of these attempts read their mailing's holds now; returns the deliveries they hold claimed. */
  async recheck(attemptIds: readonly string[]): Promise<string[]> {
    const drives = attemptIds.flatMap((id) => [...(this.drives.get(id) ?? [])].map((drive) => [id, drive] as const));
    await this.check(drives);
    return drives.flatMap(([, drive]) => drive.claimedIds());
  }

  /** The periodic check; skipped while the last one still runs. */
  private async checkEvery(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.check([...this.drives].flatMap(([id, set]) => [...set].map((drive) => [id, drive] as const)));
    } finally {
      this.checking = false;
    }
  }

  private async check(drives: ReadonlyArray<readonly [string, LocalDrive]>): Promise<void> {
    const sending = drives.flatMap(([attemptId, drive]) => {
      const pass = drive.pass();
      return pass ? [{ attemptId, pass, waiting: pass.waitingIds() }] : [];
    });
    if (sending.length === 0) return;
    const { em, logger } = this.deps;
    try {
      const states = await readAttemptStates(em, [...new Set(sending.map((s) => s.attemptId))]);
      const waiting = sending.flatMap((s) => (states.get(s.attemptId)?.kind === 'sendable' ? s.waiting : []));
      const gone = new Set(waiting.length ? await recipientsGone(em, waiting) : []);
      const told = await Promise.allSettled(sending.map((s) => s.pass.checked(states.get(s.attemptId)!, gone)));
      for (const result of told) if (result.status === 'rejected') logger.warn({ err: result.reason }, 'could not skip the deliveries of gone recipients');
    } catch (error) {
      logger.warn({ err: error }, 'could not read whether the mailings sent here are still sendable');
    }
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
      [attemptIds, pgArray(heldHere)],
    );
    if (claimed === 0) return true;
    if (Date.now() >= deadline) {
      logger.warn({ mailingId, claimed }, 'a stopped mailing still has deliveries claimed by another worker; their leases will lapse');
      return false;
    }
    await wait(POLL_MS);
  }
}
