import { Client } from 'pg';
import { startTestApp, type TestApp } from './harness';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await startTestApp();
  admin = new Client({ connectionString: t.databaseUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

async function listeners(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.pid);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('survives the database dropping its connections and listens again', async () => {
  const [first] = await until(async () => ((await listeners()).length ? listeners() : undefined), 'the job LISTEN connection');
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
  );
  const again = await until(async () => {
    const pids = await listeners();
    return pids.length && !pids.includes(first) ? pids : undefined;
  }, 'a new LISTEN connection');
  expect(again).not.toContain(first);
  const health = await fetch(`${t.url}/healthz`);
  expect(health.status).toBe(200);
  const owner = await t.createUser();
  const res = await t.gql(`{ recipients { total } }`, {}, owner);
  expect(res.data?.recipients.total).toBe(0);
});
