import { Client } from 'pg';
import { createClient } from '@redis/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres';
import { OPTIONAL_SERVICES } from './optional-services';

const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54339;

/** Why a PostgreSQL server does not take a connection at `url`, or null when it does. */
async function postgresProblem(url: string, timeoutMs: number): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisProblem(url: string): Promise<string | null> {
  const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return (cause ?? (error as Error)).message || String(error);
  } finally {
    client.destroy();
  }
}

/** A configured service that does not answer ends the run here, in one line, before any test. */
function stop(variable: string, url: string, problem: string): never {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  process.stderr.write(`\n${variable}=${shown.toString()} does not answer: ${problem}\n`);
  process.exit(1);
}

/**
 * Tests need a PostgreSQL server to create their databases on: TEST_DATABASE_ADMIN_URL,
 * else the local one on 5432, else (a machine with only Node) an embedded PostgreSQL
 * (global-teardown.ts stops it). The browser tests use it too.
 */
export async function provideTestPostgres(): Promise<void> {
  const configured = process.env.TEST_DATABASE_ADMIN_URL;
  if (configured) {
    const problem = await postgresProblem(configured, 5000);
    if (problem) stop('TEST_DATABASE_ADMIN_URL', configured, problem);
  } else if (await postgresProblem(LOCAL_ADMIN_URL, 2000)) {
    const embedded = await startEmbeddedPostgres('.data/test-postgres', EMBEDDED_PORT);
    (globalThis as { embeddedTestDatabase?: EmbeddedDatabase }).embeddedTestDatabase = embedded;
    process.env.TEST_DATABASE_ADMIN_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;
    process.stderr.write(`\nNo PostgreSQL on 127.0.0.1:5432: tests use an embedded one on port ${EMBEDDED_PORT}.\n`);
  }
}

/** PostgreSQL as above; Redis and MongoDB are optional: their tests run when their URL is set. */
export default async function globalSetup(): Promise<void> {
  await provideTestPostgres();

  const redisUrl = process.env.TEST_REDIS_URL;
  if (redisUrl) {
    const problem = await redisProblem(redisUrl);
    if (problem) stop('TEST_REDIS_URL', redisUrl, problem);
  }
  for (const [variable, what] of Object.entries(OPTIONAL_SERVICES)) {
    if (!process.env[variable]) process.stderr.write(`\n${what} tests skipped: ${variable} not set\n`);
  }
}
