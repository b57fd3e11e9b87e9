import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { databaseNamespace } from '../common/namespace';
import type { RedisClient } from '../common/redis';
import { SmtpBreaker } from './breaker';
import type { ClaimedDelivery } from './claim';
import { composeMessage, type AttemptContent } from './personalize';
import { createSendRateLimiter } from './rate-limit';
import type { SendOutcome } from './smtp-errors';
import { createMailingTransport } from './smtp-transport';
import { unsubscribeLinks } from '../unsubscribe/unsubscribe-links';

/** The send stage: how one process hands claimed deliveries to the mail server. */
export interface Sender {
  /**
   * Waits for the global send rate, then sends the delivery's personalised message through
   * the circuit breaker. `skipped` (no try counted) when `signal` aborted first or the breaker is open.
   */
  send(delivery: ClaimedDelivery, content: AttemptContent, signal: AbortSignal): Promise<SendOutcome>;
  /** While the mail server is held to be down: when a probe may go out. Null when sending may go ahead. */
  pausedUntil(): number | null;
  close(): void;
}

export interface SenderDeps {
  config: Config;
  logger: Logger;
  /** The ORM's connection pool, where the send rate is counted without Redis. */
  em: EntityManager;
  redis?: RedisClient;
  smtpUrl: string;
  databaseUrl: string;
}

/** One process's sender: pooled SMTP transport, circuit breaker and its share of the global rate. */
export function createSender({ config, logger, em, redis, smtpUrl, databaseUrl }: SenderDeps): Sender {
  const smtp = new URL(smtpUrl);
  const transport = createMailingTransport(smtpUrl, config);
  const breaker = new SmtpBreaker(config.SEND_BREAKER_THRESHOLD, config.SEND_BREAKER_HALF_OPEN_MS);
  breaker.onPause(() => logger.warn({ smtp: smtp.host }, 'the mail server keeps failing: sending paused'));
  breaker.onResume(() => logger.info({ smtp: smtp.host }, 'the mail server answers again: sending resumed'));
  // Shared by the processes of one deployment that send through one SMTP server.
  const limiter = createSendRateLimiter({ config, logger, em, redis, key: `${databaseNamespace(databaseUrl)}:${smtp.host}` });
  const unsubscribeLinksOf = unsubscribeLinks(config);
  return {
    async send(delivery, content, signal) {
      if (!(await limiter.acquire(signal))) return { kind: 'skipped' };
      const message = composeMessage(content, delivery, config.SENDER, unsubscribeLinksOf(delivery));
      return breaker.run(() => transport.send(message));
    },
    pausedUntil: () => breaker.pausedUntil(),
    close: () => transport.close(),
  };
}
