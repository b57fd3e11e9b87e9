import { backoffStrategies, type Agenda, type Job } from 'agenda';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { AppError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../db/redis';
import { MailingStatus } from '../mailings/mailing.entity';
import { createSendingParts } from './engine';
import { isDuplicateJob, openJobStore } from './job-store';
import { finishMailing, messageIdDomain, openRun } from './run';
import { driveRun } from './runner';
import type { MailingScheduler } from './scheduler.types';

export interface SchedulerDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  databaseUrl: string;
  /** The process's Redis connection when REDIS_URL is set (the shared send rate is counted there). */
  redis?: RedisClient;
  /** Where mailings go: SMTP_URL, or the local mail catcher's address. */
  smtpUrl: string;
}

/** Agenda jobs; `data.key` is unique in the job store, so saving one again moves it. */
export const JOBS = {
  /** Opens the mailing's run at its start. */
  start: 'mailing.start',
  /** Marks the mailing FINISHED at its end and closes its open run. */
  finish: 'mailing.finish',
  /** Sends an open run; re-taken after a crash once its lock lapses. */
  run: 'mailing.run',
} as const;

interface MailingJobData {
  key: string;
  mailingId: string;
}
interface RunJobData extends MailingJobData {
  attemptId: string;
}

interface MailingPlan {
  status: MailingStatus;
  disabled: boolean;
  startAt: Date;
  endAt: Date;
  openAttemptId: string | null;
}

/** A run waits for its next due delivery in place for at most this long, then hands its worker back. */
const MAX_INLINE_WAIT_MS = 5000;
const RUN_JOB_CONCURRENCY = 5;

export async function createScheduler({ config, logger, orm, databaseUrl, redis, smtpUrl }: SchedulerDeps): Promise<MailingScheduler> {
  const jobStore = await openJobStore(config, databaseUrl, orm.em, logger);
  const { agenda } = jobStore;
  const parts = await createSendingParts({ config, logger, orm, redis, smtpUrl, databaseUrl });
  const domain = messageIdDomain(config.MAIL_FROM);
  const shutdown = new AbortController();
  let started = false;

  async function saveJob(name: string, data: MailingJobData | RunJobData, when: Date): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await agenda.create(name, data).unique({ 'data.key': data.key }).schedule(when).save();
        return;
      } catch (error) {
        if (attempt >= 3 || !isDuplicateJob(error)) throw error;
      }
    }
  }

  const cancel = (name: string, mailingId: string) => agenda.cancel({ name, data: { mailingId } });

  async function queueRun(attemptId: string, notBefore = new Date()): Promise<void> {
    const [row] = await orm.em.execute<Array<{ mailingId: string }>>('select mailing_id as "mailingId" from attempts where id = ?', [attemptId]);
    if (row) await saveRunJob(attemptId, row.mailingId, notBefore);
  }

  function saveRunJob(attemptId: string, mailingId: string, when: Date): Promise<void> {
    return saveJob(JOBS.run, { key: `${JOBS.run}:${attemptId}`, attemptId, mailingId }, when);
  }

  /**
   * Derives a mailing's jobs from its committed state, serialized per mailing so that
   * quick successive edits cannot apply out of order.
   */
  async function replan(mailingId: string): Promise<void> {
    await orm.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`mailing-jobs:${mailingId}`]);
      const plan = await readPlan(tx, mailingId);
      if (!plan) {
        await agenda.cancel({ data: { mailingId } });
        return;
      }
      const now = Date.now();
      if (plan.status === MailingStatus.FINISHED) {
        // Nothing more is sent; a run still open (its last messages were in flight at the end) gets closed.
        await cancel(JOBS.start, mailingId);
        await cancel(JOBS.run, mailingId);
        if (plan.openAttemptId) await saveJob(JOBS.finish, { key: `${JOBS.finish}:${mailingId}`, mailingId }, new Date(now));
        else await cancel(JOBS.finish, mailingId);
        return;
      }
      await saveJob(JOBS.finish, { key: `${JOBS.finish}:${mailingId}`, mailingId }, new Date(Math.max(plan.endAt.getTime(), now)));
      if (plan.disabled) {
        await cancel(JOBS.start, mailingId);
        await cancel(JOBS.run, mailingId);
        return;
      }
      if (plan.status === MailingStatus.CREATED && !plan.openAttemptId && plan.endAt.getTime() > now) {
        await saveJob(JOBS.start, { key: `${JOBS.start}:${mailingId}`, mailingId }, new Date(Math.max(plan.startAt.getTime(), now)));
      } else {
        await cancel(JOBS.start, mailingId);
      }
      // A run job whose run has closed is left alone: it finds nothing to do and ends.
      // The attempt's mailing is known: no second connection is taken while this transaction holds one.
      if (plan.openAttemptId) await saveRunJob(plan.openAttemptId, mailingId, new Date(now));
    });
  }

  async function startMailing(job: Job<MailingJobData>): Promise<void> {
    const { mailingId } = job.attrs.data;
    const plan = await readPlan(orm.em.fork(), mailingId);
    if (!plan || plan.disabled) return;
    if (plan.openAttemptId) return queueRun(plan.openAttemptId);
    if (plan.status !== MailingStatus.CREATED) return;
    if (Date.now() < plan.startAt.getTime()) {
      job.attrs.nextRunAt = plan.startAt;
      return;
    }
    try {
      const attempt = await openRun(orm.em, mailingId, domain);
      await queueRun(attempt.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      logger.info({ mailingId, reason: error.message }, 'scheduled start opened no run');
    }
  }

  async function finish(job: Job<MailingJobData>): Promise<void> {
    const result = await finishMailing(orm.em, job.attrs.data.mailingId);
    if (result.kind === 'notYet') job.attrs.nextRunAt = result.endAt;
    if (result.kind === 'inFlight') job.attrs.nextRunAt = new Date(Date.now() + config.JOB_LOCK_LIFETIME_MS / 2);
  }

  async function run(job: Job<RunJobData>): Promise<void> {
    const stop = await driveRun(parts, job.attrs.data.attemptId, {
      signal: shutdown.signal,
      keepAlive: () => job.touch(),
      maxIdleWaitMs: MAX_INLINE_WAIT_MS,
    });
    if (stop.kind === 'waiting') job.attrs.nextRunAt = stop.until;
    // Shutting down: the next worker (or this one after its restart) goes on at once.
    if (stop.kind === 'interrupted') job.attrs.nextRunAt = new Date();
  }

  function defineJobs(agenda: Agenda): void {
    const lockLifetime = config.JOB_LOCK_LIFETIME_MS;
    // For errors a job did not expect (its database gone for a while): try again later.
    const backoff = backoffStrategies.exponential({ delay: 1000, maxDelay: 60_000, maxRetries: 30, jitter: 0.2 });
    agenda.define(JOBS.start, startMailing, { lockLifetime, concurrency: 5, backoff });
    agenda.define(JOBS.finish, finish, { lockLifetime, concurrency: 5, backoff });
    agenda.define(JOBS.run, run, { lockLifetime, concurrency: RUN_JOB_CONCURRENCY, backoff });
    agenda.on('fail', (error: Error, job: Job) => logger.error({ err: error, job: job.attrs.name, data: job.attrs.data }, 'job failed'));
    agenda.on('error', (error: Error) => logger.warn({ err: error }, 'job scheduler error'));
  }

  /** After a restart: every unfinished mailing gets its jobs again, and open runs go on. */
  async function recover(): Promise<void> {
    const rows = await orm.em.execute<Array<{ id: string }>>(`select id from mailings where status <> 'FINISHED'`);
    for (const { id } of rows) {
      if (shutdown.signal.aborted) return;
      await replan(id);
    }
  }

  return {
    mailingSaved: replan,
    mailingRemoved: replan,
    queueRun,
    sendInProcess(attemptId, signal) {
      return driveRun(parts, attemptId, {
        signal: signal ? AbortSignal.any([signal, shutdown.signal]) : shutdown.signal,
        maxIdleWaitMs: Number.POSITIVE_INFINITY,
      });
    },
    async start() {
      if (!config.SCHEDULER_ENABLED) return;
      defineJobs(agenda);
      await agenda.start();
      started = true;
      recover().catch((err: unknown) => logger.error({ err }, 'could not re-plan mailings after start'));
    },
    async close() {
      if (shutdown.signal.aborted) return;
      shutdown.abort();
      if (started) {
        const drained = await agenda.drain(config.SHUTDOWN_TIMEOUT_MS);
        if (drained.timedOut) logger.warn({ running: drained.running }, 'jobs still running at shutdown; their locks will lapse');
        await agenda.stop();
      }
      await parts.close();
      await jobStore.close();
    },
  };
}

async function readPlan(em: EntityManager, mailingId: string): Promise<MailingPlan | null> {
  const rows = await em.execute<MailingPlan[]>(
    `select m.status, m.disabled, m.start_at as "startAt", m.end_at as "endAt",
       (select a.id from attempts a where a.mailing_id = m.id and a.status = 'RUNNING' limit 1) as "openAttemptId"
     from mailings m where m.id = ?`,
    [mailingId],
  );
  const row = rows[0];
  return row ? { ...row, startAt: new Date(row.startAt), endAt: new Date(row.endAt) } : null;
}
