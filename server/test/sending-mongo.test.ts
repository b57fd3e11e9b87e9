import { MongoClient } from 'mongodb';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { startTestApp, type TestApp } from './harness';
import { optionalService } from './optional-services';
import { FAST_SENDING, attemptsOf, runClosed, seedMailing } from './sending-fixtures';

const mongo = optionalService('MONGODB_URL');

/** The same scheduler on Agenda's MongoDB store (docker compose and production). */
mongo.describe('the MongoDB job store', () => {
  let t: TestApp;
  let store: string;

  beforeAll(async () => {
    // A database of its own per run, so runs never see each other's jobs.
    const url = new URL(mongo.url);
    url.pathname = `/mailing_test_${process.pid}_${Date.now()}`;
    store = url.toString();
    t = await startTestApp({ ...FAST_SENDING, MONGODB_URL: store });
  });
  afterAll(async () => {
    await t?.close();
    const client = await new MongoClient(store).connect();
    await client.db().dropDatabase();
    await client.close();
  });

  it('starts a mailing inside its window at once', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 3 });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 3 });
    for (const email of emails) expect(t.smtp.countFor(email)).toBe(1);
  });

  it('fires a planned start after a restart, once', async () => {
    // Planned by a process that never fires jobs, on a database of its own: only the restarted one can.
    const planner = await startTestApp({ ...FAST_SENDING, MONGODB_URL: store, SERVER_ROLE: 'api' });
    try {
      const { user } = await planner.createUser();
      const startAt = new Date(Date.now() + 1000);
      const { mailingId, emails } = await seedMailing(planner.app, user, { count: 2, startAt });
      await Promise.all([planner.app.scheduler.mailingSaved(mailingId), planner.app.scheduler.mailingSaved(mailingId)]);
      await planner.app.close();
      const restarted = await createApp(
        loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...FAST_SENDING, DATABASE_URL: planner.databaseUrl, SMTP_URL: planner.smtp.url, MONGODB_URL: store }),
      );
      try {
        await runClosed(restarted, mailingId);
        expect(await attemptsOf(restarted, mailingId)).toHaveLength(1);
        for (const email of emails) expect(planner.smtp.countFor(email)).toBe(1);
        expect(Math.min(...planner.smtp.received.map((m) => m.at))).toBeGreaterThanOrEqual(startAt.getTime());
      } finally {
        await restarted.close();
      }
    } finally {
      await planner.close();
    }
  });
});
