import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type Config } from '../config';
import { AppError } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import { initOrm } from '../db/orm';
import { cacheRules, entities } from '../features';
import { openDatabase } from '../db/database';
import { closeRedis, openRedis, type RedisClient } from '../common/redis';
import type { AppCache } from '../cache/app-cache';
import { openReadCache } from '../cache/read-cache';
import type { MailingPlanner } from '../mailings/mailing-planner';
import { createScheduler } from '../sending/scheduler';
import type { MailingScheduler } from '../sending/scheduler.types';

/** What a command-line tool needs: the server's config, database, cache and scheduler. */
export interface CliRuntime {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  databaseUrl: string;
  redis?: RedisClient;
  cache: AppCache;
  /**
   * The sending scheduler, opened on first use. It never works the job queue itself: what it
   * plans, the server's workers do. Mail it sends in process goes to `smtpUrl` (default SMTP_URL,
   * else the dev server's local mail catcher).
   */
  scheduler(smtpUrl?: string): Promise<MailingScheduler>;
  /** Plans sending as the server's own writes do, through `scheduler()`. */
  planner: MailingPlanner;
  close(): Promise<void>;
}

/**
 * Opens the database the server uses: DATABASE_URL, or the embedded PostgreSQL — the
 * running server's when it is up, else started here. Writes invalidate the server's
 * cache in Redis the way the server's own writes do.
 */
export async function openCliRuntime(): Promise<CliRuntime> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const { url: databaseUrl, embedded } = await openDatabase(config, { reuseRunning: true });
  const orm = await initOrm(databaseUrl, entities);
  const redis = config.REDIS_URL ? await openRedis(config.REDIS_URL, logger) : undefined;
  const cache = await openReadCache({ orm, config, databaseUrl, logger, redis, rules: cacheRules });
  let opened: Promise<MailingScheduler> | undefined;
  const scheduler = (smtpUrl = config.SMTP_URL ?? `smtp://127.0.0.1:${config.LOCAL_SMTP_PORT}`) =>
    (opened ??= createScheduler({ config: { ...config, SERVER_ROLE: 'api' }, logger, orm, databaseUrl, redis, smtpUrl }));
  return {
    config,
    logger,
    orm,
    databaseUrl,
    redis,
    cache,
    scheduler,
    planner: {
      mailingSaved: async (mailingId) => (await scheduler()).mailingSaved(mailingId),
      mailingRemoved: async (mailingId) => (await scheduler()).mailingRemoved(mailingId),
    },
    async close() {
      if (opened) await (await opened).close();
      await cache.close();
      if (redis) await closeRedis(redis);
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

/** Runs a command's main: a failure the user can act on prints its message alone and exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e instanceof CliError || e instanceof AppError ? e.message : e);
    process.exitCode = 1;
  });
}

/** A failure the user can act on; printed without a stack trace. */
export class CliError extends Error {}
