import { Client } from 'pg';
import type { Config } from '../config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';

/** Whether a PostgreSQL server accepts a connection at `url`. */
async function postgresAccepts(url: string, timeoutMs = 1000): Promise<boolean> {
  // A throwaway connection of its own: it asks whether a server is there before any pool is opened.
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * DATABASE_URL when set; else the embedded PostgreSQL — the one a running dev server
 * already started when `reuseRunning` (command-line tools), or a new one.
 */
export async function openDatabase(
  config: Config,
  { reuseRunning }: { reuseRunning: boolean },
): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const runningUrl = `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}/mailing`;
  if (reuseRunning && (await postgresAccepts(runningUrl))) return { url: runningUrl };
  const embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
  return { url: embedded.url, embedded };
}
