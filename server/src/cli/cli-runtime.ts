import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../common/logger';
import { initOrm } from '../db/orm';
import { openDatabase } from '../db/database';
import { closeRedis, openRedis, type RedisClient } from '../db/redis';
import type { AppCache } from '../cache/app-cache';
import { openReadCache } from '../cache/read-cache';

/** What a command-line tool needs: the server's config, database and cache. */
export interface CliRuntime {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  databaseUrl: string;
  redis?: RedisClient;
  cache: AppCache;
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
  const orm = await initOrm(databaseUrl);
  const redis = config.REDIS_URL ? await openRedis(config.REDIS_URL, logger) : undefined;
  const cache = await openReadCache({ orm, config, databaseUrl, logger, redis });
  return {
    config,
    logger,
    orm,
    databaseUrl,
    redis,
    cache,
    async close() {
      await cache.close();
      if (redis) await closeRedis(redis);
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

/** Runs a command's main: a known failure prints its message alone and exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e instanceof CliError ? e.message : e);
    process.exitCode = 1;
  });
}

/** A failure the user can act on; printed without a stack trace. */
export class CliError extends Error {}
