import { backoffStrategies, type Agenda, type Job } from 'agenda';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { AttemptStop, DriveOptions } from './attempt-driver';
import { finishMailing } from './close-attempt';
import { JOBS, type AttemptJobData, type MailingJobData, type Planner } from './plan';
import type { StartOpener } from './start-batch';

export interface JobDeps {
  config: Config;
  logger: Logger;
  em: EntityManager;
  planner: Planner;
  /** Opens the attempt of a mailing whose start has come, together with the others due then. */
  openAtStart: StartOpener;
  driveAttempt(attemptId: string, options: DriveOptions): Promise<AttemptStop>;
  /** Aborted at shutdown. */
  shutdown: AbortSignal;
}

/** An attempt waits for its next due delivery in place for at most this long, then hands its worker back. */
const MAX_INLINE_WAIT_MS = 5000;

/**
 * At its start: opens the mailing's attempt (if it is still CREATED, not held back and before its
 * end) and sends it at once, in this job: no hand-over to an attempt job stands between a
 * mailing's start and its first message. Should this worker die, the job runs again elsewhere
 * once its lock lapses and queues the open attempt.
 */
async function startMailing(job: Job<MailingJobData>, deps: JobDeps): Promise<void> {
  const { planner, logger, openAtStart } = deps;
  const { mailingId } = job.attrs.data;
  const result = await openAtStart(mailingId);
  if (result.kind === 'alreadyOpen') return planner.queueAttempt(result.attemptId);
  if (result.kind === 'notDue') job.attrs.nextRunAt = result.startAt;
  if (result.kind === 'refused') logger.info({ mailingId, reason: result.reason }, 'scheduled start opened no attempt');
  if (result.kind !== 'opened') return;
  const { id: attemptId, status, content, endAt } = result.attempt;
  const stop = await drive(job, attemptId, deps, { status, content, endAt: endAt.getTime() });
  // What is left goes to the attempt's own job.
  if (stop.kind === 'waiting' || stop.kind === 'interrupted') await planner.queueAttempt(attemptId, stop.kind === 'waiting' ? stop.until : new Date());
  if (stop.kind === 'closed') await planner.attemptClosed(mailingId, stop.finished);
}

/** Sends an open attempt. A long wait (backoff, a paused server) reschedules the job and frees the worker. */
async function sendAttempt(job: Job<AttemptJobData>, deps: JobDeps): Promise<void> {
  const stop = await drive(job, job.attrs.data.attemptId, deps);
  if (stop.kind === 'waiting') job.attrs.nextRunAt = stop.until;
  // Shutting down: the next worker (or this one after its restart) goes on at once.
  if (stop.kind === 'interrupted') job.attrs.nextRunAt = new Date();
  // A mailing sent in full is FINISHED: its end has nothing left to do, so its job goes.
  if (stop.kind === 'closed') await deps.planner.attemptClosed(job.attrs.data.mailingId, stop.finished);
}

/** Drives an attempt under a job's lock until it closes, waits long or is stopped. */
function drive(job: Job, attemptId: string, { driveAttempt, shutdown }: JobDeps, opened?: DriveOptions['opened']): Promise<AttemptStop> {
  return driveAttempt(attemptId, { signal: shutdown, keepAlive: () => job.touch(), maxIdleWaitMs: MAX_INLINE_WAIT_MS, opened });
}

/** At its end: the mailing becomes FINISHED and its open attempt closes (later, while deliveries are in flight). */
async function finishAtEnd(job: Job<MailingJobData>, { em, config }: JobDeps): Promise<void> {
  const result = await finishMailing(em, job.attrs.data.mailingId);
  if (result.kind === 'notYet') job.attrs.nextRunAt = result.endAt;
  if (result.kind === 'inFlight') job.attrs.nextRunAt = new Date(Date.now() + config.JOB_LOCK_LIFETIME_MS / 2);
}

/** Makes this process a worker of the three jobs. */
export function defineJobs(agenda: Agenda, deps: JobDeps): void {
  const lockLifetime = deps.config.JOB_LOCK_LIFETIME_MS;
  // Many attempts at once: their sends wait for the process's in-flight limit (send.ts), not for each other's jobs.
  // A process locks no more jobs than it runs, leaving the rest to other workers.
  const concurrency = deps.config.JOB_CONCURRENCY;
  const lockLimit = concurrency;
  // A job that ran and set no next run has done its part: it leaves the job store.
  const removeOnComplete = true;
  // For errors a job did not expect (its database gone for a while): try again later.
  const backoff = backoffStrategies.exponential({ delay: 1000, maxDelay: 60_000, maxRetries: 30, jitter: 0.2 });
  agenda.define(JOBS.start, (job: Job<MailingJobData>) => startMailing(job, deps), { lockLifetime, concurrency, lockLimit, backoff, removeOnComplete });
  agenda.define(JOBS.finish, (job: Job<MailingJobData>) => finishAtEnd(job, deps), { lockLifetime, concurrency, lockLimit, backoff, removeOnComplete });
  agenda.define(JOBS.attempt, (job: Job<AttemptJobData>) => sendAttempt(job, deps), { lockLifetime, concurrency, lockLimit, backoff, removeOnComplete });
  // Agenda's own cap on running jobs (20 by default) would bind first.
  agenda.maxConcurrency(concurrency * Object.keys(agenda.definitions).length);
  agenda.on('fail', (error: Error, job: Job) => deps.logger.error({ err: error, job: job.attrs.name, data: job.attrs.data }, 'job failed'));
  agenda.on('error', (error: Error) => deps.logger.warn({ err: error }, 'job scheduler error'));
}
