import type { EntityManager } from '@mikro-orm/postgresql';
import { normalizeEmail } from '../common/email';
import { badInput } from '../common/errors';
import { invalidateOwner } from '../cache/cache-invalidator';
import { MAX_IMPORT_ROWS, recipientRules } from '../rules';
import {
  RecipientImportOutcome,
  type RecipientImportResult,
  type RecipientImportRow,
  type RecipientImportRowResult,
} from './recipient-import.types';

interface AcceptedRow {
  index: number;
  email: string;
  fullName: string;
  comment: string;
}

/**
 * Upserts the owner's recipients by normalized email in one statement. Each row is checked
 * with createRecipient's rules; a bad row or a repeated email is skipped with the reason,
 * and the other rows still go in.
 */
export async function importRecipients(em: EntityManager, owner: string, rows: RecipientImportRow[]): Promise<RecipientImportResult> {
  if (rows.length === 0 || rows.length > MAX_IMPORT_ROWS) {
    throw badInput('rows', `Send between 1 and ${MAX_IMPORT_ROWS} rows per call (got ${rows.length}).`);
  }
  const results: RecipientImportRowResult[] = [];
  const accepted: AcceptedRow[] = [];
  const firstIndexOf = new Map<string, number>();
  rows.forEach((row, index) => {
    const skip = (field: string, reason: string) =>
      results.push({ index, email: row.email, outcome: RecipientImportOutcome.SKIPPED, field, reason });
    const problem = rowProblem(row);
    if (problem) return skip(problem.field, problem.reason);
    const email = normalizeEmail(row.email);
    const earlier = firstIndexOf.get(email);
    if (earlier !== undefined) return skip('email', `Duplicate of row ${earlier}`);
    firstIndexOf.set(email, index);
    accepted.push({ index, email, fullName: row.fullName, comment: row.comment });
  });

  const written = accepted.length ? await upsert(em, owner, accepted) : new Map<string, UpsertedRow>();
  for (const row of accepted) {
    const { id, inserted } = written.get(row.email)!;
    const outcome = inserted ? RecipientImportOutcome.IMPORTED : RecipientImportOutcome.UPDATED;
    results.push({ index: row.index, email: rows[row.index].email, outcome, recipientId: id });
  }
  results.sort((a, b) => a.index - b.index);
  const count = (outcome: RecipientImportOutcome) => results.filter((r) => r.outcome === outcome).length;
  return {
    imported: count(RecipientImportOutcome.IMPORTED),
    updated: count(RecipientImportOutcome.UPDATED),
    skipped: count(RecipientImportOutcome.SKIPPED),
    rows: results,
  };
}

/** The first rule of createRecipient the row breaks (surrounding spaces of the email aside), if any. */
function rowProblem(row: RecipientImportRow): { field: string; reason: string } | undefined {
  for (const field of ['email', 'fullName', 'comment'] as const) {
    // PostgreSQL cannot store NUL; one such row must not fail the whole statement.
    if (row[field].includes('\u0000')) return { field, reason: 'Contains a character that cannot be stored (NUL).' };
  }
  const result = recipientRules.safeParse(row);
  if (result.success) return undefined;
  const [issue] = result.error.issues;
  return { field: String(issue.path[0]), reason: issue.message };
}

interface UpsertedRow {
  id: string;
  inserted: boolean;
}

/** `xmax = 0` holds for a row this statement inserted, not for one it updated. */
async function upsert(em: EntityManager, owner: string, rows: AcceptedRow[]): Promise<Map<string, UpsertedRow>> {
  const written = await em.execute<Array<{ id: string; email: string; inserted: boolean }>>(
    `insert into recipients (id, created_at, updated_at, email, full_name, comment, owner_id)
     select gen_random_uuid(), now(), now(), v.email, v.full_name, v.comment, ?
       from jsonb_to_recordset(?::jsonb) as v(email text, full_name text, comment text)
     on conflict on constraint recipients_owner_email_unique
       do update set full_name = excluded.full_name, comment = excluded.comment, updated_at = now()
     returning id, email, (xmax = 0) as inserted`,
    [owner, JSON.stringify(rows.map(({ email, fullName, comment }) => ({ email, full_name: fullName, comment })))],
    'all',
    em.getLoggerContext(),
  );
  // Raw SQL passes the unit of work by: drop the owner's cached reads (home figures count recipients).
  await invalidateOwner(em, owner);
  return new Map(written.map((row) => [row.email, { id: row.id, inserted: row.inserted }]));
}
