import { postgresAccepts } from '../src/db/database';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54339;

/**
 * Tests need a PostgreSQL server to create their databases on: TEST_DATABASE_ADMIN_URL,
 * else the local one on 5432, else (a machine with only Node) an embedded PostgreSQL.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_ADMIN_URL || (await postgresAccepts(DEFAULT_ADMIN_URL, 2000))) return;
  const embedded = await startEmbeddedPostgres('.data/test-postgres', EMBEDDED_PORT);
  (globalThis as { embeddedTestDatabase?: EmbeddedDatabase }).embeddedTestDatabase = embedded;
  process.env.TEST_DATABASE_ADMIN_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;
  console.log(`\nNo PostgreSQL on 127.0.0.1:5432: tests use an embedded one on port ${EMBEDDED_PORT}.`);
}
