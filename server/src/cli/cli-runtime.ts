import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../common/logger';
import { initOrm } from '../db/orm';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres';
import { createAppCache, type AppCache } from '../cache/app-cache';
import { CacheInvalidator } from '../cache/cache-invalidator';
import { cacheNamespace } from '../cache/cache-namespace';

/** What a command-line tool needs: the server's config, database and cache. */
export interface CliRuntime {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  databaseUrl: string;
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
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const serverUrl = `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}/mailing`;
    if (await accepts(serverUrl)) databaseUrl = serverUrl;
    else {
      embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
      databaseUrl = embedded.url;
    }
  }
  const orm = await initOrm(databaseUrl);
  const cache = await createAppCache({
    redisUrl: config.REDIS_URL,
    namespace: cacheNamespace(databaseUrl),
    ttlSeconds: config.CACHE_TTL_SECONDS,
    logger,
  });
  orm.em.getEventManager().registerSubscriber(new CacheInvalidator(cache, logger));
  return {
    config,
    logger,
    orm,
    databaseUrl,
    cache,
    async close() {
      await cache.close();
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

async function accepts(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
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
