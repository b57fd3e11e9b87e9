import { createHash } from 'node:crypto';

/**
 * Cached answers belong to one database: apps (or parallel test runs) that share a Redis
 * but not a database never see each other's entries. Credentials don't take part.
 */
export function cacheNamespace(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const database = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  return `mailing:${createHash('sha256').update(database).digest('hex').slice(0, 12)}`;
}
