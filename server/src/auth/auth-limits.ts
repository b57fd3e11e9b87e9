import type { EntityManager } from '@mikro-orm/postgresql';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config } from '../config';
import { tooManyRequests } from '../common/errors';
import type { RedisClient } from '../common/redis';
import { hashToken } from './tokens';

/** What is counted: logins, and the requests that mail an account a link (registration, password reset, verification resend). */
export type GuardedAction = 'login' | 'accountMail';

/**
 * Limits on guessing: attempts per account (email) and per client address in a window,
 * counted in the app's PostgreSQL (table `auth_rate_limits`) or in Redis when REDIS_URL is
 * set, so every process of a deployment shares them.
 */
export interface AuthLimits {
  /** Counts one attempt; TOO_MANY_REQUESTS (with retryAfterSeconds) once the account or the address is over its limit. */
  take(action: GuardedAction, email: string, clientAddress: string): Promise<void>;
  /** After a successful login the account's count starts again, and the attempt does not count against the address. */
  loggedIn(email: string, clientAddress: string): Promise<void>;
}

export interface AuthLimitsDeps {
  config: Config;
  /** Without Redis the counts are kept in PostgreSQL, through the ORM's connection pool. */
  em: EntityManager;
  redis?: RedisClient;
}

interface Pair {
  account: RateLimiterAbstract;
  address: RateLimiterAbstract;
}

/**
 * A count of `points` per key in windows of `duration` seconds, shared by every process: in
 * Redis when there is one, else in PostgreSQL (table `auth_rate_limits`, keys prefixed by `keyPrefix`).
 */
export function windowLimiter(
  { em, redis }: Pick<AuthLimitsDeps, 'em' | 'redis'>,
  window: { keyPrefix: string; points: number; duration: number },
): RateLimiterAbstract {
  if (redis) {
    // While Redis is down, each process counts on its own rather than letting everyone through.
    const insuranceLimiter = new RateLimiterMemory(window);
    return new RateLimiterRedis({ ...window, storeClient: redis, useRedisPackage: true, insuranceLimiter });
  }
  return new RateLimiterPostgres({ ...window, storeClient: em.getKnex(), storeType: 'knex', tableName: 'auth_rate_limits', tableCreated: true });
}

export function createAuthLimits({ config, em, redis }: AuthLimitsDeps): AuthLimits {
  const duration = config.AUTH_LIMIT_WINDOW_MINUTES * 60;
  const limiter = (keyPrefix: string, points: number) => windowLimiter({ em, redis }, { keyPrefix, points, duration });
  const limits: Record<GuardedAction, Pair> = {
    login: {
      account: limiter('login-account', config.LOGIN_ATTEMPTS_PER_ACCOUNT),
      address: limiter('login-address', config.LOGIN_ATTEMPTS_PER_ADDRESS),
    },
    accountMail: {
      account: limiter('mail-account', config.ACCOUNT_MAILS_PER_ACCOUNT),
      address: limiter('mail-address', config.ACCOUNT_MAILS_PER_ADDRESS),
    },
  };
  // Emails can be longer than a key, and the table need not hold them.
  const accountKey = (email: string) => hashToken(email);

  return {
    async take(action, email, clientAddress) {
      const { account, address } = limits[action];
      const results = await Promise.allSettled([account.consume(accountKey(email)), address.consume(clientAddress)]);
      const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (refusals.length === 0) return;
      const waits = refusals.map((refusal) => {
        if (refusal instanceof RateLimiterRes) return refusal.msBeforeNext;
        throw refusal;
      });
      throw tooManyRequests(Math.ceil(Math.max(...waits) / 1000));
    },
    async loggedIn(email, clientAddress) {
      await Promise.all([limits.login.account.delete(accountKey(email)), limits.login.address.reward(clientAddress)]);
    },
  };
}
