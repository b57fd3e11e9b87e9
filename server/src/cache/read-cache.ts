import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { CacheRule } from '../common/feature';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../common/redis';
import { createAppCache, type AppCache } from './app-cache';
import { CacheInvalidator } from './cache-invalidator';
import { databaseNamespace } from '../common/namespace';

export interface ReadCacheDeps {
  orm: MikroORM;
  config: Config;
  databaseUrl: string;
  logger: Logger;
  /** The process's Redis connection when REDIS_URL is set; else the cache stays in process. */
  redis?: RedisClient;
  /** Every feature's cache rules. */
  rules: CacheRule[];
}

/** The cache of an app or command over `orm`, invalidated by every flush that changes cached data. */
export async function openReadCache({ orm, config, databaseUrl, logger, redis, rules }: ReadCacheDeps): Promise<AppCache> {
  const cache = await createAppCache({
    redis,
    namespace: databaseNamespace(databaseUrl),
    ttlSeconds: config.CACHE_TTL_SECONDS,
    logger,
  });
  orm.em.getEventManager().registerSubscriber(new CacheInvalidator(cache, rules));
  return cache;
}
