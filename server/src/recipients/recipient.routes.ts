import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cookieParser from 'cookie-parser';
import { Router } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { sessionFor, tokenFrom } from '../auth/current-user';
import type { Logger } from '../common/logger';
import { RecipientService } from './recipient.service';

const MAX_SEARCH = 200;

export interface RecipientRouteDeps {
  orm: MikroORM;
  logger: Logger;
}

/**
 * `GET /export/recipients.csv[?search=]`: the caller's recipients (everyone's for managers
 * and admins) as CSV, authenticated like /graphql (session cookie or bearer token).
 */
export function recipientRoutes({ orm, logger }: RecipientRouteDeps): Router {
  const router = Router();
  router.get('/export/recipients.csv', cookieParser(), async (req, res) => {
    const em = orm.em.fork();
    const auth = await sessionFor(em, tokenFrom(req));
    if (!auth) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'You must be logged in.' } });
      return;
    }
    const search = typeof req.query.search === 'string' ? req.query.search.trim() : '';
    if (search.length > MAX_SEARCH || search.includes('\u0000')) {
      res.status(400).json({ error: { code: 'BAD_USER_INPUT', field: 'search', message: `Search is at most ${MAX_SEARCH} characters.` } });
      return;
    }
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="recipients.csv"');
    res.setHeader('cache-control', 'no-store');
    try {
      await pipeline(Readable.from(new RecipientService(em).exportCsv(auth.user, search)), res);
    } catch (err) {
      // A client that goes away mid-download is no error of ours.
      if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err }, 'recipient export failed');
    }
  });
  return router;
}
