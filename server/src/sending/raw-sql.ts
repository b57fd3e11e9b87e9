import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one statement of the sending hot path (claim, hand-over mark, results, lease renewal)
 * with its values sent as bind parameters (`?` placeholders, PostgreSQL's `$1`...), through
 * the ORM's connection pool, outside any transaction; returns its rows.
 *
 * `em.execute` pastes each value into the SQL text instead, escaping it a character at a time:
 * for the results of a batch (a JSON document of ~150 characters per delivery) that was
 * ~10 KB of short-lived strings per message sent, and the sending thread's garbage
 * collection (bench/README.md, sending through the server). Arrays bind as PostgreSQL arrays
 * (`= any(?::uuid[])`), not as lists.
 */
export async function runSql<Row = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  const result = (await em.getKnex().raw(sql, params as never[])) as { rows: Row[] };
  return result.rows;
}
