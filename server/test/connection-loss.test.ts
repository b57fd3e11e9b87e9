import { Client } from 'pg';
import { startTestApp, type TestApp } from './harness';
import { waitUntil } from './wait-until';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await startTestApp();
  admin = new Client({ connectionString: t.databaseUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.close();
});

async function listeners(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.pid);
}

it('survives the database dropping its connections and listens again', async () => {
  const [first] = await waitUntil('the job LISTEN connection', async () => {
    const pids = await listeners();
    return pids.length > 0 && pids;
  });
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
  );
  const again = await waitUntil('a new LISTEN connection', async () => {
    const pids = await listeners();
    return pids.length > 0 && !pids.includes(first) && pids;
  });
  expect(again).not.toContain(first);
  const health = await fetch(`${t.url}/healthz`);
  expect(health.status).toBe(200);
  const owner = await t.createUser();
  const res = await t.gql(`{ recipients { total } }`, {}, owner);
  expect(res.data?.recipients.total).toBe(0);
});
