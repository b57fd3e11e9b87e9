import type { EntityManager } from '@mikro-orm/postgresql';
import Papa from 'papaparse';
import { likePattern } from '../common/pagination';

/** Rows read per query: memory stays flat however many recipients there are. */
const PAGE_SIZE = 1000;
const FIELDS = ['email', 'fullName', 'comment', 'createdAt'];

interface ExportRow {
  owner_id: string;
  email: string;
  full_name: string;
  comment: string;
  created_at: Date;
}

/** The header, then one CSV chunk per page of rows (keyset over the (owner, email) unique index). */
export async function* recipientCsvChunks(em: EntityManager, owner: string | undefined, search: string): AsyncGenerator<string> {
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
