import { createHash } from 'node:crypto';

/**
 * Keys that apps keep in shared stores (cache entries and the send rate counter in Redis)
 * belong to one database: apps (or parallel test runs) that share a Redis but not a
 * database never see each other's keys. Credentials don't take part.
 */
export function databaseNamespace(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const database = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  return `mailing:${createHash('sha256').update(database).digest('hex').slice(0, 12)}`;
}
