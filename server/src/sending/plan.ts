import type { Agenda } from 'agenda';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MailingStatus } from '../mailings/mailing.entity';
import { sendingHeld, type SendingHolds } from '../mailings/mailing.rules';
import { OPEN_ATTEMPT_SQL } from './attempt.entity';
import { isDuplicateJob } from './job-store';

/*
 * Plan: every mailing's sending is driven by Agenda jobs derived from its committed row.
 * `data.key` is unique in the job store, so saving a job again moves it.
 */
export const JOBS = {
  /** Opens the mailing's first attempt at its start. */
  start: 'mailing.start',
  /** Marks the mailing FINISHED at its end and closes its open attempt. */
  finish: 'mailing.finish',
  /** Sends an open attempt; re-taken after a crash once its lock lapses. (Its stored name predates the word "attempt".) */
  attempt: 'mailing.run',
} as const;

export interface MailingJobData {
  key: string;
  mailingId: string;
}
export interface AttemptJobData extends MailingJobData {
  attemptId: string;
}

/** What a mailing's jobs follow from: its committed row and its open attempt. */
export interface MailingPlan extends SendingHolds {
  status: MailingStatus;
  startAt: Date;
  endAt: Date;
  openAttemptId: string | null;
}

/** When each of a mailing's jobs runs; null: it is cancelled. */
export interface PlannedJobs {
  /** `keep` leaves the start job alone: it may be the one sending the open attempt (one with nothing left to open finds the attempt and ends). */
  start: Date | null | 'keep';
  finish: Date | null;
  /** The open attempt's job; `keep` leaves attempt jobs alone (one whose attempt closed finds nothing to do and ends). */
  attempt: { attemptId: string; at: Date } | null | 'keep';
}

const later = (a: Date, b: Date) => (a.getTime() > b.getTime() ? a : b);

/** A mailing's jobs: none once deleted; once FINISHED only a finish that closes an attempt left open. */
export function plannedJobs(plan: MailingPlan | null, now: Date): PlannedJobs {
  if (!plan) return { start: null, finish: null, attempt: null };
  if (plan.status === MailingStatus.FINISHED) {
    // Nothing more is sent; an attempt still open (its last messages were in flight at the end) gets closed.
    return { start: null, finish: plan.openAttemptId ? now : null, attempt: null };
  }
  const finish = later(plan.endAt, now);
  // A paused or disabled mailing, or one whose owner is blocked, sends nothing, but still becomes FINISHED at its end.
  if (sendingHeld(plan)) return { start: null, finish, attempt: null };
  const startsLater = plan.status === MailingStatus.CREATED && !plan.openAttemptId && plan.endAt.getTime() > now.getTime();
  const attempt = plan.openAttemptId ? { attemptId: plan.openAttemptId, at: now } : 'keep';
  const start = startsLater ? later(plan.startAt, now) : plan.openAttemptId ? 'keep' : null;
  return { start, finish, attempt };
}

/** Reads a mailing's plan; null when it is gone. */
export async function readPlan(em: EntityManager, mailingId: string): Promise<MailingPlan | null> {
  const [row] = await em.execute<Array<Omit<MailingPlan, 'startAt' | 'endAt'> & { startAt: string; endAt: string }>>(
    `select m.status, m.paused, m.disabled, u.blocked as "ownerBlocked", m.start_at as "startAt", m.end_at as "endAt",
       (select a.id from attempts a where a.mailing_id = m.id and a.status ${OPEN_ATTEMPT_SQL} limit 1) as "openAttemptId"
     from mailings m join users u on u.id = m.owner_id where m.id = ?`,
    [mailingId],
  );
  return row ? { ...row, startAt: new Date(row.startAt), endAt: new Date(row.endAt) } : null;
}

/** Keeps the job store in line with the mailings. */
export class Planner {
  constructor(
    private readonly agenda: Agenda,
    private readonly em: EntityManager,
  ) {}

  /**
   * Derives a mailing's jobs from its committed state, serialized per mailing so that
   * quick successive edits cannot apply out of order. Returns the state it planned from.
   */
  async replan(mailingId: string): Promise<MailingPlan | null> {
    return this.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`mailing-jobs:${mailingId}`]);
      const plan = await readPlan(tx, mailingId);
      const jobs = plannedJobs(plan, new Date());
      const mailingJob = (name: string): MailingJobData => ({ key: `${name}:${mailingId}`, mailingId });
      if (jobs.finish) await this.save(JOBS.finish, mailingJob(JOBS.finish), jobs.finish);
      if (jobs.start instanceof Date) await this.save(JOBS.start, mailingJob(JOBS.start), jobs.start);
      // The attempt's mailing is known: no second connection is taken while this transaction holds one.
      if (jobs.attempt !== null && jobs.attempt !== 'keep') await this.saveAttemptJob(jobs.attempt.attemptId, mailingId, jobs.attempt.at);
      const cancelled = [jobs.finish ? null : JOBS.finish, jobs.start === null ? JOBS.start : null, jobs.attempt === null ? JOBS.attempt : null];
      await this.cancel(cancelled.filter((name) => name !== null), mailingId);
      return plan;
    });
  }

  /**
   * After an attempt closed: a FINISHED mailing keeps no job (one statement; nothing can plan it
   * again), any other is re-planned.
   */
  async attemptClosed(mailingId: string, mailingFinished: boolean | undefined): Promise<void> {
    if (mailingFinished) await this.cancel(Object.values(JOBS), mailingId);
    else await this.replan(mailingId);
  }

  /** Hands an opened attempt to the workers, at once or not before `notBefore`. */
  async queueAttempt(attemptId: string, notBefore = new Date()): Promise<void> {
    const [row] = await this.em.execute<Array<{ mailingId: string }>>('select mailing_id as "mailingId" from attempts where id = ?', [
      attemptId,
    ]);
    if (row) await this.saveAttemptJob(attemptId, row.mailingId, notBefore);
  }

  /** After a restart: every unfinished mailing gets its jobs again, and open attempts go on. */
  async replanAll(signal: AbortSignal): Promise<void> {
    const rows = await this.em.execute<Array<{ id: string }>>(`select id from mailings where status <> 'FINISHED'`);
    for (const { id } of rows) {
      if (signal.aborted) return;
      await this.replan(id);
    }
  }

  private saveAttemptJob(attemptId: string, mailingId: string, when: Date): Promise<void> {
    return this.save(JOBS.attempt, { key: `${JOBS.attempt}:${attemptId}`, attemptId, mailingId }, when);
  }

  private async save(name: string, data: MailingJobData | AttemptJobData, when: Date): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.agenda.create(name, data).unique({ 'data.key': data.key }).schedule(when).save();
        return;
      } catch (error) {
        if (tries >= 3 || !isDuplicateJob(error)) throw error;
      }
    }
  }

  /** Cancels the mailing's jobs of these kinds, in one statement. */
  private async cancel(names: string[], mailingId: string): Promise<void> {
    if (names.length > 0) await this.agenda.cancel({ names, data: { mailingId } });
  }
}
