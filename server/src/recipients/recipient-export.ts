import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestHandler } from 'express';
import type { MikroORM, EntityManager } from '@mikro-orm/postgresql';
import Papa from 'papaparse';
import { sessionFor, tokenFrom } from '../auth/current-user';
import { likePattern } from '../common/pagination';
import { readScope } from '../common/scope';
import type { Logger } from '../common/logger';

/** Rows read per query: memory stays flat however many recipients there are. */
const PAGE_SIZE = 1000;
const MAX_SEARCH = 200;
const FIELDS = ['email', 'fullName', 'comment', 'createdAt'];

interface ExportRow {
  owner_id: string;
  email: string;
  full_name: string;
  comment: string;
  created_at: Date;
}

/**
 * `GET /export/recipients.csv[?search=]`: the caller's recipients (everyone's for managers
 * and admins) as CSV, authenticated like /graphql (session cookie or bearer token).
 */
export function recipientsCsv(orm: MikroORM, logger: Logger): RequestHandler {
  return async (req, res) => {
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
      await pipeline(Readable.from(csvChunks(em, readScope(auth.user).owner, search)), res);
    } catch (err) {
      // A client that goes away mid-download is no error of ours.
      if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err }, 'recipient export failed');
    }
  };
}

/** The header, then one CSV chunk per page of rows (keyset over the (owner, email) unique index). */
async function* csvChunks(em: EntityManager, owner: string | undefined, search: string): AsyncGenerator<string> {
  yield Papa.unparse({ fields: FIELDS, data: [] }) + '\r\n';
  let after: { owner: string; email: string } | undefined;
  for (;;) {
    const rows = await page(em, owner, search, after);
    if (rows.length === 0) return;
    const data = rows.map((r) => [r.email, r.full_name, r.comment, new Date(r.created_at).toISOString()]);
    yield Papa.unparse({ fields: FIELDS, data }, { header: false }) + '\r\n';
    const last = rows[rows.length - 1];
    after = { owner: last.owner_id, email: last.email };
  }
}

function page(em: EntityManager, owner: string | undefined, search: string, after?: { owner: string; email: string }) {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (owner) {
    conditions.push('owner_id = ?');
    params.push(owner);
  }
  if (after) {
    conditions.push('(owner_id, email) > (?, ?)');
    params.push(after.owner, after.email);
  }
  if (search) {
    conditions.push('(email ilike ? or full_name ilike ? or comment ilike ?)');
    const like = likePattern(search);
    params.push(like, like, like);
  }
  return em.execute<ExportRow[]>(
    `select owner_id, email, full_name, comment, created_at from recipients
      ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
      order by owner_id, email limit ?`,
    [...params, PAGE_SIZE],
  );
}
