import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../common/redis';
import { sendingHeld } from '../mailings/mailing.rules';
import { driveAttempt, type SendingParts } from './attempt-driver';
import { openJobStore } from './job-store';
import { joinOpenAttempts } from './join-attempts';
import { defineJobs } from './jobs';
import { messageIdDomain } from './open-attempt';
import { Planner } from './plan';
import { startOpener } from './start-batch';
import type { MailingScheduler } from './scheduler.types';
import { ResultWriter } from './record';
import { createSender } from './send';
import { LocalDrives, stopSendingMailing } from './stop-sending';

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

/** The sending engine of one process: the job store, the planner, the sender, and (when enabled) the workers. */
export async function createScheduler({ config, logger, orm, databaseUrl, redis, smtpUrl }: SchedulerDeps): Promise<MailingScheduler> {
  const em = orm.em;
  const { agenda, announceSavedJobs, close: closeJobStore } = await openJobStore(config, databaseUrl, em, logger);
  const planner = new Planner(agenda, em);
  const sender = createSender({ config, logger, em, redis, smtpUrl, databaseUrl });
  const drives = new LocalDrives({ config, logger, em });
  const parts: SendingParts = { config, logger, em, sender, results: new ResultWriter(em), drives };
  const shutdown = new AbortController();
  let started = false;
  let joining: { close(): Promise<void> } | null = null;
  // A held mailing's change answers once its sending has stopped (stop-sending.ts).
  const replan = async (mailingId: string) => {
    const plan = await planner.replan(mailingId);
    if (plan && sendingHeld(plan)) await stopSendingMailing({ config, logger, em, drives }, mailingId);
  };

  return {
    mailingSaved: replan,
    mailingRemoved: replan,
    queueAttempt: (attemptId, notBefore) => planner.queueAttempt(attemptId, notBefore),
    sendInProcess(attemptId, signal) {
      return driveAttempt(parts, attemptId, {
        signal: signal ? AbortSignal.any([signal, shutdown.signal]) : shutdown.signal,
        maxIdleWaitMs: Number.POSITIVE_INFINITY,
      });
    },
    async start() {
      if (config.SERVER_ROLE === 'api') return announceSavedJobs();
      defineJobs(agenda, {
        config,
        logger,
        em,
        planner,
        openAtStart: startOpener(em, messageIdDomain(config.MAIL_FROM), config.PREPARE_CHUNK_SIZE),
        driveAttempt: (attemptId, options) => driveAttempt(parts, attemptId, options),
        shutdown: shutdown.signal,
      });
      await agenda.start();
      started = true;
      // Idle, this worker helps send attempts other workers drive.
      const drive = (attemptId: string, signal: AbortSignal) => driveAttempt(parts, attemptId, { signal, maxIdleWaitMs: 0 });
      joining = joinOpenAttempts({ config, logger, em, sender, drives, drive, attemptClosed: (mailingId, finished) => planner.attemptClosed(mailingId, finished) }, shutdown.signal);
      planner.replanAll(shutdown.signal).catch((err: unknown) => logger.error({ err }, 'could not re-plan mailings after start'));
    },
    async close() {
      if (shutdown.signal.aborted) return;
      shutdown.abort();
      if (started) {
        const drained = await agenda.drain(config.SHUTDOWN_TIMEOUT_MS);
        if (drained.timedOut) logger.warn({ running: drained.running }, 'jobs still running at shutdown; their locks will lapse');
        await agenda.stop();
      }
      await joining?.close();
      sender.close();
      await closeJobStore();
    },
  };
}
