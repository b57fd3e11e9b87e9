import { Router, type Request, type Response } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { windowLimiter } from '../auth/auth-limits';
import type { Logger } from '../common/logger';
import type { RedisClient } from '../common/redis';
import type { Config } from '../config';
import { cspNonceOf } from '../http/security-headers';
import { UNSUBSCRIBE_PATH } from './unsubscribe-links';
import { unsubscribePage, type UnsubscribePageState } from './unsubscribe-page';
import { readUnsubscribeToken, type UnsubscribeTarget } from './unsubscribe-token';
import { UnsubscribeService, type Subscription } from './unsubscribe.service';

export interface UnsubscribeRouteDeps {
  config: Config;
  orm: MikroORM;
  logger: Logger;
  redis?: RedisClient;
}

type Action = (service: UnsubscribeService, target: UnsubscribeTarget) => Promise<Subscription | null>;

/**
 * The unsubscribe link of every mailing message, no login:
 * - `GET /unsubscribe/:token` shows the page (it never changes anything: mail scanners open links);
 * - `POST /unsubscribe/:token` unsubscribes at once (RFC 8058 one-click: the body, `List-Unsubscribe=One-Click`, is not needed);
 * - `POST /unsubscribe/:token/resubscribe` undoes it.
 * A forged, altered or unknown token gets one answer (404, the same page), and every request
 * counts against the client address's UNSUBSCRIBE_REQUESTS_PER_MINUTE.
 */
export function unsubscribeRoutes({ config, orm, logger, redis }: UnsubscribeRouteDeps): Router {
  const limiter = windowLimiter(
    { em: orm.em, redis },
    { keyPrefix: 'unsubscribe-address', points: config.UNSUBSCRIBE_REQUESTS_PER_MINUTE, duration: 60 },
  );

  const page = (res: Response, status: number, state: UnsubscribePageState) => {
    res.status(status).setHeader('cache-control', 'no-store');
    res.type('html').send(unsubscribePage(state, cspNonceOf(res)));
  };

  const handle = (action: Action) => async (req: Request<{ token: string }>, res: Response) => {
    try {
      await limiter.consume(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfterSeconds = Math.ceil(refusal.msBeforeNext / 1000);
      res.setHeader('retry-after', String(retryAfterSeconds));
      return page(res, 429, { kind: 'tooMany', retryAfterSeconds });
    }
    const { token } = req.params;
    const target = readUnsubscribeToken(config.UNSUBSCRIBE_SECRET, token);
    const subscription = target && (await action(new UnsubscribeService(orm.em.fork()), target));
    if (!subscription) return page(res, 404, { kind: 'invalid' });
    if (subscription.unsubscribedAt) return page(res, 200, { kind: 'unsubscribed', token });
    page(res, 200, { kind: 'subscribed', token, resubscribed: req.path.endsWith('/resubscribe') });
  };

  const safely =
    (handler: ReturnType<typeof handle>) =>
    (req: Request<{ token: string }>, res: Response) =>
      handler(req, res).catch((err: unknown) => {
        logger.error({ err }, 'unsubscribe request failed');
        if (!res.headersSent) res.status(500).type('text').send('Something went wrong on our side. Please try again later.');
      });

  const router = Router();
  router.get(`${UNSUBSCRIBE_PATH}/:token`, safely(handle((service, target) => service.state(target))));
  router.post(`${UNSUBSCRIBE_PATH}/:token`, safely(handle((service, target) => service.unsubscribe(target))));
  router.post(`${UNSUBSCRIBE_PATH}/:token/resubscribe`, safely(handle((service, target) => service.resubscribe(target))));
  return router;
}
