import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../db/redis';
import { cacheNamespace } from '../cache/cache-namespace';
import { DeliveryStore } from './delivery-store';
import { SmtpBreaker } from './policy';
import { createSendRateLimiter } from './rate-limit';
import type { SendingParts } from './runner';
import { createMailingTransport } from './transport';

export interface EngineDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  redis?: RedisClient;
  smtpUrl: string;
  databaseUrl: string;
}

/** One process's sending parts: pooled transport, breaker and share of the global rate. */
export async function createSendingParts({ config, logger, orm, redis, smtpUrl, databaseUrl }: EngineDeps): Promise<
  SendingParts & { close(): Promise<void> }
> {
  const smtp = new URL(smtpUrl);
  const transport = createMailingTransport(smtpUrl, config);
  const breaker = new SmtpBreaker(config.SEND_BREAKER_THRESHOLD, config.SEND_BREAKER_HALF_OPEN_MS);
  breaker.onPause(() => logger.warn({ smtp: smtp.host }, 'the mail server keeps failing: sending paused'));
  breaker.onResume(() => logger.info({ smtp: smtp.host }, 'the mail server answers again: sending resumed'));
  const limiter = createSendRateLimiter({
    config,
    logger,
    em: orm.em,
    redis,
    key: `${cacheNamespace(databaseUrl)}:${smtp.host}`,
  });
  return {
    config,
    logger,
    orm,
    store: new DeliveryStore(orm.em),
    transport,
    breaker,
    limiter,
    async close() {
      transport.close();
    },
  };
}
