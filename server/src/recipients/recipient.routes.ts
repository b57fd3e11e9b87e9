import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cookieParser from 'cookie-parser';
import { Router } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { sessionFor, tokenFrom } from '../auth/current-user';
import type { Logger } from '../common/logger';
import { pageRules } from '../common/pagination';
import { isStorable, UNSTORABLE_MESSAGE } from '../common/storable-strings';
import { RecipientService } from './recipient.service';

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
    const search = searchOf(req.query.search);
    if (typeof search !== 'string') {
      res.status(400).json({ error: { code: 'BAD_USER_INPUT', field: 'search', message: search.refused } });
      return;
    }
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="recipients.csv"');
    res.setHeader('cache-control', 'no-store');
    try {
      await pipeline(Readable.from(new RecipientService(em).exportCsv(auth.actor, search)), res);
    } catch (err) {
      // A client that goes away mid-download is no error of ours.
      if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err }, 'recipient export failed');
    }
  });
  return router;
}

/** The `?search=` text (trimmed; '' when absent), checked like the GraphQL lists' search, before any SQL. */
function searchOf(raw: unknown): string | { refused: string } {
  if (raw === undefined) return '';
  // `?search=a&search=b` (an array) would otherwise export everything unfiltered.
  if (typeof raw !== 'string') return { refused: 'Give one search text.' };
  const search = raw.trim();
  if (!isStorable(search)) return { refused: UNSTORABLE_MESSAGE };
  const checked = pageRules.shape.search.safeParse(search);
  return checked.success ? search : { refused: checked.error.issues[0].message };
}
