import type { EntityManager } from '@mikro-orm/postgresql';

type SqlScalar = string | number | null;
/** A value of the hot path's statements: ids, reasons, counts; arrays of them (a column of a batch). */
type SqlValue = SqlScalar | readonly SqlScalar[];

/**
 * Runs one statement of the sending hot path (claim, hand-over mark, results, lease renewal)
 * through the ORM's connection pool, outside any transaction, with each `?` replaced by its
 * value as a literal; returns its rows. An array becomes `ARRAY[...]` (cast it: `?::uuid[]`).
 *
 * `em.execute` does the same but escapes each string a character at a time: for the results
 * of a batch (a JSON document of ~150 characters per delivery) that was ~10 KB of short-lived
 * strings per message sent, and much of the sending thread's garbage collection
 * (bench/README.md, sending through the server). Sent as one simple-protocol query, as
 * `em.execute` sends it (bind parameters would take five protocol messages, a measurable cost).
 */
export async function runSql<Row = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly SqlValue[]): Promise<Row[]> {
  const text = sqlText(sql, params);
  // The pool's pg client itself: knex.raw would read a `?` in a value (an SMTP answer) as a placeholder.
  const pool = em.getKnex().client as { acquireConnection(): Promise<PgClient>; releaseConnection(client: PgClient): Promise<unknown> };
  const client = await pool.acquireConnection();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await pool.releaseConnection(client);
  }
}

/** The statement as runSql sends it: each `?` replaced by its value as a literal. */
export function sqlText(sql: string, params: readonly SqlValue[]): string {
  const parts = splitAtPlaceholders(sql);
  if (parts.length !== params.length + 1) throw new Error(`expected ${parts.length - 1} values, got ${params.length}`);
  let text = parts[0];
  for (let i = 0; i < params.length; i++) text += literal(params[i]) + parts[i + 1];
  return text;
}

interface PgClient {
  query<Row>(text: string): Promise<{ rows: Row[] }>;
}

const split = new Map<string, string[]>();
/** The statement's text around its `?` placeholders (the hot path's statements have no `?` of their own). */
function splitAtPlaceholders(sql: string): string[] {
  let parts = split.get(sql);
  if (!parts) split.set(sql, (parts = sql.split('?')));
  return parts;
}

/** A value as a PostgreSQL literal (as the pg driver's escapeLiteral writes strings). */
export function literal(value: SqlValue): string {
  if (Array.isArray(value)) return value.length === 0 ? `'{}'` : `ARRAY[${value.map(scalarLiteral).join(',')}]`;
  return scalarLiteral(value as SqlScalar);
}

function scalarLiteral(value: SqlScalar): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  const quoted = value.includes("'") ? value.replaceAll("'", "''") : value;
  return value.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
