import { Client } from 'pg';
import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { createTestDatabase } from './db';
import { FAST_SENDING } from './sending-fixtures';

/* Workers started together (docker compose up --scale worker=N) on a database whose job store does not exist yet. */
it('several worker processes starting at once on a new database all start and share one job table', async () => {
  const db = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, SMTP_URL: 'smtp://127.0.0.1:9', ...FAST_SENDING, SERVER_ROLE: 'worker' });
  // The schema (migrations) first, as a deployment runs them before scaling out; then four at once.
  await (await createApp({ ...config, SERVER_ROLE: 'api' })).close();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query('drop table agenda_jobs');
  await client.end();
  const started = await Promise.allSettled(Array.from({ length: 4 }, () => createApp(config)));
  const apps = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    expect(started.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason))).toEqual([]);
    const [{ count }] = await apps[0].orm.em.execute<Array<{ count: number }>>(`select count(*)::int as count from pg_tables where tablename = 'agenda_jobs'`);
    expect(count).toBe(1);
  } finally {
    await Promise.all(apps.map((app: App) => app.close()));
    await db.drop();
  }
}, 60_000);
