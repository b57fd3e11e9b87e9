import type { EntityManager } from '@mikro-orm/postgresql';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../common/redis';
import { wait } from './wait';

/** SEND_RATE_PER_SECOND for every worker process together, counted in PostgreSQL or Redis. */
export interface SendRateLimiter {
  /** Resolves when one more message may go out; false when `signal` aborted first. */
  acquire(signal: AbortSignal): Promise<boolean>;
}

export interface RateLimiterDeps {
  config: Config;
  logger: Logger;
  /** Without Redis the count is kept in the app's PostgreSQL, through the ORM's connection pool. */
  em: EntityManager;
  /** The process's Redis connection when REDIS_URL is set: the count lives there then. */
  redis?: RedisClient;
  /** Who shares the limit: processes of one deployment sending through one SMTP server. */
  key: string;
}

const STORE_RETRY_MS = 1000;

export function createSendRateLimiter({ config, logger, em, redis, key }: RateLimiterDeps): SendRateLimiter {
  const rate = config.SEND_RATE_PER_SECOND;
  const points = Math.max(1, Math.round(rate));
  const window = { points, duration: points / rate, keyPrefix: 'send-rate' };
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...window, storeClient: redis, useRedisPackage: true })
    : new RateLimiterPostgres({
        ...window,
        storeClient: em.getKnex(),
        storeType: 'knex',
        tableName: 'send_rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
      });
  // Tokens are taken from the shared counter a few at a time and kept only until the window they belong to ends.
  const chunk = Math.max(1, Math.min(100, Math.floor(points / 10)));
  let tokens = 0;
  let tokensExpireAt = 0;
  let refilling: Promise<void> | null = null;

  async function refill(signal: AbortSignal): Promise<void> {
    try {
      const granted = await limiter.consume(key, chunk);
      tokens = chunk;
      tokensExpireAt = Date.now() + Math.max(granted.msBeforeNext, 1);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        await wait(error.msBeforeNext, signal);
        return;
      }
      logger.warn({ err: error }, 'send rate counter unavailable; holding sending back');
      await wait(STORE_RETRY_MS, signal);
    }
  }

  return {
    async acquire(signal) {
      for (;;) {
        if (tokens > 0 && Date.now() < tokensExpireAt) {
          tokens--;
          return true;
        }
        if (signal.aborted) return false;
        refilling ??= refill(signal).finally(() => {
          refilling = null;
        });
        await refilling;
      }
    },
  };
}
