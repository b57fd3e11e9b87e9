import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { createAppCache, type AppCache } from './app-cache';
import { CacheInvalidator } from './cache-invalidator';
import { cacheNamespace } from './cache-namespace';

/** The cache of an app or command over `orm`, invalidated by every flush that changes cached data. */
export async function openReadCache(orm: MikroORM, config: Config, databaseUrl: string, logger: Logger): Promise<AppCache> {
  const cache = await createAppCache({
    redisUrl: config.REDIS_URL,
    namespace: cacheNamespace(databaseUrl),
    ttlSeconds: config.CACHE_TTL_SECONDS,
    logger,
  });
  orm.em.getEventManager().registerSubscriber(new CacheInvalidator(cache, logger));
  return cache;
}
