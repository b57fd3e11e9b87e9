import type { EntityManager } from '@mikro-orm/postgresql';
import PQueue from 'p-queue';
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
   * Waits for one of the process's SMTP_POOL_SIZE x 2 in-flight sends (shared by every
   * attempt it drives, the attempt with the fewest sends waiting first) and for the global
   * send rate, then sends the delivery's personalised message through the circuit breaker.
   * `skipped` (no try counted) when `signal` aborted first or the breaker is open.
   */
  send(attemptId: string, delivery: ClaimedDelivery, content: AttemptContent, signal: AbortSignal): Promise<SendOutcome>;
  /** Whether a send would go out now rather than wait for one of the process's in-flight sends. */
  hasRoom(): boolean;
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

/** One process's sender: pooled SMTP transport, its in-flight limit, circuit breaker and its share of the global rate. */
export function createSender({ config, logger, em, redis, smtpUrl, databaseUrl }: SenderDeps): Sender {
  const smtp = new URL(smtpUrl);
  const transport = createMailingTransport(smtpUrl, config);
  const breaker = new SmtpBreaker(config.SEND_BREAKER_THRESHOLD, config.SEND_BREAKER_HALF_OPEN_MS);
  breaker.onPause(() => logger.warn({ smtp: smtp.host }, 'the mail server keeps failing: sending paused'));
  breaker.onResume(() => logger.info({ smtp: smtp.host }, 'the mail server answers again: sending resumed'));
  // Shared by the processes of one deployment that send through one SMTP server.
  const limiter = createSendRateLimiter({ config, logger, em, redis, key: `${databaseNamespace(databaseUrl)}:${smtp.host}` });
  const unsubscribeLinksOf = unsubscribeLinks(config);
  // However many attempts this process drives at once, the pool gets no more than this (a stop waits for no more).
  const limit = config.SMTP_POOL_SIZE * 2;
  const inFlight = new PQueue({ concurrency: limit });
  // An attempt's sends waiting or in flight: the next turn goes to the attempt with the fewest, so
  // many mailings starting together each get their first message out before any gets its tenth,
  // and a large run does not hold back a small one started after it.
  const queued = new Map<string, number>();
  const count = (attemptId: string, change: number) => {
    const next = (queued.get(attemptId) ?? 0) + change;
    if (next === 0) queued.delete(attemptId);
    else queued.set(attemptId, next);
    return next;
  };
  return {
    async send(attemptId, delivery, content, signal) {
      const priority = -count(attemptId, 1);
      try {
        return await inFlight.add(
          async (): Promise<SendOutcome> => {
            // Stopped while it waited for its turn: it never went out.
            if (signal.aborted || !(await limiter.acquire(signal))) return { kind: 'skipped' };
            const message = composeMessage(content, delivery, config.SENDER, unsubscribeLinksOf(delivery));
            return breaker.run(() => transport.send(message));
          },
          { priority },
        );
      } finally {
        count(attemptId, -1);
      }
    },
    hasRoom: () => inFlight.size === 0 && inFlight.pending < limit,
    pausedUntil: () => breaker.pausedUntil(),
    close: () => transport.close(),
  };
}
